package org.tributary.txn;

import org.tributary.config.BrokerConfig;

/**
 * Broker settings of the transaction coordinator, with Kafka's names and defaults.
 *
 * @param maxTimeoutMs {@code transaction.max.timeout.ms}: larger client timeouts are refused (INVALID_TRANSACTION_TIMEOUT)
 * @param abortTimedOutIntervalMs {@code transaction.abort.timed.out.transaction.cleanup.interval.ms}
 * @param idExpirationMs {@code transactional.id.expiration.ms}: idle transactional ids are removed after this
 * @param idExpirationIntervalMs {@code transaction.remove.expired.transaction.cleanup.interval.ms}
 * @param writeTimeoutMs how long a write to {@code __transaction_state} waits for the in-sync replicas
 *        ({@code offsets.commit.timeout.ms}'s role; Kafka uses the request timeout)
 * @param markerRetryBackoffMs how long a marker that failed with a retriable error waits before it is sent again
 * @param twoPhaseCommitEnable {@code transaction.two.phase.commit.enable} (KIP-939, default false): whether producers may
 *        ask for two-phase-commit transactions (see {@link TwoPhaseCommit})
 */
public record TxnConfig(int logPartitions, short logReplicationFactor, int logMinIsr, long maxTimeoutMs,
        long abortTimedOutIntervalMs, long idExpirationMs, long idExpirationIntervalMs, long writeTimeoutMs,
        long markerRetryBackoffMs, boolean twoPhaseCommitEnable) {

    public static TxnConfig defaults() {
        return from(BrokerConfig.of(java.util.Map.of()));
    }

    public static TxnConfig from(BrokerConfig c) {
        return new TxnConfig(
                c.getInt("transaction.state.log.num.partitions", 50, 1, 10_000),
                (short) c.getInt("transaction.state.log.replication.factor", 3, 1, Short.MAX_VALUE),
                c.getInt("transaction.state.log.min.isr", 2, 1, Short.MAX_VALUE),
                c.getInt("transaction.max.timeout.ms", 900_000, 1, Integer.MAX_VALUE),
                c.getInt("transaction.abort.timed.out.transaction.cleanup.interval.ms", 10_000, 1, Integer.MAX_VALUE),
                c.getLong("transactional.id.expiration.ms", 604_800_000L),
                c.getInt("transaction.remove.expired.transaction.cleanup.interval.ms", 3_600_000, 1, Integer.MAX_VALUE),
                5_000L, 100L,
                c.getBoolean("transaction.two.phase.commit.enable", false));
    }
}
