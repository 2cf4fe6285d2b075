package org.tributary.txn;

/**
 * The states of a transactional id, as Kafka's TransactionState, with the ids its
 * {@code __transaction_state} records carry. Empty: no transaction yet (or a fresh epoch);
 * Ongoing: partitions added; PrepareCommit/PrepareAbort: the decision is durable and markers are
 * being written; CompleteCommit/CompleteAbort: every marker written; Dead: expired (tombstoned).
 * PrepareEpochFence is Kafka's transient state while an old epoch's transaction is being aborted:
 * here that abort is written directly as PrepareAbort with the bumped epoch, so it never appears.
 */
public enum TxnState {
    EMPTY(0, "Empty"),
    ONGOING(1, "Ongoing"),
    PREPARE_COMMIT(2, "PrepareCommit"),
    PREPARE_ABORT(3, "PrepareAbort"),
    COMPLETE_COMMIT(4, "CompleteCommit"),
    COMPLETE_ABORT(5, "CompleteAbort"),
    DEAD(6, "Dead"),
    PREPARE_EPOCH_FENCE(7, "PrepareEpochFence");

    private final byte id;
    private final String kafkaName;

    TxnState(int id, String kafkaName) {
        this.id = (byte) id;
        this.kafkaName = kafkaName;
    }

    public byte id() {
        return id;
    }

    /** The name Kafka's DescribeTransactions and ListTransactions use. */
    public String kafkaName() {
        return kafkaName;
    }

    public static TxnState fromId(byte id) {
        for (TxnState s : values()) {
            if (s.id == id) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown transaction state id " + id);
    }

    /** The state named as Kafka names it (case-insensitive), or null. */
    public static TxnState parse(String name) {
        for (TxnState s : values()) {
            if (s.kafkaName.equalsIgnoreCase(name)) {
                return s;
            }
        }
        return null;
    }

    /** PrepareCommit or PrepareAbort: markers are being written. */
    public boolean preparing() {
        return this == PREPARE_COMMIT || this == PREPARE_ABORT;
    }

    /** Empty, CompleteCommit or CompleteAbort: no transaction open, a new one may begin. */
    public boolean idle() {
        return this == EMPTY || this == COMPLETE_COMMIT || this == COMPLETE_ABORT;
    }
}
