package org.tributary.jca.outbound;

import jakarta.resource.NotSupportedException;
import jakarta.resource.ResourceException;
import jakarta.resource.spi.ConnectionEvent;
import jakarta.resource.spi.ConnectionEventListener;
import jakarta.resource.spi.ConnectionRequestInfo;
import jakarta.resource.spi.LocalTransaction;
import jakarta.resource.spi.ManagedConnection;
import jakarta.resource.spi.ManagedConnectionMetaData;
import java.io.PrintWriter;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ConcurrentHashMap;
import javax.security.auth.Subject;
import javax.transaction.xa.XAResource;
import org.apache.kafka.clients.producer.Producer;

/**
 * A pooled connection. Its physical resource is the shared producer, which it borrows and never
 * closes; what it owns is its handles. No transactions: {@link #getXAResource()} and
 * {@link #getLocalTransaction()} refuse; an XA variant would own a transactional producer here.
 */
final class TributaryManagedConnection implements ManagedConnection {
    private final TributaryManagedConnectionFactory factory;
    private final Producer<byte[], byte[]> producer;
    private final List<ConnectionEventListener> listeners = new CopyOnWriteArrayList<>();
    private final Set<ConnectionHandle> handles = ConcurrentHashMap.newKeySet();
    private PrintWriter logWriter;

    TributaryManagedConnection(TributaryManagedConnectionFactory factory, Producer<byte[], byte[]> producer) {
        this.factory = factory;
        this.producer = producer;
    }

    TributaryManagedConnectionFactory factory() {
        return factory;
    }

    @Override
    public Object getConnection(Subject subject, ConnectionRequestInfo info) {
        ConnectionHandle h = new ConnectionHandle(this, producer, factory.sendTimeoutMillis());
        handles.add(h);
        return h;
    }

    /** A handle was closed by the application: tell the pool the connection is free again. */
    void closed(ConnectionHandle h) {
        handles.remove(h);
        ConnectionEvent e = new ConnectionEvent(this, ConnectionEvent.CONNECTION_CLOSED);
        e.setConnectionHandle(h);
        for (ConnectionEventListener l : listeners) {
            l.connectionClosed(e);
        }
    }

    @Override
    public void associateConnection(Object connection) throws ResourceException {
        if (!(connection instanceof ConnectionHandle h)) {
            throw new ResourceException("not a Tributary connection: " + connection);
        }
        h.reassociate(this);
        handles.add(h);
    }

    @Override
    public void cleanup() {
        for (ConnectionHandle h : handles) {
            h.invalidate();
        }
        handles.clear();
    }

    @Override
    public void destroy() {
        cleanup();
    }

    @Override public void addConnectionEventListener(ConnectionEventListener l) { listeners.add(l); }
    @Override public void removeConnectionEventListener(ConnectionEventListener l) { listeners.remove(l); }

    @Override
    public XAResource getXAResource() throws ResourceException {
        throw new NotSupportedException("Tributary connections do not take part in XA transactions (NoTransaction)");
    }

    @Override
    public LocalTransaction getLocalTransaction() throws ResourceException {
        throw new NotSupportedException("Tributary connections do not support local transactions (NoTransaction)");
    }

    @Override
    public ManagedConnectionMetaData getMetaData() {
        return new ManagedConnectionMetaData() {
            @Override public String getEISProductName() { return "Kafka-compatible cluster"; }
            @Override public String getEISProductVersion() { return "Kafka protocol"; }
            @Override public int getMaxConnections() { return 0; }
            @Override public String getUserName() { return null; }
        };
    }

    @Override public void setLogWriter(PrintWriter out) { logWriter = out; }
    @Override public PrintWriter getLogWriter() { return logWriter; }
}
