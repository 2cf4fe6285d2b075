package org.tributary.replication;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What a follower's log line says when the leader's connection ends mid-request. */
@Timeout(30)
class BrokerChannelTest {
    @Test
    void aConnectionClosedBeforeTheAnswerIsNamedAsSuchNotAsNull() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread closer = new Thread(() -> {
                try (Socket s = server.accept()) {
                    s.getInputStream().read(); // the request arrives; the broker stops before answering
                } catch (IOException ignored) {
                    // the test fails on the client side if this side misbehaves
                }
            });
            closer.start();
            try (BrokerChannel ch = new BrokerChannel("test", 5_000, null)) {
                ch.target(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()));
                IOException e = assertThrows(IOException.class, () -> ch.send(ApiKeys.API_VERSIONS, (short) 3,
                        new ApiVersionsRequestData().setClientSoftwareName("t").setClientSoftwareVersion("1"),
                        ApiVersionsResponseData::new, 5_000));
                assertTrue(e.getMessage() != null && e.getMessage().contains("closed the connection"), String.valueOf(e.getMessage()));
            }
            closer.join(5_000);
        }
    }
}
