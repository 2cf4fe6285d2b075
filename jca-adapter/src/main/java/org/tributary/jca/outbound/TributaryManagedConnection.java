package org.tributary.jca.outbound;

import jakarta.resource.NotSupportedException;
import jakarta.resource.ResourceException;
import jakarta.resource.spi.ConnectionEvent;
import jakarta.resource.spi.ConnectionEventListener;
import jakarta.resource.spi.ConnectionRequestInfo;
import jakarta.resource.spi.LocalTransaction;
import jakarta.resource.spi.ManagedConnection;
import jakarta.resource.spi.ManagedConnectionMetaData;
import jakarta.resource.spi.TransactionSupport.TransactionSupportLevel;
import java.io.PrintWriter;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Logger;
import javax.security.auth.Subject;
import javax.transaction.xa.XAResource;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.errors.UnsupportedVersionException;

/**
 * A pooled connection. With {@code NoTransaction} its physical resource is the shared producer,
 * which it borrows and never closes. With {@code LocalTransaction} or {@code XATransaction} it owns
 * a transactional producer with a stable transactional id ({@link TxnResourceManager}) and takes
 * part in the container's local or XA transactions ({@link LocalTxn}, {@link TributaryXAResource});
 * sends outside any transaction then commit one by one. A fenced producer (another producer took
 * its transactional id) fails the connection with a {@code CONNECTION_ERROR_OCCURRED} event so the
 * pool destroys it.
 */
final class TributaryManagedConnection implements ManagedConnection {
    private static final Logger LOG = Logger.getLogger(TributaryManagedConnection.class.getName());

    private final TributaryManagedConnectionFactory factory;
    private final Producer<byte[], byte[]> producer;
    private final TxnProducer txn;
    private final TxnResourceManager rm;
    private final TransactionSupportLevel level;
    private final TributaryXAResource xa;
    private final LocalTxn local = new LocalTxn(this);
    private final List<ConnectionEventListener> listeners = new CopyOnWriteArrayList<>();
    private final Set<ConnectionHandle> handles = ConcurrentHashMap.newKeySet();
    private volatile boolean failed;
    private PrintWriter logWriter;

    /** A {@code NoTransaction} connection over a shared producer. */
    TributaryManagedConnection(TributaryManagedConnectionFactory factory, Producer<byte[], byte[]> producer) {
        this.factory = factory;
        this.producer = producer;
        this.txn = null;
        this.rm = null;
        this.level = TransactionSupportLevel.NoTransaction;
        this.xa = null;
    }

    /** A transactional connection owning {@code txn} (already initialised). */
    TributaryManagedConnection(TributaryManagedConnectionFactory factory, TxnProducer txn, TxnResourceManager rm,
            TransactionSupportLevel level) {
        this.factory = factory;
        this.producer = txn.producer();
        this.txn = txn;
        this.rm = rm;
        this.level = level;
        this.xa = level == TransactionSupportLevel.XATransaction ? new TributaryXAResource(this, rm) : null;
    }

    TributaryManagedConnectionFactory factory() {
        return factory;
    }

    Producer<byte[], byte[]> producer() {
        return producer;
    }

    TxnProducer txnProducer() {
        return txn;
    }

    TributaryXAResource xaResource() {
        return xa;
    }

    LocalTxn local() {
        return local;
    }

    boolean transactional() {
        return txn != null;
    }

    /**
     * Called before every send: {@code true} if the send joins a running transaction (counted, so
     * an XA branch that sent nothing can vote read-only), {@code false} if it must commit on its own.
     */
    boolean joinTransaction() throws ResourceException {
        if (txn == null) {
            return true;
        }
        if (local.active()) {
            local.sent();
            return true;
        }
        if (xa != null) {
            XaBranch b = xa.active();
            if (b != null) {
                b.sent++;
                return true;
            }
            if (xa.busy()) {
                throw new jakarta.resource.spi.IllegalStateException(
                        "this connection's XA branch has ended; it cannot send until the branch completes");
            }
        }
        return false;
    }

    /** A send outside any transaction on a transactional connection: its own Kafka transaction. */
    synchronized <T> T autoCommit(SendCall<T> send) throws ResourceException {
        try {
            txn.begin();
        } catch (RuntimeException e) {
            throw failure(e, "beginning a Kafka transaction");
        }
        T result;
        try {
            result = send.call();
        } catch (ResourceException | RuntimeException e) {
            abortQuietly();
            throw e;
        }
        try {
            txn.commit();
        } catch (RuntimeException e) {
            abortQuietly();
            throw failure(e, "committing the Kafka transaction of a send");
        }
        return result;
    }

    /** A send to run inside {@link #autoCommit}. */
    interface SendCall<T> {
        T call() throws ResourceException;
    }

    void checkNoLocalTransaction() throws javax.transaction.xa.XAException {
        if (local.active()) {
            javax.transaction.xa.XAException e = new javax.transaction.xa.XAException(
                    "this connection runs a local transaction; it cannot start an XA branch");
            e.errorCode = javax.transaction.xa.XAException.XAER_OUTSIDE;
            throw e;
        }
    }

    boolean inXaBranch() {
        return xa != null && xa.busy();
    }

    void abortQuietly() {
        try {
            txn.abort();
        } catch (RuntimeException e) {
            if (fatal(e)) {
                failed(e);
            }
        }
    }

    ResourceException failure(RuntimeException e, String what) {
        if (fatal(e)) {
            failed(e);
        }
        return new ResourceException(what + " failed: " + e, e);
    }

    /** Errors after which the producer is unusable (Kafka closes such a producer; so does the pool). */
    static boolean fatal(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ProducerFencedException || t instanceof TransactionalIdAuthorizationException
                    || t instanceof UnsupportedVersionException) {
                return true;
            }
        }
        return false;
    }

    /** Tells the pool this connection is broken so it destroys it instead of reusing it. */
    void failed(Throwable e) {
        if (failed) {
            return;
        }
        failed = true;
        LOG.warning("TRIB-JCA-064 connection " + (txn == null ? "" : txn.transactionalId() + " ") + "failed and is discarded: " + e);
        Exception cause = e instanceof Exception x ? x : new RuntimeException(e);
        ConnectionEvent ev = new ConnectionEvent(this, ConnectionEvent.CONNECTION_ERROR_OCCURRED, cause);
        for (ConnectionEventListener l : listeners) {
            l.connectionErrorOccurred(ev);
        }
    }

    void fire(int eventId, ConnectionHandle h) {
        ConnectionEvent e = new ConnectionEvent(this, eventId);
        e.setConnectionHandle(h);
        for (ConnectionEventListener l : listeners) {
            switch (eventId) {
                case ConnectionEvent.LOCAL_TRANSACTION_STARTED -> l.localTransactionStarted(e);
                case ConnectionEvent.LOCAL_TRANSACTION_COMMITTED -> l.localTransactionCommitted(e);
                case ConnectionEvent.LOCAL_TRANSACTION_ROLLEDBACK -> l.localTransactionRolledback(e);
                default -> l.connectionClosed(e);
            }
        }
    }

    @Override
    public Object getConnection(Subject subject, ConnectionRequestInfo info) {
        ConnectionHandle h = new ConnectionHandle(this, factory.sendTimeoutMillis());
        handles.add(h);
        return h;
    }

    /** A handle was closed by the application: tell the pool the connection is free again. */
    void closed(ConnectionHandle h) {
        handles.remove(h);
        fire(ConnectionEvent.CONNECTION_CLOSED, h);
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
        local.discardApplicationTransaction();
    }

    @Override
    public void destroy() {
        cleanup();
        if (txn != null) {
            if (xa != null) {
                xa.connectionGone();
            }
            try {
                txn.close();
            } catch (RuntimeException e) {
                LOG.fine("closing " + txn.transactionalId() + ": " + e);
            }
            rm.release(txn.transactionalId());
        }
    }

    @Override public void addConnectionEventListener(ConnectionEventListener l) { listeners.add(l); }
    @Override public void removeConnectionEventListener(ConnectionEventListener l) { listeners.remove(l); }

    @Override
    public XAResource getXAResource() throws ResourceException {
        if (xa == null) {
            throw new NotSupportedException("this Tributary connection factory is configured for " + level
                    + "; XA needs transactionSupportLevel=XATransaction");
        }
        return xa;
    }

    @Override
    public LocalTransaction getLocalTransaction() throws ResourceException {
        if (txn == null) {
            throw new NotSupportedException("this Tributary connection factory is configured for NoTransaction; "
                    + "local transactions need transactionSupportLevel=LocalTransaction or XATransaction");
        }
        return local;
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
