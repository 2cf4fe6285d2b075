package org.tributary.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tributary.config.BrokerConfig;
import org.tributary.config.ConfigException;
import org.tributary.server.TestBroker;
import org.tributary.testkit.TlsFiles;

/** An SSL listener's settings are checked before anything binds; each problem is one line naming the key. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TlsConfigTest {
    private TlsFiles tls;

    @BeforeAll
    void keys() throws Exception {
        tls = TlsFiles.shared();
    }

    private Map<String, String> good() {
        Map<String, String> m = new HashMap<>(tls.brokerSettings(""));
        m.put("listeners", "PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0");
        return m;
    }

    @Test
    void aGoodSslListenerGetsATlsContextAndPlaintextNone() {
        List<ListenerAddress> l = ListenerAddress.from(BrokerConfig.of(good()));
        assertEquals(SecurityProtocol.PLAINTEXT, l.get(0).protocol());
        assertNull(l.get(0).tls());
        assertEquals(SecurityProtocol.SSL, l.get(1).protocol());
        assertNotNull(l.get(1).tls());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "NULL", value = {
        "ssl.keystore.location|NULL|ssl.keystore.location|is required for the SSL listener SSL",
        "ssl.keystore.location|/nonexistent/broker.p12|ssl.keystore.location|no such file",
        "ssl.keystore.password|wrong-password|ssl.keystore.password|cannot open",
        "ssl.key.password|wrong-password|ssl.key.password|cannot open the private key",
        "ssl.truststore.location|/nonexistent/trust.p12|ssl.truststore.location|no such file",
        "ssl.truststore.password|wrong-password|ssl.truststore.password|cannot open",
        "ssl.keystore.type|PEM|ssl.keystore.type|PEM stores are not supported",
        "ssl.truststore.type|JCEKS|ssl.truststore.type|must be JKS or PKCS12",
        "ssl.client.auth|sometimes|ssl.client.auth|must be none, requested or required",
        "ssl.enabled.protocols|TLSv1.2,TLSv9|ssl.enabled.protocols|names protocol 'TLSv9'",
        "ssl.protocol|TLSv9|ssl.protocol|is not a protocol this JVM knows",
        "ssl.cipher.suites|TLS_NOT_A_SUITE|ssl.cipher.suites|names cipher suite 'TLS_NOT_A_SUITE'",
        "ssl.principal.mapping.rules|RULE:nonsense|ssl.principal.mapping.rules|nonsense",
        "ssl.engine.factory.class|com.example.Factory|ssl.engine.factory.class|is not supported",
        "ssl.keystore.key|-----BEGIN|ssl.keystore.key|is not supported",
        "listener.name.ssl.ssl.keystore.password|wrong-password|listener.name.ssl.ssl.keystore.password|cannot open",
        "listener.name.ssl.ssl.client.auth|always|listener.name.ssl.ssl.client.auth|must be none, requested or required",
    })
    void badSettingsNameTheKey(String key, String value, String expectedKey, String problem) {
        Map<String, String> m = good();
        if (value == null) {
            m.remove(key);
        } else {
            m.put(key, value);
        }
        ConfigException e = assertThrows(ConfigException.class, () -> ListenerAddress.from(BrokerConfig.of(m)));
        assertEquals(expectedKey, e.key(), e.getMessage());
        assertTrue(e.getMessage().contains(problem), e.getMessage());
        assertFalse(e.getMessage().contains(TlsFiles.PASSWORD) || e.getMessage().contains("wrong-password"), "a password in " + e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }

    @Test
    void aListenerOverrideWinsOverTheBrokerWideValue() {
        Map<String, String> m = good();
        m.put("ssl.keystore.password", "wrong-password");
        m.put("listener.name.ssl.ssl.keystore.password", TlsFiles.PASSWORD);
        assertNotNull(ListenerAddress.from(BrokerConfig.of(m)).get(1).tls());
    }

    @Test
    void theInterBrokerSideBuildsWithoutAKeyStoreAndChecksWhatIsSet() {
        Map<String, String> m = new HashMap<>();
        m.put("listeners", "SSL://127.0.0.1:0");
        m.put("security.inter.broker.protocol", "SSL");
        m.put("ssl.truststore.location", tls.truststore.toString());
        m.put("ssl.truststore.password", TlsFiles.PASSWORD);
        InterBroker ib = InterBroker.from(BrokerConfig.of(m));
        assertEquals("SSL", ib.listener());
        assertNotNull(ib.tls());
        m.put("ssl.endpoint.identification.algorithm", "");
        assertEquals("", InterBroker.from(BrokerConfig.of(m)).tls().clientProperties().get("ssl.endpoint.identification.algorithm"));
    }

    @Test
    void theBrokerRefusesToStartWithABadSslSetting() {
        Map<String, String> m = good();
        m.put("listeners", "PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0");
        m.put("ssl.keystore.location", tls.dir.resolve("missing.p12").toString());
        ConfigException e = assertThrows(ConfigException.class, () -> new TestBroker(m).close());
        assertEquals("ssl.keystore.location", e.key());
    }
}
