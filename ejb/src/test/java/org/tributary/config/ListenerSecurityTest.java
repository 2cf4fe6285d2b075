package org.tributary.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ListenerSecurityTest {

    private static NodeSettings settings(String... kv) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return NodeSettings.from(BrokerConfig.of(m));
    }

    @Test
    void defaultMapServesProtocolNamesAndInterBrokerIsPlaintext() {
        NodeSettings s = settings("listeners", "PLAINTEXT://127.0.0.1:9092,SSL://127.0.0.1:9093");
        assertEquals(SecurityProtocol.PLAINTEXT, s.security().protocol("PLAINTEXT"));
        assertEquals(SecurityProtocol.SSL, s.security().protocol("SSL"));
        assertEquals("PLAINTEXT", s.security().interBrokerListener());
        assertEquals(new Listener("PLAINTEXT", "127.0.0.1", 9092), s.interBroker());
    }

    @Test
    void customNamesAreMappedAndChosenByName() {
        NodeSettings s = settings("listeners", "CLIENT://127.0.0.1:9092,INTERNAL://127.0.0.1:9093",
                "listener.security.protocol.map", "CLIENT:PLAINTEXT,INTERNAL:SSL", "inter.broker.listener.name", "internal");
        assertEquals(SecurityProtocol.SSL, s.security().interBrokerProtocol());
        assertEquals("INTERNAL", s.interBroker().name());
    }

    @Test
    void securityInterBrokerProtocolPicksTheListenerOfThatName() {
        NodeSettings s = settings("listeners", "SSL://127.0.0.1:9093", "security.inter.broker.protocol", "SSL");
        assertEquals("SSL", s.security().interBrokerListener());
    }

    @Test
    void anInterBrokerListenerThatIsNotAdvertisedIsRefused() {
        ConfigException e = assertThrows(ConfigException.class, () -> settings("listeners", "SSL://127.0.0.1:9093"));
        assertEquals("security.inter.broker.protocol", e.key());
        assertTrue(e.getMessage().contains("the inter-broker listener PLAINTEXT is not among the advertised listeners"), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "CLIENT://127.0.0.1:1|listener.security.protocol.map||no security protocol for listener CLIENT",
        "CLIENT://127.0.0.1:1|listener.security.protocol.map|CLIENT:TLS|unknown security protocol 'TLS'",
        "CLIENT://127.0.0.1:1|listener.security.protocol.map|CLIENT|not of the form NAME:PROTOCOL",
        "PLAINTEXT://127.0.0.1:1|inter.broker.listener.name|OTHER|the inter-broker listener OTHER is not among the advertised listeners",
        "PLAINTEXT://127.0.0.1:1|security.inter.broker.protocol|TLS|must be one of PLAINTEXT, SSL",
    })
    void badModelsNameTheKey(String listeners, String key, String value, String problem) {
        Map<String, String> m = new HashMap<>(Map.of("listeners", listeners));
        if (value != null && !key.equals("listeners")) {
            m.put(key, value);
        }
        ConfigException e = assertThrows(ConfigException.class, () -> NodeSettings.from(BrokerConfig.of(m)));
        assertEquals(key, e.key());
        assertTrue(e.getMessage().contains(problem), e.getMessage());
    }

    @Test
    void saslListenersAreServedAndMayCarryInterBrokerTraffic() {
        NodeSettings s = settings("listeners", "SASL_PLAINTEXT://127.0.0.1:1,SASL_SSL://127.0.0.1:2",
                "inter.broker.listener.name", "SASL_SSL");
        assertEquals(org.apache.kafka.common.security.auth.SecurityProtocol.SASL_SSL, s.security().interBrokerProtocol());
        assertEquals(org.apache.kafka.common.security.auth.SecurityProtocol.SASL_PLAINTEXT, s.security().protocol("SASL_PLAINTEXT"));
    }

    @Test
    void onlyOneOfTheInterBrokerKeys() {
        ConfigException e = assertThrows(ConfigException.class, () -> settings("listeners", "PLAINTEXT://127.0.0.1:1",
                "inter.broker.listener.name", "PLAINTEXT", "security.inter.broker.protocol", "PLAINTEXT"));
        assertTrue(e.getMessage().contains("set only one of"), e.getMessage());
    }

    @Test
    void advertisedNamesMustBeBound() {
        ConfigException e = assertThrows(ConfigException.class, () -> settings("listeners", "PLAINTEXT://127.0.0.1:1",
                "advertised.listeners", "PLAINTEXT://a:1,SSL://a:2"));
        assertEquals("advertised.listeners", e.key());
    }

    @Test
    void aCustomPrincipalBuilderIsRefusedAndKafkasDefaultAccepted() {
        ConfigException e = assertThrows(ConfigException.class, () -> settings("listeners", "PLAINTEXT://127.0.0.1:9092",
                "principal.builder.class", "com.example.MyPrincipalBuilder"));
        assertEquals("principal.builder.class", e.key());
        assertTrue(e.getMessage().contains("custom principal builders are not supported"), e.getMessage());
        NodeSettings s = settings("listeners", "PLAINTEXT://127.0.0.1:9092", "principal.builder.class",
                "org.apache.kafka.common.security.authenticator.DefaultKafkaPrincipalBuilder");
        assertEquals("PLAINTEXT", s.security().interBrokerListener());
    }
}
