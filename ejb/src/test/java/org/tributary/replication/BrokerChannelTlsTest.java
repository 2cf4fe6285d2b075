package org.tributary.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLHandshakeException;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.tributary.config.BrokerConfig;
import org.tributary.network.InterBroker;
import org.tributary.server.TestBroker;
import org.tributary.testkit.TlsFiles;

/** The broker's own outbound connection to an SSL listener verifies the peer before sending anything. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class BrokerChannelTlsTest {
    private TlsFiles tls;
    private TestBroker broker;

    @BeforeAll
    void start() throws Exception {
        tls = TlsFiles.shared();
        Map<String, String> s = new HashMap<>(tls.brokerSettings(""));
        s.put("listeners", "PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0");
        broker = new TestBroker(s);
    }

    @AfterAll
    void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    private InterBroker outbound(Map<String, String> extra) {
        Map<String, String> m = new HashMap<>(extra);
        m.put("listeners", "SSL://127.0.0.1:0");
        m.put("security.inter.broker.protocol", "SSL");
        return InterBroker.from(BrokerConfig.of(m));
    }

    private ApiVersionsResponseData apiVersions(InterBroker ib, String host) throws IOException {
        try (BrokerChannel ch = new BrokerChannel("tls-test", 5_000, ib.tls())) {
            ch.target(new InetSocketAddress(host, broker.port("SSL")));
            return ch.send(ApiKeys.API_VERSIONS, (short) 3, new ApiVersionsRequestData().setClientSoftwareName("t")
                    .setClientSoftwareVersion("1"), ApiVersionsResponseData::new, 5_000);
        }
    }

    @Test
    void aTrustedBrokerIsReachedOverTls() throws Exception {
        InterBroker ib = outbound(Map.of("ssl.truststore.type", "PKCS12", "ssl.truststore.location", tls.truststore.toString(),
                "ssl.truststore.password", TlsFiles.PASSWORD));
        assertEquals(Errors.NONE.code(), apiVersions(ib, "127.0.0.1").errorCode());
        assertEquals(Errors.NONE.code(), apiVersions(ib, "localhost").errorCode());
    }

    @Test
    void anUntrustedCertificateIsRefused() {
        InterBroker ib = outbound(Map.of()); // the JDK's CAs only: the test CA is unknown
        IOException e = assertThrows(IOException.class, () -> apiVersions(ib, "127.0.0.1"));
        assertTrue(e instanceof SSLHandshakeException, e.toString());
    }
}
