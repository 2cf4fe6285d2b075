package org.tributary.jca.outbound;

import java.util.List;
import java.util.logging.Logger;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import org.tributary.jca.outbound.XaBranch.State;

/**
 * The XA resource of one managed connection: a branch is one Kafka transaction of the connection's
 * producer. start begins it, prepare flushes and prepares it (KIP-939; the Xid is recorded first,
 * see {@link RecoveryLog}), commit and rollback end it. A branch that sent nothing votes
 * {@code XA_RDONLY}. Branches are looked up in the pool's {@link TxnResourceManager}, so commit,
 * rollback and recover work through any connection of the pool, also after a restart.
 * {@link #isSameRM} is true only for itself: two connections' producers cannot share one Kafka
 * transaction, so a transaction manager must never join them into one branch.
 */
final class TributaryXAResource implements XAResource {
    private static final Logger LOG = Logger.getLogger(TributaryXAResource.class.getName());

    private final TributaryManagedConnection mc;
    private final TxnResourceManager rm;
    private volatile int timeoutSeconds;
    /** The branch this connection's producer runs (started and not yet completed), if any. */
    private volatile XaBranch current;

    TributaryXAResource(TributaryManagedConnection mc, TxnResourceManager rm) {
        this.mc = mc;
        this.rm = rm;
    }

    /** The branch sends should join: started and not ended. */
    XaBranch active() {
        XaBranch b = current;
        return b != null && b.state == State.ACTIVE ? b : null;
    }

    boolean busy() {
        return current != null;
    }

    @Override
    public void start(Xid xid, int flags) throws XAException {
        XidValue x = XidValue.of(xid);
        if ((flags & (TMJOIN | TMRESUME)) != 0) {
            XaBranch b = rm.branch(x);
            if (b == null) {
                throw xa(XAException.XAER_NOTA, "no branch " + x + " to join or resume");
            }
            if (b != current || b.state == State.PREPARED || b.state == State.ACTIVE) {
                throw xa(XAException.XAER_PROTO, "branch " + x + " cannot be joined or resumed on this connection (" + b.state + ")");
            }
            if (b.state == State.ROLLBACK_ONLY) {
                throw xa(XAException.XA_RBROLLBACK, "branch " + x + " is marked rollback-only");
            }
            b.state = State.ACTIVE;
            return;
        }
        if (current != null) {
            throw xa(XAException.XAER_PROTO, "this connection still runs branch " + current.xid + "; a Kafka producer runs one transaction at a time");
        }
        if (rm.branch(x) != null) {
            throw xa(XAException.XAER_DUPID, "branch " + x + " exists");
        }
        mc.checkNoLocalTransaction();
        XaBranch b = new XaBranch(x, mc.txnProducer(), mc, rm.now(), State.ACTIVE);
        try {
            b.producer.begin();
        } catch (RuntimeException e) {
            throw failure(b, e, "beginning the Kafka transaction for " + x);
        }
        if (!rm.register(b)) {
            throw xa(XAException.XAER_DUPID, "branch " + x + " exists");
        }
        current = b;
    }

    @Override
    public void end(Xid xid, int flags) throws XAException {
        XaBranch b = mine(xid);
        if (b.state != State.ACTIVE && !(b.state == State.SUSPENDED && (flags & TMSUCCESS) != 0)) {
            throw xa(XAException.XAER_PROTO, "branch " + b.xid + " is " + b.state + ", not active");
        }
        if ((flags & TMFAIL) != 0) {
            b.state = State.ROLLBACK_ONLY;
        } else if ((flags & TMSUSPEND) != 0) {
            b.state = State.SUSPENDED;
        } else {
            b.state = State.ENDED;
        }
    }

    @Override
    public int prepare(Xid xid) throws XAException {
        XaBranch b = known(xid);
        if (b.state == State.ROLLBACK_ONLY || timedOut(b)) {
            int code = b.state == State.ROLLBACK_ONLY ? XAException.XA_RBROLLBACK : XAException.XA_RBTIMEOUT;
            abortQuietly(b);
            throw xa(code, "branch " + b.xid + (code == XAException.XA_RBTIMEOUT ? " timed out" : " is rollback-only") + "; rolled back");
        }
        if (b.state != State.ENDED) {
            throw xa(XAException.XAER_PROTO, "branch " + b.xid + " is " + b.state + "; prepare needs an ended branch");
        }
        if (b.sent == 0) { // nothing to make durable: the (local, never sent) Kafka transaction is dropped
            abortQuietly(b);
            return XA_RDONLY;
        }
        String tid = b.producer.transactionalId();
        try {
            rm.log().record(tid, b.xid);
        } catch (RuntimeException e) {
            abortQuietly(b);
            throw xa(XAException.XA_RBROLLBACK, "recording branch " + b.xid + " for recovery failed (" + e.getMessage() + "); rolled back");
        }
        try {
            TwoPhase.State s = b.producer.prepare();
            b.state = State.PREPARED;
            try {
                rm.log().prepared(tid, b.xid, s);
            } catch (RuntimeException e) {
                // the first record (Xid alone) already makes the branch recoverable
                LOG.warning("TRIB-JCA-066 cannot add the prepared state of " + b.xid + " to its recovery record: " + e);
            }
            LOG.fine(() -> "prepared " + b.xid + " on " + tid + " (" + s + ")");
            return XA_OK;
        } catch (RuntimeException e) {
            if (TributaryManagedConnection.fatal(e)) {
                throw failure(b, e, "preparing " + b.xid); // the record stays: recovery decides
            }
            abortQuietly(b);
            throw xa(XAException.XA_RBROLLBACK, "preparing " + b.xid + " failed: " + e + "; rolled back");
        }
    }

    @Override
    public void commit(Xid xid, boolean onePhase) throws XAException {
        XaBranch b = known(xid);
        if (onePhase) {
            if (b.state == State.PREPARED || b.state == State.ACTIVE) {
                throw xa(XAException.XAER_PROTO, "one-phase commit of branch " + b.xid + " which is " + b.state);
            }
            if (b.state == State.ROLLBACK_ONLY || timedOut(b)) {
                abortQuietly(b);
                throw xa(XAException.XA_RBROLLBACK, "branch " + b.xid + " was rolled back (rollback-only or timed out)");
            }
            try {
                b.producer.commit();
            } catch (RuntimeException e) {
                if (TributaryManagedConnection.fatal(e)) {
                    throw failure(b, e, "committing " + b.xid);
                }
                abortQuietly(b);
                throw xa(XAException.XA_RBROLLBACK, "committing " + b.xid + " failed: " + e + "; rolled back");
            }
            done(b);
            return;
        }
        if (b.state != State.PREPARED) {
            throw xa(XAException.XAER_PROTO, "two-phase commit of branch " + b.xid + " which is " + b.state + ", not prepared");
        }
        try {
            b.producer.commit();
        } catch (RuntimeException e) {
            throw failure(b, e, "committing prepared branch " + b.xid); // still prepared: the record stays for recovery
        }
        rm.log().forget(b.producer.transactionalId());
        done(b);
    }

    @Override
    public void rollback(Xid xid) throws XAException {
        XaBranch b = known(xid);
        try {
            b.producer.abort();
        } catch (RuntimeException e) {
            throw failure(b, e, "rolling back " + b.xid);
        }
        if (b.state == State.PREPARED) {
            rm.log().forget(b.producer.transactionalId());
        }
        done(b);
    }

    @Override
    public Xid[] recover(int flag) throws XAException {
        if ((flag & TMSTARTRSCAN) == 0) {
            return new Xid[0]; // the whole list is returned by the start of the scan
        }
        try {
            List<XidValue> xids = rm.recover();
            return xids.toArray(Xid[]::new);
        } catch (RuntimeException e) {
            throw xa(XAException.XAER_RMFAIL, "recovery of " + rm.base() + " failed: " + e);
        }
    }

    @Override
    public void forget(Xid xid) throws XAException {
        throw xa(XAException.XAER_NOTA, "Tributary never completes a branch heuristically; nothing to forget for " + XidValue.of(xid));
    }

    @Override
    public boolean isSameRM(XAResource other) {
        return other == this;
    }

    @Override
    public int getTransactionTimeout() {
        return timeoutSeconds;
    }

    @Override
    public boolean setTransactionTimeout(int seconds) throws XAException {
        if (seconds < 0) {
            throw xa(XAException.XAER_INVAL, "negative transaction timeout " + seconds);
        }
        timeoutSeconds = seconds;
        return true;
    }

    /** The connection is being destroyed: abort an unprepared branch; a prepared one is left to recovery. */
    void connectionGone() {
        XaBranch b = current;
        if (b == null) {
            return;
        }
        if (b.state == State.PREPARED) {
            rm.orphaned(b);
        } else {
            abortQuietly(b);
        }
        current = null;
    }

    private boolean timedOut(XaBranch b) {
        return timeoutSeconds > 0 && rm.now() - b.startedAtMs > timeoutSeconds * 1000L;
    }

    private XaBranch known(Xid xid) throws XAException {
        XaBranch b = rm.branch(XidValue.of(xid));
        if (b == null) {
            throw xa(XAException.XAER_NOTA, "unknown branch " + XidValue.of(xid));
        }
        return b;
    }

    private XaBranch mine(Xid xid) throws XAException {
        XaBranch b = known(xid);
        if (b != current) {
            throw xa(XAException.XAER_PROTO, "branch " + b.xid + " does not run on this connection");
        }
        return b;
    }

    private void abortQuietly(XaBranch b) {
        try {
            b.producer.abort();
        } catch (RuntimeException e) {
            if (TributaryManagedConnection.fatal(e) && b.owner != null) {
                b.owner.failed(e);
            }
        }
        done(b);
    }

    private void done(XaBranch b) {
        rm.completed(b);
        if (b.owner != null) {
            b.owner.xaResource().clear(b);
        }
    }

    private void clear(XaBranch b) {
        if (current == b) {
            current = null;
        }
    }

    private static XAException failure(XaBranch b, RuntimeException e, String what) {
        if (b.owner != null && TributaryManagedConnection.fatal(e)) {
            b.owner.failed(e);
        }
        return xa(XAException.XAER_RMFAIL, what + " failed: " + e);
    }

    private static XAException xa(int code, String message) {
        XAException e = new XAException(message);
        e.errorCode = code;
        return e;
    }
}
