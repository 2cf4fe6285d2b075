package org.tributary.txn;

import org.apache.kafka.common.protocol.Errors;

/**
 * Kafka 4.3.1's broker side of KIP-939 (two-phase commit with an external transaction manager), as
 * pure rules. A producer asks for it with InitProducerId v6 {@code enable_2pc}; the coordinator then
 * ignores the requested timeout and records {@link #TIMEOUT_MS} ({@code Integer.MAX_VALUE}) as the
 * transaction timeout. That value is the mark of a two-phase-commit transactional id: it is written
 * to {@code __transaction_state} like any timeout, so it survives coordinator failover, and the
 * timeout check never aborts such a transaction (Kafka's
 * {@code TransactionMetadata.isDistributedTwoPhaseCommitTxn}).
 *
 * <p>{@code keep_prepared_txn} (keep the open transaction of a previous producer instance so that
 * the external manager can still commit it) is refused with UNSUPPORTED_VERSION, as Kafka 4.3.1's
 * coordinator refuses it: the 4.3.1 clients never send it (their InitProducerId stops at v5, v6
 * being marked unstable, and {@code KafkaProducer} has no {@code initTransactions(boolean)}).
 */
final class TwoPhaseCommit {
    /** The transaction timeout of a two-phase-commit transactional id. */
    static final int TIMEOUT_MS = Integer.MAX_VALUE;

    private TwoPhaseCommit() {
    }

    /**
     * Kafka's checks of the InitProducerId flags, in its order: 2PC asked while the broker does not
     * allow it ({@code transaction.two.phase.commit.enable=false}) is TRANSACTIONAL_ID_AUTHORIZATION_FAILED
     * (not a distinct error, so a client cannot probe the setting), then {@code keep_prepared_txn} is
     * UNSUPPORTED_VERSION; NONE otherwise.
     */
    static Errors check(boolean brokerEnabled, boolean enable2Pc, boolean keepPreparedTxn) {
        if (enable2Pc && !brokerEnabled) {
            return Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
        }
        if (keepPreparedTxn) {
            return Errors.UNSUPPORTED_VERSION;
        }
        return Errors.NONE;
    }

    /** Whether {@code t} belongs to a two-phase-commit producer: its transactions never time out. */
    static boolean isTwoPhase(TxnSnapshot t) {
        return t.timeoutMs() == TIMEOUT_MS;
    }
}
