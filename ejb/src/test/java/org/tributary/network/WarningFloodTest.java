package org.tributary.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.tributary.server.TestBroker;
import org.tributary.testing.LogCapture;

/** Hundreds of hostile connections of each kind write one log line per kind, not one per connection. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class WarningFloodTest {

    @Test
    void malformedOversizedAndGarbageFramesAreSummarised() throws Exception {
        LogCapture capture = LogCapture.on(Processor.class.getName());
        try (TestBroker broker = new TestBroker(Map.of("socket.request.max.bytes", "1024"))) {
            int[] sizes = {-5, 1_000_000, 12}; // negative, over socket.request.max.bytes, a 12-byte frame that is no request
            for (int i = 0; i < 600; i++) {
                try (Socket s = new Socket("127.0.0.1", broker.port())) {
                    s.setSoTimeout(5_000);
                    OutputStream out = s.getOutputStream();
                    out.write(ByteBuffer.allocate(16).putInt(sizes[i % 3]).putLong(0x0102030405060708L).putInt(i).array());
                    out.flush();
                    while (s.getInputStream().read() >= 0) {
                        // until the broker closes it
                    }
                } catch (java.net.SocketException reset) {
                    // closed with unread bytes: a reset
                }
            }
            try (Admin admin = broker.admin()) {
                admin.listTopics().names().get(); // still serving
            }
        } finally {
            capture.close();
        }
        List<String> net = capture.messages().stream().filter(l -> l.startsWith("TRIB-NET-")).toList();
        assertEquals(1, net.stream().filter(l -> l.startsWith("TRIB-NET-004")).count(), net.toString());
        assertEquals(1, net.stream().filter(l -> l.startsWith("TRIB-NET-005")).count(), net.toString());
        assertEquals(1, net.stream().filter(l -> l.startsWith("TRIB-NET-001")).count(), net.toString());
        assertTrue(net.size() <= 3, net.toString());
    }
}
