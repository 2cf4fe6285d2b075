package org.tributary.txn;

import java.util.Set;
import org.apache.kafka.common.TopicPartition;

/**
 * One transactional id's state as written to {@code __transaction_state}: immutable, so a
 * transition is a new snapshot that becomes current once its record is durable.
 *
 * @param previousProducerId the producer id before the last rotation (epoch exhaustion), -1 if none; in memory only
 * @param lastEpoch the epoch before the last bump, -1 if none (KIP-360 retries); in memory only, as in Kafka's v0 record
 * @param startMs when the ongoing transaction began, -1 when none
 */
public record TxnSnapshot(long producerId, long previousProducerId, short epoch, short lastEpoch, int timeoutMs, TxnState state,
        Set<TopicPartition> partitions, long startMs, long updateMs) {

    public TxnSnapshot {
        partitions = Set.copyOf(partitions);
    }

    TxnSnapshot to(TxnState newState, Set<TopicPartition> newPartitions, long newStartMs, long now) {
        return new TxnSnapshot(producerId, previousProducerId, epoch, lastEpoch, timeoutMs, newState, newPartitions, newStartMs, now);
    }

    TxnSnapshot withEpoch(short newEpoch, short newLastEpoch) {
        return new TxnSnapshot(producerId, previousProducerId, newEpoch, newLastEpoch, timeoutMs, state, partitions, startMs, updateMs);
    }
}
