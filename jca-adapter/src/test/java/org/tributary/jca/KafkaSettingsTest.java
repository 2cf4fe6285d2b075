package org.tributary.jca;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.security.JaasContext;
import org.apache.kafka.common.config.types.Password;
import org.junit.jupiter.api.Test;
import org.tributary.jca.inbound.ConsumerSettings;
import org.tributary.jca.inbound.TributaryActivationSpec;
import org.tributary.jca.outbound.TributaryManagedConnectionFactory;

class KafkaSettingsTest {
    private static final String JAAS = "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"app\" "
            + "password=\"p;a\\\"ss\";";
    private static final String SECURITY = "security.protocol=SASL_SSL;sasl.mechanism=SCRAM-SHA-512;sasl.jaas.config=" + JAAS
            + "\nssl.truststore.location=/etc/tributary/ca.p12;ssl.truststore.password=changeit";

    @Test
    void aJaasLineKeepsItsSemicolonsAndQuotes() {
        Map<String, String> m = KafkaSettings.security(SECURITY);
        assertEquals("SASL_SSL", m.get("security.protocol"));
        assertEquals(JAAS, m.get("sasl.jaas.config"));
        assertEquals("/etc/tributary/ca.p12", m.get("ssl.truststore.location"));
        assertEquals(5, m.size());
        // Kafka's own JAAS parser accepts what came through
        JaasContext ctx = JaasContext.loadClientContext(Map.of(SaslConfigs.SASL_JAAS_CONFIG, new Password(m.get("sasl.jaas.config"))));
        assertEquals("p;a\"ss", ctx.configurationEntries().get(0).getOptions().get("password"));
        // plain settings keep working as before
        assertEquals(Map.of("linger.ms", "5", "compression.type", "lz4"), KafkaSettings.parse("linger.ms=5; compression.type=lz4"));
    }

    @Test
    void securitySettingsOutsideTheirNamesOrWithAnUnknownProtocolAreRefusedWithoutShowingValues() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KafkaSettings.security("linger.ms=5"));
        assertTrue(e.getMessage().contains("linger.ms"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> KafkaSettings.security("security.protocol=TLS"));
        assertTrue(e.getMessage().contains("SASL_SSL"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> KafkaSettings.security("security.protocol=SASL_SSL"));
        assertTrue(e.getMessage().contains("sasl.jaas.config"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> KafkaSettings.security("sasl.jaas.config=x required password=\"secret"));
        assertFalse(e.getMessage().contains("secret"), e.getMessage());
    }

    @Test
    void theFactoryAndTheActivationSpecApplyThemToEveryClient() throws Exception {
        TributaryManagedConnectionFactory f = new TributaryManagedConnectionFactory();
        f.setSecurityProperties(SECURITY);
        Map<String, String> producer = f.producerConfig();
        assertEquals("SCRAM-SHA-512", producer.get("sasl.mechanism"));
        assertEquals(JAAS, producer.get("sasl.jaas.config"));

        TributaryActivationSpec s = new TributaryActivationSpec();
        s.setTopics("orders");
        s.setGroupId("ledger");
        s.setSecurityProperties(SECURITY);
        s.validate();
        ConsumerSettings c = s.settings("127.0.0.1:9093");
        assertEquals("SASL_SSL", c.kafka().get("security.protocol"));
        assertEquals("SASL_SSL", c.producerConfig().get("security.protocol"), "the dead-letter producer too");

        s.setSecurityProperties("security.protocol=SASL_SSL");
        jakarta.resource.spi.InvalidPropertyException e = assertThrows(jakarta.resource.spi.InvalidPropertyException.class, s::validate);
        assertTrue(e.getMessage().contains("securityProperties"), e.getMessage());
    }
}
