package org.tributary.partition;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;

/**
 * Asks a transactional id's coordinator whether partitions are in the producer's ongoing
 * transaction (KIP-890 part 1: AddPartitionsToTxn v4+, broker form, {@code verify_only=true}).
 * The answer holds only the partitions that failed, with the coordinator's error (or
 * COORDINATOR_NOT_AVAILABLE, NETWORK_EXCEPTION when it could not be asked); empty when all are in.
 * Never blocks the caller: the future completes on the verifier's own thread.
 */
@FunctionalInterface
public interface TxnVerifier {
    CompletableFuture<Map<TopicPartition, Errors>> verify(String transactionalId, long producerId, short producerEpoch,
            Set<TopicPartition> partitions);
}
