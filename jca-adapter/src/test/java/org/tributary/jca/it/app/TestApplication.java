package org.tributary.jca.it.app;

import jakarta.resource.ConnectionFactoryDefinition;
import jakarta.resource.ConnectionFactoryDefinitions;
import jakarta.resource.spi.TransactionSupport.TransactionSupportLevel;
import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

/** The application under test: factories declared by annotation, as a user would. */
@ApplicationPath("/api")
@ConnectionFactoryDefinitions({
    @ConnectionFactoryDefinition(name = "java:app/tributary/Factory",
            interfaceName = "org.tributary.jca.api.TributaryConnectionFactory",
            resourceAdapter = "tributary-jca", transactionSupport = TransactionSupportLevel.NoTransaction),
    @ConnectionFactoryDefinition(name = "java:app/tributary/JmsFactory",
            interfaceName = "jakarta.jms.ConnectionFactory",
            resourceAdapter = "tributary-jca", transactionSupport = TransactionSupportLevel.NoTransaction),
    // over the broker's SASL_SSL listener with SCRAM-SHA-512; Payara resolves the ${...} system properties
    @ConnectionFactoryDefinition(name = "java:app/tributary/SaslFactory",
            interfaceName = "org.tributary.jca.api.TributaryConnectionFactory",
            resourceAdapter = "tributary-jca", transactionSupport = TransactionSupportLevel.NoTransaction,
            properties = {
                "bootstrapServers=${tributary.it.sasl.bootstrap}",
                "securityProperties=security.protocol=SASL_SSL;sasl.mechanism=SCRAM-SHA-512;"
                        + "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"mdb-user\" password=\"mdb-secret-1\";"
                        + "ssl.truststore.type=PKCS12;ssl.truststore.location=${tributary.it.truststore};ssl.truststore.password=changeit"
            })
})
public class TestApplication extends Application {
}
