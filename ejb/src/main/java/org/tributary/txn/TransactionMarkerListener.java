package org.tributary.txn;

import org.apache.kafka.common.TopicPartition;

/**
 * Told when a transaction marker has been written, and replicated, to a partition of
 * {@code __consumer_offsets} (WriteTxnMarkers), so the group coordinator can make the offsets the
 * transaction committed visible (COMMIT) or drop them (ABORT). Called on a request-completion
 * thread: implementations must be thread-safe and must not block.
 */
@FunctionalInterface
public interface TransactionMarkerListener {
    /** Does nothing: the wiring's default until a group coordinator handles transactional offsets. */
    TransactionMarkerListener NONE = (tp, producerId, producerEpoch, commit, markerOffset) -> {
    };

    void markerWritten(TopicPartition tp, long producerId, short producerEpoch, boolean commit, long markerOffset);
}
