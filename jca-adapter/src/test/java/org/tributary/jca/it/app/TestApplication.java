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
            resourceAdapter = "tributary-jca", transactionSupport = TransactionSupportLevel.NoTransaction)
})
public class TestApplication extends Application {
}
