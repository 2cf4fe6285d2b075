package org.tributary.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tributary.config.BrokerConfig;
import org.tributary.config.ConfigException;
import org.tributary.quorum.QuorumTls;
import org.tributary.testkit.TlsFiles;

/**
 * The quorum's controller listener: PLAINTEXT unless {@code controller.listener.names} names a
 * listener mapped to SSL, whose {@code listener.name.<name>.ssl.*} keys (falling back to
 * {@code ssl.*}) give mutual TLS. Every setting that cannot be honoured stops the node with one
 * line naming the key, before anything starts.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QuorumTlsConfigTest {
    private TlsFiles tls;

    @BeforeAll
    void keys() throws Exception {
        tls = TlsFiles.shared();
    }

    private Map<String, String> good() {
        Map<String, String> m = new HashMap<>(tls.brokerSettings("listener.name.controller."));
        m.put("listeners", "PLAINTEXT://127.0.0.1:0");
        m.put("controller.listener.names", "CONTROLLER");
        m.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:SSL");
        return m;
    }

    @Test
    void plaintextUnlessTheControllerListenerIsSsl() {
        assertTrue(MetadataNode.quorumTls(BrokerConfig.of(Map.of("listeners", "PLAINTEXT://127.0.0.1:0"))).isEmpty());
        Map<String, String> plain = good();
        plain.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        assertTrue(MetadataNode.quorumTls(BrokerConfig.of(plain)).isEmpty());
        QuorumTls t = MetadataNode.quorumTls(BrokerConfig.of(good())).orElseThrow();
        assertEquals(java.util.List.of("TLSv1.2", "TLSv1.3"), t.protocols());
    }

    @Test
    void theBrokerWideSslKeysServeWhenTheListenerHasNoneOfItsOwn() {
        Map<String, String> m = new HashMap<>(tls.brokerSettings(""));
        m.put("controller.listener.names", "SSL"); // the default map sends SSL to SSL
        assertTrue(MetadataNode.quorumTls(BrokerConfig.of(m)).isPresent());
        // and the listener's own key wins over a broken broker-wide one
        Map<String, String> both = good();
        both.put("ssl.keystore.location", "/nonexistent/broker-wide.p12");
        assertTrue(MetadataNode.quorumTls(BrokerConfig.of(both)).isPresent());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "NULL", value = {
        "listener.security.protocol.map|PLAINTEXT:PLAINTEXT,CONTROLLER:SASL_SSL|Invalid value 'CONTROLLER' for configuration "
                + "'controller.listener.names': the controller listener CONTROLLER maps to SASL_SSL in listener.security.protocol.map, "
                + "but the metadata quorum cannot authenticate with SASL; mutual TLS (SSL) is what it supports: map CONTROLLER to SSL "
                + "(or PLAINTEXT)",
        "listener.security.protocol.map|PLAINTEXT:PLAINTEXT,CONTROLLER:SASL_PLAINTEXT|Invalid value 'CONTROLLER' for configuration "
                + "'controller.listener.names': the controller listener CONTROLLER maps to SASL_PLAINTEXT in "
                + "listener.security.protocol.map, but the metadata quorum cannot authenticate with SASL; mutual TLS (SSL) is what it "
                + "supports: map CONTROLLER to SSL (or PLAINTEXT)",
        "listener.name.controller.ssl.keystore.location|NULL|Configuration 'ssl.keystore.location': is required for the SSL listener "
                + "CONTROLLER (a JKS or PKCS12 key store with this broker's certificate and key)",
        "listener.name.controller.ssl.keystore.location|/nonexistent/quorum.p12|Invalid value '/nonexistent/quorum.p12' for "
                + "configuration 'listener.name.controller.ssl.keystore.location': no such file",
        "listener.name.controller.ssl.keystore.password|wrong-password|Configuration 'listener.name.controller.ssl.keystore.password': "
                + "cannot open {keystore} (wrong password?)",
        "listener.name.controller.ssl.truststore.password|wrong-password|Configuration "
                + "'listener.name.controller.ssl.truststore.password': cannot open {truststore} (wrong password?)",
        "listener.name.controller.ssl.client.auth|none|Invalid value 'none' for configuration "
                + "'listener.name.controller.ssl.client.auth': the metadata quorum always requires client certificates (mutual TLS); "
                + "set required or leave it unset",
        "ssl.client.auth|requested|Invalid value 'requested' for configuration 'ssl.client.auth': the metadata quorum always requires "
                + "client certificates (mutual TLS); set required or leave it unset (for the quorum alone: "
                + "listener.name.controller.ssl.client.auth)",
        "ssl.endpoint.identification.algorithm|''|Invalid value '' for configuration 'ssl.endpoint.identification.algorithm': the "
                + "metadata quorum always verifies that a peer's certificate names the host it is reached at (https); leave it unset "
                + "or set https (for the quorum alone: listener.name.controller.ssl.endpoint.identification.algorithm)",
        "controller.listener.names|QUORUM|Invalid value 'PLAINTEXT:PLAINTEXT,CONTROLLER:SSL' for configuration "
                + "'listener.security.protocol.map': no security protocol for the controller listener QUORUM "
                + "(controller.listener.names); map it, e.g. QUORUM:SSL",
        "controller.listener.names|CONTROLLER,OTHER|Invalid value 'CONTROLLER,OTHER' for configuration 'controller.listener.names': "
                + "names 2 listeners; the metadata quorum has one port (tributary.quorum.port), so name one",
        "listeners|PLAINTEXT://127.0.0.1:0,CONTROLLER://127.0.0.1:0|Invalid value 'CONTROLLER' for configuration "
                + "'controller.listener.names': names CONTROLLER, which is also a Kafka listener in listeners; the metadata quorum "
                + "listens on tributary.quorum.port, so give the controller listener a name of its own",
    })
    void aSettingTheQuorumCannotHonourStopsTheNodeWithOneLine(String key, String value, String expected) {
        Map<String, String> m = good();
        if (value == null) {
            m.remove(key);
        } else {
            m.put(key, value);
        }
        ConfigException e = assertThrows(ConfigException.class, () -> MetadataNode.quorumTls(BrokerConfig.of(m)));
        assertEquals(expected.replace("{keystore}", tls.brokerKeystore.toString()).replace("{truststore}", tls.truststore.toString()),
                e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line");
        assertFalse(e.getMessage().contains(TlsFiles.PASSWORD) || e.getMessage().contains("wrong-password"), "no password");
    }
}
