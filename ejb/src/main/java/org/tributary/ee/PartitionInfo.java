package org.tributary.ee;

import java.util.List;

/** One partition: offsets and size are -1 when this broker does not hold it. */
public record PartitionInfo(int partition, int leader, int leaderEpoch, List<Integer> replicas, List<Integer> isr,
        long logStartOffset, long logEndOffset, long highWatermark, long sizeBytes) {

    public boolean underReplicated() {
        return isr.size() < replicas.size();
    }

    public boolean offline() {
        return leader < 0;
    }
}
