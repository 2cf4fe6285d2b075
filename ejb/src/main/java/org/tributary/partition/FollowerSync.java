package org.tributary.partition;

import java.io.IOException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.tributary.log.PartitionLog;

/**
 * A follower keeping its log in step with the leader's: appends the leader's batches as they are,
 * takes min(leader's high watermark, own log end) as its high watermark and follows the leader's
 * log start, and truncates where its log diverges (or restarts it empty past the leader's log
 * start), rolling producer state back with the log. Every step is refused once the partition no
 * longer follows in the leader epoch the fetcher works for.
 *
 * <p>Separate from {@link Partition} so that the follower's log changes live in one place; the
 * partition keeps its role, its leader epoch and the high watermark (read and moved here through it).
 *
 * <p>Not thread-safe: every method is called with the owning partition's lock held.
 */
final class FollowerSync {
    private final Partition partition;
    private final PartitionLog log;
    private final PartitionTxns txns;

    FollowerSync(Partition partition, PartitionLog log, PartitionTxns txns) {
        this.partition = partition;
        this.log = log;
        this.txns = txns;
    }

    /** See {@link Partition#appendAsFollower}. */
    void append(MemoryRecords records, long leaderHighWatermark, long leaderLogStartOffset, int epoch) throws IOException {
        checkFollowing(epoch);
        if (records.sizeInBytes() > 0) {
            log.appendAsFollower(records);
            txns.recordFollowerAppend(records);
        }
        long hw = Math.max(log.logStartOffset(), Math.min(leaderHighWatermark, log.logEndOffset()));
        partition.setHighWatermark(hw);
        long start = Math.min(leaderLogStartOffset, hw);
        if (start > log.logStartOffset()) { // the leader's DeleteRecords or retention moved its log start
            log.deleteRecordsBefore(start);
        }
    }

    /** See {@link Partition#truncateTo}. */
    void truncateTo(long offset, int epoch) throws IOException {
        checkFollowing(epoch);
        boolean removes = offset < log.logEndOffset();
        log.truncateTo(offset); // also when nothing is removed: it drops an empty epoch at the log end
        if (removes) {
            afterTruncation();
        }
    }

    /** See {@link Partition#truncateFullyAndStartAt}. */
    void truncateFullyAndStartAt(long offset, int epoch) throws IOException {
        checkFollowing(epoch);
        log.truncateFullyAndStartAt(offset);
        txns.afterFullTruncation(offset);
        partition.setHighWatermark(Math.max(log.logStartOffset(), Math.min(partition.highWatermark(), log.logEndOffset())));
    }

    private void afterTruncation() throws IOException {
        long hw = Math.max(log.logStartOffset(), Math.min(partition.highWatermark(), log.logEndOffset()));
        txns.afterTruncation(hw);
        partition.setHighWatermark(hw);
    }

    private void checkFollowing(int epoch) {
        if (partition.role() != Partition.Role.FOLLOWER || partition.leaderEpoch() != epoch) {
            throw new NotLeaderOrFollowerException("Broker " + partition.localBrokerId() + " no longer follows "
                    + partition.topicPartition() + " in leader epoch " + epoch + " (role " + partition.role() + ", leader epoch "
                    + partition.leaderEpoch() + ")");
        }
    }
}
