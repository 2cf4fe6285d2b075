package org.tributary.jca.outbound;

import jakarta.resource.ResourceException;
import jakarta.resource.spi.ConnectionEvent;
import jakarta.resource.spi.IllegalStateException;
import jakarta.resource.spi.LocalTransaction;
import org.tributary.jca.ConsumedInTransaction;

/**
 * The local transaction of a transactional connection: one Kafka transaction of its producer
 * (begin, commit, abort). The container drives it through the SPI ({@link LocalTransaction});
 * an application (or a transacted JMSContext) through {@link #application}, which also tells the
 * container with {@code LOCAL_TRANSACTION_*} events, as the Connectors specification requires.
 * A transaction the container begins while it delivers a record to an MDB of this adapter on the
 * same thread also carries that record's consumed position ({@link ConsumedInTransaction}): it is
 * committed with {@code sendOffsetsToTransaction} just before the Kafka transaction commits.
 */
final class LocalTxn implements LocalTransaction {
    private final TributaryManagedConnection mc;
    private volatile boolean active;
    private volatile boolean byApplication;
    /** The MDB delivery whose consumed position this transaction commits, if the container began it during one. */
    private ConsumedInTransaction consumed;

    LocalTxn(TributaryManagedConnection mc) {
        this.mc = mc;
    }

    boolean active() {
        return active;
    }

    void sent() {
        // a local transaction has no read-only vote; nothing to count
    }

    @Override
    public void begin() throws ResourceException {
        start(false);
    }

    @Override
    public void commit() throws ResourceException {
        finish(true, false);
    }

    @Override
    public void rollback() throws ResourceException {
        finish(false, false);
    }

    private synchronized void start(boolean application) throws ResourceException {
        if (active) {
            throw new IllegalStateException("a local transaction is already running on this connection");
        }
        if (mc.inXaBranch()) {
            throw new IllegalStateException("this connection takes part in an XA transaction; no local transaction can start");
        }
        try {
            mc.txnProducer().begin();
        } catch (RuntimeException e) {
            throw mc.failure(e, "beginning the Kafka transaction");
        }
        active = true;
        byApplication = application;
        consumed = application ? null : ConsumedInTransaction.claim();
    }

    private synchronized void finish(boolean commit, boolean application) throws ResourceException {
        if (!active) {
            throw new IllegalStateException("no local transaction is running on this connection");
        }
        if (application != byApplication) {
            throw new IllegalStateException("this local transaction was begun by the "
                    + (byApplication ? "application" : "container") + " and must be ended by it");
        }
        active = false;
        ConsumedInTransaction position = consumed;
        consumed = null;
        if (commit) {
            try {
                if (position != null) {
                    mc.txnProducer().sendOffsets(position.offsets(), position.groupMetadata());
                }
                mc.txnProducer().commit();
            } catch (RuntimeException e) {
                mc.abortQuietly();
                throw mc.failure(e, "committing the Kafka transaction" + (position == null ? "" : " with the consumed position "
                        + position.offsets()) + " (it was aborted)");
            }
            if (position != null) {
                position.committed();
            }
        } else {
            try {
                mc.txnProducer().abort();
            } catch (RuntimeException e) {
                throw mc.failure(e, "aborting the Kafka transaction");
            }
        }
    }

    /** An application-demarcated transaction left open when the connection is cleaned up is aborted. */
    synchronized void discardApplicationTransaction() {
        if (active && byApplication) {
            active = false;
            consumed = null;
            mc.abortQuietly();
        }
    }

    /** The application's view ({@code jakarta.resource.cci.LocalTransaction}) through handle {@code h}. */
    jakarta.resource.cci.LocalTransaction application(ConnectionHandle h) {
        return new jakarta.resource.cci.LocalTransaction() {
            @Override
            public void begin() throws ResourceException {
                start(true);
                mc.fire(ConnectionEvent.LOCAL_TRANSACTION_STARTED, h);
            }

            @Override
            public void commit() throws ResourceException {
                try {
                    finish(true, true);
                } catch (ResourceException | RuntimeException e) {
                    mc.fire(ConnectionEvent.LOCAL_TRANSACTION_ROLLEDBACK, h);
                    throw e;
                }
                mc.fire(ConnectionEvent.LOCAL_TRANSACTION_COMMITTED, h);
            }

            @Override
            public void rollback() throws ResourceException {
                try {
                    finish(false, true);
                } finally {
                    mc.fire(ConnectionEvent.LOCAL_TRANSACTION_ROLLEDBACK, h);
                }
            }
        };
    }

    boolean byApplication() {
        return active && byApplication;
    }
}
