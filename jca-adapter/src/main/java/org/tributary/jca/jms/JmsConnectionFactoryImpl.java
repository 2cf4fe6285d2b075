package org.tributary.jca.jms;

import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSException;
import jakarta.jms.JMSRuntimeException;
import jakarta.resource.Referenceable;
import jakarta.resource.ResourceException;
import java.io.Serializable;
import javax.naming.Reference;
import org.tributary.jca.api.TributaryConnectionFactory;
import org.tributary.jca.outbound.ConnectionHandle;

/**
 * A JMS connection factory for sending to Tributary topics with the simplified API
 * ({@link #createContext()}). The classic API ({@code createConnection}) is not offered.
 */
public class JmsConnectionFactoryImpl implements ConnectionFactory, Serializable, Referenceable {
    private static final long serialVersionUID = 1L;

    private final Object factory;
    private Reference reference;

    JmsConnectionFactoryImpl(Object tributaryFactory) {
        this.factory = tributaryFactory;
    }

    @Override
    public JMSContext createContext() {
        return createContext(JMSContext.AUTO_ACKNOWLEDGE);
    }

    @Override
    public JMSContext createContext(int sessionMode) {
        if (sessionMode == JMSContext.SESSION_TRANSACTED) {
            throw new JMSRuntimeException("transacted JMS sessions are not supported by Tributary (its connections are NoTransaction)");
        }
        try {
            return new JmsContextImpl((ConnectionHandle) ((TributaryConnectionFactory) factory).getConnection(), sessionMode);
        } catch (ResourceException e) {
            JMSRuntimeException x = new JMSRuntimeException("no Tributary connection: " + e.getMessage());
            x.initCause(e);
            throw x;
        }
    }

    @Override
    public JMSContext createContext(String user, String password) {
        return createContext();
    }

    @Override
    public JMSContext createContext(String user, String password, int sessionMode) {
        return createContext(sessionMode);
    }

    @Override
    public Connection createConnection() throws JMSException {
        throw new JMSException("the classic JMS API (Connection/Session) is not supported by Tributary; use createContext()");
    }

    @Override
    public Connection createConnection(String user, String password) throws JMSException {
        return createConnection();
    }

    @Override
    public void setReference(Reference reference) {
        this.reference = reference;
    }

    @Override
    public Reference getReference() {
        return reference;
    }
}
