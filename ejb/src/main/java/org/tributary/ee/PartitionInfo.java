package org.tributary.ee;

import java.util.List;

/**
 * One partition: offsets and size are -1 when this broker does not hold it. While a reassignment
 * is in progress {@code adding} and {@code removing} name the replicas it adds and removes
 * ({@code replicas} holds both, the target first); otherwise they are empty.
 */
public record PartitionInfo(int partition, int leader, int leaderEpoch, List<Integer> replicas, List<Integer> isr,
        long logStartOffset, long logEndOffset, long highWatermark, long sizeBytes, List<Integer> adding, List<Integer> removing) {

    /** Fewer replicas in sync than the partition had before any reassignment (replicas being added do not count, as in Kafka). */
    public boolean underReplicated() {
        return isr.size() < replicas.size() - adding.size();
    }

    public boolean offline() {
        return leader < 0;
    }
}
