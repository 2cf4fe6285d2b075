package org.tributary.replication;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.logging.Logger;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.tributary.log.EpochEndOffset;
import org.tributary.partition.Partition;

/**
 * What a follower does to its log with one partition's answer from the leader: append the whole
 * batches and take the leader's high watermark, truncate where the leader reports a divergence
 * (KIP-320, the KIP-101/279 cases), or start again after OFFSET_OUT_OF_RANGE. Separate from
 * {@link ReplicaFetcher}, which owns the fetcher thread, the fetch session and back-off: these rules
 * do no network I/O, so the replication simulation drives them directly. Stateless.
 */
final class FollowerApply {
    private static final Logger LOG = Logger.getLogger(ReplicaFetcher.class.getName()); // the fetcher's log lines, as before

    private FollowerApply() {
    }

    /**
     * Applies one partition's answer from leader {@code leaderId} to {@code p}, which follows it in
     * {@code followingEpoch} and fetched from {@code fetchOffset}: truncates where the leader reports a
     * divergence, appends the whole batches and takes the leader's high watermark (unless the log
     * moved since the fetch was sent), or handles OFFSET_OUT_OF_RANGE. Returns false when the answer
     * was another error and the fetcher should back off. Does no network I/O (the replication
     * simulation test drives it directly).
     */
    static boolean applyAnswer(Partition p, int leaderId, int followingEpoch, long fetchOffset, FetchResponseData.PartitionData pd)
            throws IOException {
        TopicPartition tp = p.topicPartition();
        Errors error = Errors.forCode(pd.errorCode());
        switch (error) {
            case NONE -> {
                FetchResponseData.EpochEndOffset d = pd.divergingEpoch();
                if (d != null && (d.epoch() >= 0 || d.endOffset() >= 0)) {
                    truncateOnDivergence(p, leaderId, followingEpoch, d.epoch(), d.endOffset());
                } else if (p.logEndOffset() == fetchOffset) {
                    p.appendAsFollower(wholeBatches((MemoryRecords) pd.records()), pd.highWatermark(), pd.logStartOffset(),
                            followingEpoch);
                }
                return true;
            }
            case OFFSET_OUT_OF_RANGE -> {
                if (fetchOffset < pd.logStartOffset()) {
                    LOG.info(() -> "TRIB-REPL-005 " + tp + ": the leader's log starts at " + pd.logStartOffset()
                            + ", after this replica's end " + fetchOffset + "; starting again, empty, there");
                    p.truncateFullyAndStartAt(pd.logStartOffset(), followingEpoch);
                } else {
                    long to = Math.max(0, Math.min(pd.highWatermark(), fetchOffset));
                    LOG.info(() -> "TRIB-REPL-006 " + tp + ": this replica's end " + fetchOffset
                            + " is past the leader's log; truncating to the leader's high watermark " + to);
                    p.truncateTo(to, followingEpoch);
                }
                return true;
            }
            default -> {
                return false;
            }
        }
    }

    /**
     * KIP-320: the leader says its log holds epoch {@code leaderEpoch} (the largest not above ours)
     * up to {@code leaderEnd}. Truncate to where both logs agree; when this log's matching epoch
     * differs, truncate to where ours ends and let the next fetch compare again.
     */
    static long truncationOffset(Partition p, int leaderEpoch, long leaderEnd) {
        long end = p.logEndOffset();
        if (leaderEnd < 0) {
            return Math.min(p.highWatermark(), end);
        }
        if (leaderEpoch < 0) {
            return Math.min(leaderEnd, end);
        }
        EpochEndOffset mine = p.log().endOffsetForEpoch(leaderEpoch);
        if (mine.leaderEpoch() < 0) {
            return Math.min(leaderEnd, end);
        }
        if (mine.leaderEpoch() != leaderEpoch) {
            return Math.min(mine.endOffset(), end);
        }
        return Math.min(Math.min(leaderEnd, mine.endOffset()), end);
    }

    private static void truncateOnDivergence(Partition p, int leaderId, int followingEpoch, int leaderEpoch, long leaderEnd)
            throws IOException {
        long to = truncationOffset(p, leaderEpoch, leaderEnd);
        long end = p.logEndOffset();
        if (to < end) {
            LOG.info(() -> "TRIB-REPL-008 " + p.topicPartition() + ": the log diverges from leader " + leaderId + "'s (its epoch "
                    + leaderEpoch + " ends at " + leaderEnd + "); truncating from " + end + " to " + to);
        }
        p.truncateTo(to, followingEpoch);
    }

    /** A fetch answer may end with a partial batch (a size limit cut it): only whole batches are appended. */
    static MemoryRecords wholeBatches(MemoryRecords records) {
        if (records == null) {
            return MemoryRecords.EMPTY;
        }
        int valid = 0;
        for (MutableRecordBatch b : records.batches()) {
            valid += b.sizeInBytes();
        }
        if (valid == records.sizeInBytes()) {
            return records;
        }
        ByteBuffer buf = records.buffer().duplicate();
        buf.limit(buf.position() + valid);
        return MemoryRecords.readableRecords(buf.slice());
    }
}
