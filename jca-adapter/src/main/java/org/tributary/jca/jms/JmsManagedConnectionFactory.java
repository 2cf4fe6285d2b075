package org.tributary.jca.jms;

import jakarta.jms.ConnectionFactory;
import jakarta.resource.ResourceException;
import jakarta.resource.spi.ConnectionDefinition;
import jakarta.resource.spi.ConnectionManager;
import org.tributary.jca.api.TributaryConnection;
import org.tributary.jca.outbound.ConnectionHandle;
import org.tributary.jca.outbound.TributaryManagedConnectionFactory;

/**
 * The JMS connection definition: a {@code jakarta.jms.ConnectionFactory} whose contexts send
 * through a pooled Tributary connection. Same properties as the Tributary factory.
 */
@ConnectionDefinition(
        connectionFactory = ConnectionFactory.class,
        connectionFactoryImpl = JmsConnectionFactoryImpl.class,
        connection = TributaryConnection.class,
        connectionImpl = ConnectionHandle.class)
public class JmsManagedConnectionFactory extends TributaryManagedConnectionFactory {
    private static final long serialVersionUID = 1L;

    @Override
    public Object createConnectionFactory(ConnectionManager cm) throws ResourceException {
        return new JmsConnectionFactoryImpl(super.createConnectionFactory(cm));
    }
}
