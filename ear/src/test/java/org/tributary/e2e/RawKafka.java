package org.tributary.e2e;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * One Kafka request to exactly one node and its answer, over a plain socket (kafka-clients' own
 * request and response classes). An Admin client picks the node itself; this asks the node a
 * test names, to see what that node answers.
 */
final class RawKafka {
    private RawKafka() {
    }

    /** Sends the request at the builder's newest version; throws {@link java.net.SocketTimeoutException} after {@code timeout}. */
    static AbstractResponse send(int port, AbstractRequest.Builder<?> builder, Duration timeout) throws IOException {
        short version = builder.latestAllowedVersion();
        RequestHeader header = new RequestHeader(builder.apiKey(), version, "e2e-raw", 1);
        ByteBuffer payload = builder.build(version).serializeWithHeader(header);
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            s.setSoTimeout((int) timeout.toMillis());
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            byte[] bytes = new byte[payload.remaining()];
            payload.get(bytes);
            out.writeInt(bytes.length);
            out.write(bytes);
            out.flush();
            DataInputStream in = new DataInputStream(s.getInputStream());
            byte[] answer = new byte[in.readInt()];
            in.readFully(answer);
            return AbstractResponse.parseResponse(ByteBuffer.wrap(answer), header);
        }
    }
}
