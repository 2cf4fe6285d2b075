package org.tributary.jca.jms;

import jakarta.jms.BytesMessage;
import jakarta.jms.ConnectionMetaData;
import jakarta.jms.Destination;
import jakarta.jms.ExceptionListener;
import jakarta.jms.IllegalStateRuntimeException;
import jakarta.jms.JMSConsumer;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSProducer;
import jakarta.jms.JMSRuntimeException;
import jakarta.jms.MapMessage;
import jakarta.jms.Message;
import jakarta.jms.ObjectMessage;
import jakarta.jms.Queue;
import jakarta.jms.QueueBrowser;
import jakarta.jms.StreamMessage;
import jakarta.jms.TemporaryQueue;
import jakarta.jms.TemporaryTopic;
import jakarta.jms.TextMessage;
import jakarta.jms.Topic;
import jakarta.jms.TransactionInProgressRuntimeException;
import jakarta.jms.TransactionRolledBackRuntimeException;
import jakarta.resource.ResourceException;
import jakarta.resource.cci.LocalTransaction;
import java.io.Serializable;
import java.util.Enumeration;
import java.util.List;
import org.tributary.jca.jms.message.BytesMessageImpl;
import org.tributary.jca.jms.message.MapMessageImpl;
import org.tributary.jca.jms.message.TextMessageImpl;
import org.tributary.jca.jms.message.TopicImpl;
import org.tributary.jca.outbound.ConnectionHandle;

/**
 * A JMS context for sending text, bytes and map messages to topics. Receiving is done by MDBs
 * (the adapter's inbound side), so consumers, queues, temporary destinations, object and stream
 * messages are refused with an exception naming the feature. A transacted context runs one Kafka
 * transaction at a time ({@code commit()} and {@code rollback()} end it and begin the next;
 * {@code close()} rolls back what was not committed); inside a JTA transaction the context takes
 * part in it and its own {@code commit()}/{@code rollback()} are refused.
 */
final class JmsContextImpl implements JMSContext {
    private final ConnectionHandle connection;
    private final int sessionMode;
    private final LocalTransaction txn;
    private final boolean inJta;
    private volatile boolean closed;

    JmsContextImpl(ConnectionHandle connection, int sessionMode) {
        this(connection, sessionMode, null, false);
    }

    JmsContextImpl(ConnectionHandle connection, int sessionMode, LocalTransaction txn, boolean inJta) {
        this.connection = connection;
        this.sessionMode = sessionMode;
        this.txn = txn;
        this.inJta = inJta;
    }

    ConnectionHandle connection() {
        if (closed) {
            throw new IllegalStateRuntimeException("this JMSContext is closed");
        }
        return connection;
    }

    static JMSRuntimeException unsupported(String what) {
        return new JMSRuntimeException(what + " is not supported by Tributary: it offers topics (Kafka semantics), "
                + "sending through JMSProducer and receiving through MDBs");
    }

    @Override public JMSProducer createProducer() { connection(); return new JmsProducerImpl(this); }
    @Override public Topic createTopic(String name) {
        if (name == null || name.isBlank()) {
            throw new JMSRuntimeException("a topic needs a name");
        }
        return new TopicImpl(name);
    }
    @Override public TextMessage createTextMessage() { return new TextMessageImpl(null); }
    @Override public TextMessage createTextMessage(String text) { return new TextMessageImpl(text); }
    @Override public BytesMessage createBytesMessage() { return new BytesMessageImpl(); }
    @Override public MapMessage createMapMessage() { return new MapMessageImpl(); }
    @Override public Message createMessage() { return new TextMessageImpl(null); }
    @Override public ObjectMessage createObjectMessage() { throw unsupported("ObjectMessage (Java serialization)"); }
    @Override public ObjectMessage createObjectMessage(Serializable o) { throw unsupported("ObjectMessage (Java serialization)"); }
    @Override public StreamMessage createStreamMessage() { throw unsupported("StreamMessage"); }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (txn != null) {
                txn.rollback(); // what was not committed is discarded
            }
        } catch (ResourceException e) {
            // the connection is closed below either way
        }
        try {
            connection.close();
        } catch (ResourceException e) {
            JMSRuntimeException x = new JMSRuntimeException("closing the Tributary connection failed: " + e.getMessage());
            x.initCause(e);
            throw x;
        }
    }

    @Override public JMSContext createContext(int mode) { throw unsupported("JMSContext.createContext (a second session on one connection)"); }
    @Override public String getClientID() { return null; }
    @Override public void setClientID(String id) { throw unsupported("setClientID"); }
    @Override public ConnectionMetaData getMetaData() { return new Meta(); }
    @Override public ExceptionListener getExceptionListener() { return null; }
    @Override public void setExceptionListener(ExceptionListener l) { throw unsupported("ExceptionListener"); }
    @Override public void start() { }
    @Override public void stop() { }
    @Override public void setAutoStart(boolean autoStart) { }
    @Override public boolean getAutoStart() { return true; }
    @Override public boolean getTransacted() { return txn != null; }
    @Override public int getSessionMode() { return txn != null ? SESSION_TRANSACTED : sessionMode == SESSION_TRANSACTED ? AUTO_ACKNOWLEDGE : sessionMode; }

    @Override
    public void commit() {
        end(true);
    }

    @Override
    public void rollback() {
        end(false);
    }

    private void end(boolean commit) {
        connection();
        if (inJta) {
            throw new TransactionInProgressRuntimeException("this JMSContext takes part in a JTA transaction; the transaction manager commits it");
        }
        if (txn == null) {
            throw new IllegalStateRuntimeException("this JMSContext is not transacted");
        }
        try {
            if (commit) {
                txn.commit();
            } else {
                txn.rollback();
            }
        } catch (ResourceException e) {
            beginQuietly();
            if (commit) {
                TransactionRolledBackRuntimeException x = new TransactionRolledBackRuntimeException(
                        "the transaction could not be committed and was rolled back: " + e.getMessage());
                x.initCause(e);
                throw x;
            }
            throw JmsConnectionFactoryImpl.jms("rolling back failed: " + e.getMessage(), e);
        }
        try {
            txn.begin();
        } catch (ResourceException e) {
            throw JmsConnectionFactoryImpl.jms("beginning the next transaction failed: " + e.getMessage(), e);
        }
    }

    private void beginQuietly() {
        try {
            txn.begin();
        } catch (ResourceException e) {
            // the next send reports the broken connection
        }
    }
    @Override public void recover() { throw unsupported("recover"); }
    @Override public void acknowledge() { }
    @Override public JMSConsumer createConsumer(Destination d) { throw unsupported("JMSConsumer (receive with an MDB)"); }
    @Override public JMSConsumer createConsumer(Destination d, String s) { throw unsupported("JMSConsumer (receive with an MDB)"); }
    @Override public JMSConsumer createConsumer(Destination d, String s, boolean noLocal) { throw unsupported("JMSConsumer (receive with an MDB)"); }
    @Override public JMSConsumer createDurableConsumer(Topic t, String n) { throw unsupported("a durable JMSConsumer (receive with an MDB)"); }
    @Override public JMSConsumer createDurableConsumer(Topic t, String n, String s, boolean noLocal) { throw unsupported("a durable JMSConsumer (receive with an MDB)"); }
    @Override public JMSConsumer createSharedDurableConsumer(Topic t, String n) { throw unsupported("a shared durable JMSConsumer (receive with an MDB)"); }
    @Override public JMSConsumer createSharedDurableConsumer(Topic t, String n, String s) { throw unsupported("a shared durable JMSConsumer (receive with an MDB)"); }
    @Override public JMSConsumer createSharedConsumer(Topic t, String n) { throw unsupported("a shared JMSConsumer (receive with an MDB)"); }
    @Override public JMSConsumer createSharedConsumer(Topic t, String n, String s) { throw unsupported("a shared JMSConsumer (receive with an MDB)"); }
    @Override public Queue createQueue(String name) { throw unsupported("Queue '" + name + "' (queues' exclusive point-to-point semantics)"); }
    @Override public QueueBrowser createBrowser(Queue q) { throw unsupported("QueueBrowser"); }
    @Override public QueueBrowser createBrowser(Queue q, String s) { throw unsupported("QueueBrowser"); }
    @Override public TemporaryQueue createTemporaryQueue() { throw unsupported("TemporaryQueue (temporary destinations)"); }
    @Override public TemporaryTopic createTemporaryTopic() { throw unsupported("TemporaryTopic (temporary destinations)"); }
    @Override public void unsubscribe(String name) { throw unsupported("unsubscribe (consumer groups are managed with Kafka tools)"); }

    private static final class Meta implements ConnectionMetaData {
        @Override public String getJMSVersion() { return "3.1"; }
        @Override public int getJMSMajorVersion() { return 3; }
        @Override public int getJMSMinorVersion() { return 1; }
        @Override public String getJMSProviderName() { return "Tributary"; }
        @Override public String getProviderVersion() { return "0.1"; }
        @Override public int getProviderMajorVersion() { return 0; }
        @Override public int getProviderMinorVersion() { return 1; }
        @Override public Enumeration<String> getJMSXPropertyNames() {
            return java.util.Collections.enumeration(List.of("JMSXGroupID", "JMSXDeliveryCount"));
        }
    }
}
