package org.tributary.jca.jms;

import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSException;
import jakarta.jms.JMSRuntimeException;
import jakarta.resource.Referenceable;
import jakarta.resource.ResourceException;
import jakarta.resource.cci.LocalTransaction;
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

    /**
     * Inside a JTA transaction the context joins it (the session mode is ignored, as Jakarta
     * Messaging requires); otherwise {@code SESSION_TRANSACTED} runs a local Kafka transaction that
     * {@code commit()}/{@code rollback()} end (the factory's transaction support must be
     * {@code LocalTransaction} or {@code XATransaction}).
     */
    @Override
    public JMSContext createContext(int sessionMode) {
        ConnectionHandle h;
        try {
            h = (ConnectionHandle) ((TributaryConnectionFactory) factory).getConnection();
        } catch (ResourceException e) {
            throw jms("no Tributary connection: " + e.getMessage(), e);
        }
        try {
            if (h.inContainerTransaction()) {
                return new JmsContextImpl(h, sessionMode, null, true);
            }
            if (sessionMode != JMSContext.SESSION_TRANSACTED) {
                return new JmsContextImpl(h, sessionMode, null, false);
            }
            LocalTransaction txn = h.getLocalTransaction();
            txn.begin();
            return new JmsContextImpl(h, sessionMode, txn, false);
        } catch (ResourceException e) {
            try {
                h.close();
            } catch (ResourceException ignored) {
                // the first failure is the one to report
            }
            throw jms("a transacted JMSContext needs a Tributary connection factory with transactionSupportLevel "
                    + "LocalTransaction or XATransaction: " + e.getMessage(), e);
        }
    }

    static JMSRuntimeException jms(String message, Exception cause) {
        JMSRuntimeException x = new JMSRuntimeException(message);
        x.initCause(cause);
        return x;
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
