package org.tributary.api;

import org.apache.kafka.common.TopicPartition;
import org.tributary.partition.Partition;

/**
 * One partition a delayed fetch waits on, as its first read left it: where it fetches from, the
 * leader epoch it was served in, and the bytes counted as available up to which end. Made by the
 * first read of a fetch ({@link FetchHandler}); the counts are then guarded by the
 * {@link DelayedFetch} that waits on it.
 */
final class FetchWatch {
    final TopicPartition tp;
    final Partition partition;
    final int leaderEpoch;
    final long fetchOffset;
    final int maxBytes;
    long countedEnd;
    long counted;

    FetchWatch(TopicPartition tp, Partition partition, int leaderEpoch, long fetchOffset, int maxBytes, long end, long bytes) {
        this.tp = tp;
        this.partition = partition;
        this.leaderEpoch = leaderEpoch;
        this.fetchOffset = fetchOffset;
        this.maxBytes = maxBytes;
        this.countedEnd = end;
        this.counted = bytes;
    }
}
