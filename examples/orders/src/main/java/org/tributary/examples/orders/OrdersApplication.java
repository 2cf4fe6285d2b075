package org.tributary.examples.orders;

import jakarta.resource.ConnectionFactoryDefinition;
import jakarta.resource.spi.TransactionSupport.TransactionSupportLevel;
import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

/**
 * REST under /api. The Tributary connection factory is declared here; without a
 * {@code bootstrapServers} property it uses {@code -Dtributary.bootstrap.servers} (or
 * {@code TRIBUTARY_BOOTSTRAP_SERVERS}), else localhost:9092.
 */
@ApplicationPath("/api")
@ConnectionFactoryDefinition(name = "java:app/tributary/Orders",
        interfaceName = "org.tributary.jca.api.TributaryConnectionFactory",
        resourceAdapter = "tributary-jca",
        transactionSupport = TransactionSupportLevel.NoTransaction,
        properties = {"acks=all", "lingerMs=5"})
public class OrdersApplication extends Application {
}
