package org.tributary.jca.outbound;

/** One XA branch on one transactional producer: what it did and where it stands. */
final class XaBranch {
    enum State { ACTIVE, SUSPENDED, ENDED, ROLLBACK_ONLY, PREPARED }

    final XidValue xid;
    final TxnProducer producer;
    /** The connection whose producer runs the branch; {@code null} for a branch found by recovery. */
    final TributaryManagedConnection owner;
    final long startedAtMs;
    volatile State state;
    volatile int sent;

    XaBranch(XidValue xid, TxnProducer producer, TributaryManagedConnection owner, long startedAtMs, State state) {
        this.xid = xid;
        this.producer = producer;
        this.owner = owner;
        this.startedAtMs = startedAtMs;
        this.state = state;
    }
}
