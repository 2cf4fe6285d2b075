package org.tributary.txn;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;

/**
 * Writes a transaction's markers (WriteTxnMarkers) to the leaders of its partitions. The
 * implementation groups partitions by leader; the transaction coordinator retries what failed
 * with a retriable error and writes the Complete state once every partition answered NONE.
 */
public interface TxnMarkerSender {
    /** One transaction's markers: its producer id and epoch, the result, the coordinator epoch, the partitions. */
    record Markers(long producerId, short producerEpoch, boolean commit, int coordinatorEpoch, Set<TopicPartition> partitions) {
    }

    /**
     * Sends the markers; completes with an error per partition (never exceptionally: a partition
     * whose leader is unknown or unreachable gets NOT_LEADER_OR_FOLLOWER, a deleted topic
     * UNKNOWN_TOPIC_OR_PARTITION). Never blocks.
     */
    CompletableFuture<Map<TopicPartition, Errors>> send(Markers markers);
}
