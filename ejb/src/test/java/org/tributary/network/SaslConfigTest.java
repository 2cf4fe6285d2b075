package org.tributary.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tributary.config.BrokerConfig;
import org.tributary.config.ConfigException;
import org.tributary.config.SaslConfig;

/** A SASL listener's settings are checked before anything binds; each problem is one line naming the key, never a password. */
class SaslConfigTest {
    private static final String PLAIN_JAAS = "org.apache.kafka.common.security.plain.PlainLoginModule required "
            + "username=\"broker\" password=\"broker-secret\" user_broker=\"broker-secret\" user_alice=\"alice-secret\";";

    private static Map<String, String> good() {
        Map<String, String> m = new HashMap<>();
        m.put("listeners", "PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0");
        m.put("sasl.enabled.mechanisms", "PLAIN,SCRAM-SHA-256");
        m.put("listener.name.sasl_plaintext.plain.sasl.jaas.config", PLAIN_JAAS);
        return m;
    }

    @Test
    void aGoodSaslListenerHasItsMechanismsUsersAndDefaults() {
        List<ListenerAddress> l = ListenerAddress.from(BrokerConfig.of(good()));
        assertNull(l.get(0).sasl());
        SaslConfig sasl = l.get(1).sasl();
        assertEquals(List.of("PLAIN", "SCRAM-SHA-256"), sasl.mechanisms());
        assertEquals(Map.of("broker", "broker-secret", "alice", "alice-secret"), sasl.plainUsers());
        assertEquals(0, sasl.maxReauthMs("PLAIN"));
        assertEquals(100, sasl.failedAuthDelayMs(), "Kafka's default connection.failed.authentication.delay.ms");
        assertFalse(sasl.toString().contains("secret"), sasl.toString());
    }

    @Test
    void theSessionLifetimeMayBeSetPerListenerAndMechanism() {
        Map<String, String> m = good();
        m.put("connections.max.reauth.ms", "60000");
        m.put("listener.name.sasl_plaintext.scram-sha-256.connections.max.reauth.ms", "5000");
        SaslConfig sasl = ListenerAddress.from(BrokerConfig.of(m)).get(1).sasl();
        assertEquals(60_000, sasl.maxReauthMs("PLAIN"));
        assertEquals(5_000, sasl.maxReauthMs("SCRAM-SHA-256"));
    }

    @Test
    void aListenerOverrideOfTheMechanismsWins() {
        Map<String, String> m = good();
        m.put("sasl.enabled.mechanisms", "GSSAPI");
        m.put("listener.name.sasl_plaintext.sasl.enabled.mechanisms", "SCRAM-SHA-512");
        assertEquals(List.of("SCRAM-SHA-512"), ListenerAddress.from(BrokerConfig.of(m)).get(1).sasl().mechanisms());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "NULL", value = {
        "sasl.enabled.mechanisms|NULL|sasl.enabled.mechanisms|Kafka's default, GSSAPI, is not supported",
        "sasl.enabled.mechanisms|GSSAPI|sasl.enabled.mechanisms|GSSAPI is not supported by this broker",
        "sasl.enabled.mechanisms|PLAIN,OAUTHBEARER|sasl.enabled.mechanisms|OAUTHBEARER is not supported by this broker",
        "sasl.enabled.mechanisms|plain|sasl.enabled.mechanisms|unknown SASL mechanism plain",
        "sasl.enabled.mechanisms|' , '|sasl.enabled.mechanisms|names no mechanism",
        "listener.name.sasl_plaintext.sasl.enabled.mechanisms|SCRAM-SHA-1|listener.name.sasl_plaintext.sasl.enabled.mechanisms|unknown SASL mechanism",
        "listener.name.sasl_plaintext.plain.sasl.jaas.config|NULL|listener.name.sasl_plaintext.plain.sasl.jaas.config|needs its users here",
        "listener.name.sasl_plaintext.plain.sasl.jaas.config|org.apache.kafka.common.security.plain.PlainLoginModule required username=\"b\" password=\"pw-secret\";|listener.name.sasl_plaintext.plain.sasl.jaas.config|needs its users here",
        "listener.name.sasl_plaintext.plain.sasl.jaas.config|org.apache.kafka.common.security.scram.ScramLoginModule required user_a=\"pw-secret\";|listener.name.sasl_plaintext.plain.sasl.jaas.config|PLAIN needs org.apache.kafka.common.security.plain.PlainLoginModule",
        "listener.name.sasl_plaintext.plain.sasl.jaas.config|org.apache.kafka.common.security.plain.PlainLoginModule required user_a=\"pw-secret\"|listener.name.sasl_plaintext.plain.sasl.jaas.config|does not end with ';'",
        "listener.name.sasl_plaintext.plain.sasl.jaas.config|org.apache.kafka.common.security.plain.PlainLoginModule required user_a=\"pw-secret;|listener.name.sasl_plaintext.plain.sasl.jaas.config|without its closing quote",
        "listener.name.sasl_plaintext.plain.sasl.jaas.config|org.apache.kafka.common.security.plain.PlainLoginModule always user_a=\"pw-secret\";|listener.name.sasl_plaintext.plain.sasl.jaas.config|control flag",
        "listener.name.sasl_plaintext.plain.sasl.jaas.config|org.apache.kafka.common.security.plain.PlainLoginModule required user_a=\"pw-secret\"; x.Other required;|listener.name.sasl_plaintext.plain.sasl.jaas.config|more than one login module",
        "sasl.jaas.config|org.apache.kafka.common.security.plain.PlainLoginModule required user_a=\"pw-secret\";|sasl.jaas.config|per listener and mechanism",
        "sasl.server.callback.handler.class|com.example.Handler|sasl.server.callback.handler.class|is not supported",
        "listener.name.sasl_plaintext.plain.sasl.server.callback.handler.class|com.example.Handler|listener.name.sasl_plaintext.plain.sasl.server.callback.handler.class|is not supported",
        "sasl.kerberos.service.name|kafka|sasl.kerberos.service.name|is not supported",
        "connections.max.reauth.ms|-1|connections.max.reauth.ms|must be 0",
        "connections.max.reauth.ms|soon|connections.max.reauth.ms|soon",
        "listener.name.sasl_plaintext.plain.connections.max.reauth.ms|-2|listener.name.sasl_plaintext.plain.connections.max.reauth.ms|must be 0",
        "listener.name.sasl_plaintext.connections.max.reauth.ms|1000|listener.name.sasl_plaintext.connections.max.reauth.ms|per listener and mechanism",
        "connection.failed.authentication.delay.ms|-5|connection.failed.authentication.delay.ms|less than connections.max.idle.ms",
        "connection.failed.authentication.delay.ms|700000|connection.failed.authentication.delay.ms|less than connections.max.idle.ms",
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
        assertFalse(e.getMessage().contains("secret"), "a password in " + e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }

    @Test
    void theInterBrokerClientUsesTheListenersJaasUsernameAndPassword() {
        Map<String, String> m = good();
        m.put("inter.broker.listener.name", "SASL_PLAINTEXT");
        m.put("sasl.mechanism.inter.broker.protocol", "PLAIN");
        InterBroker ib = InterBroker.from(BrokerConfig.of(m));
        assertEquals(new SaslConfig.Client("PLAIN", "broker", "broker-secret"), ib.sasl());
        assertNull(ib.tls());
        assertEquals("SASL_PLAINTEXT", ib.clientProperties().get("security.protocol"));
        assertEquals("PLAIN", ib.clientProperties().get("sasl.mechanism"));
        assertFalse(ib.toString().contains("broker-secret"), ib.toString());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "NULL", value = {
        "sasl.mechanism.inter.broker.protocol|NULL|sasl.mechanism.inter.broker.protocol|GSSAPI, is not supported",
        "sasl.mechanism.inter.broker.protocol|SCRAM-SHA-512|sasl.mechanism.inter.broker.protocol|must be one of the mechanisms enabled",
        "sasl.mechanism.inter.broker.protocol|SCRAM-SHA-256|listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config|needs username and password",
        "listener.name.sasl_plaintext.plain.sasl.jaas.config|org.apache.kafka.common.security.plain.PlainLoginModule required user_a=\"pw-secret\";|listener.name.sasl_plaintext.plain.sasl.jaas.config|needs username and password",
    })
    void badInterBrokerSettingsNameTheKey(String key, String value, String expectedKey, String problem) {
        Map<String, String> m = good();
        m.put("inter.broker.listener.name", "SASL_PLAINTEXT");
        m.put("sasl.mechanism.inter.broker.protocol", "PLAIN");
        if (value == null) {
            m.remove(key);
        } else {
            m.put(key, value);
        }
        ConfigException e = assertThrows(ConfigException.class, () -> InterBroker.from(BrokerConfig.of(m)));
        assertEquals(expectedKey, e.key(), e.getMessage());
        assertTrue(e.getMessage().contains(problem), e.getMessage());
        assertFalse(e.getMessage().contains("secret"), "a password in " + e.getMessage());
    }
}
