package org.tributary.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.network.ByteBufferSend;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Each request is told the time the network thread spent on it (reading it, writing its answer)
 * only once its answer is completely written, so the request-time quota can count it for the
 * client's next requests (KIP-124); a request without answer is told once answered.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NetworkTimeTest {

    @Test
    void aRequestIsToldItsNetworkTimeOnceItsWholeAnswerIsOut() throws Exception {
        BlockingQueue<long[]> told = new LinkedBlockingQueue<>();
        AtomicInteger count = new AtomicInteger();
        int big = 64 << 20;
        RequestChannel channel = r -> {
            int i = count.getAndIncrement();
            r.onNetworkTime(nanos -> told.add(new long[] {i, nanos}));
            if (i == 2) {
                r.noResponse();
                return;
            }
            int size = i == 1 ? big : 8;
            ByteBuffer answer = ByteBuffer.allocate(4 + size).putInt(size);
            answer.rewind();
            r.respond(new ByteBufferSend(answer));
        };
        try (SocketServer server = new SocketServer(List.of(new ListenerAddress("PLAINTEXT", "127.0.0.1", 0, SecurityProtocol.PLAINTEXT, null)),
                1, 1 << 20, 60_000, channel, Thread::new);
                Socket client = connect(server)) {
            client.setReceiveBufferSize(64 * 1024);
            DataInputStream in = new DataInputStream(client.getInputStream());
            // a small answer: told after it is out, with some time
            request(client);
            assertEquals(8, readAnswer(in));
            long[] first = told.poll(10, TimeUnit.SECONDS);
            assertNotNull(first);
            assertEquals(0, first[0]);
            assertTrue(first[1] > 0, "network time " + first[1]);
            // a 64 MB answer the client does not read yet cannot be out: nothing is told
            request(client);
            assertNull(told.poll(300, TimeUnit.MILLISECONDS), "told before its answer was written");
            assertEquals(big, readAnswer(in));
            long[] second = told.poll(10, TimeUnit.SECONDS);
            assertNotNull(second);
            assertEquals(1, second[0]);
            assertTrue(second[1] > first[1], "writing 64 MB took longer than 8 bytes: " + second[1] + " ns vs " + first[1] + " ns");
            // a request without answer is told when answered
            request(client);
            long[] third = told.poll(10, TimeUnit.SECONDS);
            assertNotNull(third);
            assertEquals(2, third[0]);
            assertTrue(third[1] > 0);
        }
    }

    private static Socket connect(SocketServer server) throws Exception {
        int port = server.bind().get("PLAINTEXT");
        server.start();
        Socket s = new Socket("127.0.0.1", port);
        s.setSoTimeout(20_000);
        return s;
    }

    private static void request(Socket s) throws Exception {
        s.getOutputStream().write(ByteBuffer.allocate(12).putInt(8).putLong(42).array());
        s.getOutputStream().flush();
    }

    /** Reads one size-prefixed answer; returns its size. */
    private static int readAnswer(DataInputStream in) throws Exception {
        int size = in.readInt();
        byte[] chunk = new byte[1 << 16];
        for (int left = size; left > 0; ) {
            int n = in.read(chunk, 0, Math.min(chunk.length, left));
            assertTrue(n > 0);
            left -= n;
        }
        return size;
    }
}
