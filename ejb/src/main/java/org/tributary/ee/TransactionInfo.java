package org.tributary.ee;

import java.util.List;
import java.util.Map;

/**
 * One open transaction (Ongoing, PrepareCommit or PrepareAbort) as its coordinator describes it:
 * the transactional id, the producer id and epoch, the state by Kafka's name, when it started
 * ({@code startTimeMs}, -1 when the coordinator does not say), its timeout, the coordinating
 * broker and the partitions it has written to, per topic (partition numbers ascending).
 */
public record TransactionInfo(String transactionalId, long producerId, int producerEpoch, String state, long startTimeMs,
        long timeoutMs, int coordinatorId, Map<String, List<Integer>> partitions) implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
}
