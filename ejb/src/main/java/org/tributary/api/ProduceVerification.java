package org.tributary.api;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.Time;
import org.tributary.partition.Partition;
import org.tributary.partition.TxnVerifier;

/**
 * Transaction verification on the produce path (KIP-890 part 1, Kafka's ReplicaManager with
 * AddPartitionsToTxnManager): before a leader appends the batch that would open a producer's
 * transaction on a partition, the transaction coordinator is asked whether the partition is in that
 * ongoing transaction. Unverified partitions are answered without appending, with Kafka's errors:
 * not in the transaction, INVALID_TXN_STATE (TRANSACTION_ABORTABLE to Produce v11+ / TxnOffsetCommit
 * v4+); the coordinator could not answer (NETWORK_EXCEPTION, COORDINATOR_LOAD_IN_PROGRESS,
 * COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR, and CONCURRENT_TRANSACTIONS), NOT_ENOUGH_REPLICAS, which
 * every client retries without a metadata refresh. Off when {@code transaction.partition.verification.enable=false}.
 */
final class ProduceVerification {
    /** A partition's verification: the guard to append with, or the error to answer. */
    record Outcome(Object guard, Errors error, String message) {
        static final Outcome UNVERIFIED = new Outcome(null, Errors.NONE, null);
    }

    private final TxnVerifier verifier;
    private final Time time;

    /** {@code verifier}: null when verification is off. */
    ProduceVerification(TxnVerifier verifier, Time time) {
        this.verifier = verifier;
        this.time = time;
    }

    boolean enabled() {
        return verifier != null;
    }

    /**
     * Verifies the partitions of one request whose first batch is transactional and opens the
     * producer's transaction there; completes (on the verifier's thread, or at once when none
     * needs asking) with an outcome for every partition given. {@code version} is the request's
     * version in Kafka's produce numbering (11 and above understand TRANSACTION_ABORTABLE).
     */
    CompletableFuture<Map<TopicPartition, Outcome>> verify(String transactionalId, Map<TopicPartition, Partition> partitions,
            Map<TopicPartition, MemoryRecords> records, boolean abortableSupported) {
        Map<TopicPartition, Outcome> out = new HashMap<>();
        Map<TopicPartition, Object> guards = new HashMap<>();
        long producerId = -1;
        short epoch = -1;
        for (Map.Entry<TopicPartition, Partition> e : partitions.entrySet()) {
            out.put(e.getKey(), Outcome.UNVERIFIED);
            RecordBatch first = firstBatch(records.get(e.getKey()));
            if (verifier == null || transactionalId == null || first == null || !first.isTransactional()) {
                continue;
            }
            Object guard;
            try {
                guard = e.getValue().startTxnVerification(first.producerId(), first.baseSequence(), first.producerEpoch(),
                        time.milliseconds());
            } catch (RuntimeException ex) {
                continue; // the append reports it
            }
            if (guard != null) {
                guards.put(e.getKey(), guard);
                producerId = first.producerId();
                epoch = first.producerEpoch();
            }
        }
        if (guards.isEmpty()) {
            return CompletableFuture.completedFuture(out);
        }
        return verifier.verify(transactionalId, producerId, epoch, guards.keySet()).thenApply(failed -> {
            guards.forEach((tp, guard) -> {
                Errors e = failed.getOrDefault(tp, Errors.NONE);
                out.put(tp, e == Errors.NONE ? new Outcome(guard, Errors.NONE, null) : answer(e, abortableSupported));
            });
            return out;
        });
    }

    /** What a producer is told when verification failed with {@code e} (Kafka's ReplicaManager translation). */
    static Outcome answer(Errors e, boolean abortableSupported) {
        return switch (e) {
            case TRANSACTION_ABORTABLE -> abortableSupported ? new Outcome(null, e, null)
                    : new Outcome(null, Errors.INVALID_TXN_STATE, "Partition was not added to the transaction");
            case INVALID_TXN_STATE -> new Outcome(null, e, "Partition was not added to the transaction");
            case NETWORK_EXCEPTION, COORDINATOR_LOAD_IN_PROGRESS, COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR, CONCURRENT_TRANSACTIONS ->
                    new Outcome(null, Errors.NOT_ENOUGH_REPLICAS,
                            "Unable to verify the partition has been added to the transaction. Underlying error: " + e);
            default -> new Outcome(null, e, null);
        };
    }

    private static RecordBatch firstBatch(MemoryRecords records) {
        if (records == null) {
            return null;
        }
        try {
            for (RecordBatch b : records.batches()) {
                return b;
            }
        } catch (RuntimeException e) {
            // malformed: the append reports it
        }
        return null;
    }
}
