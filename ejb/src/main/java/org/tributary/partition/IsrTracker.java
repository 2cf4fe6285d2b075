package org.tributary.partition;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;
import org.apache.kafka.common.protocol.Errors;

/**
 * A partition leader's view of its followers and of the ISR changes it proposes: each follower's
 * log end offset and when it was last caught up (from its fetches), where the current leader epoch
 * starts, the smallest log end offset of the maximal ISR (the ISR plus a pending addition, KIP-497)
 * that the high watermark may move to, and the ISR shrink and expand proposals ({@link IsrChange})
 * with the one change sent to the controller and not settled yet.
 *
 * <p>Separate from {@link Partition} so that follower progress and the AlterPartition protocol live
 * in one place; the partition keeps its role, its committed replica state (read here through it),
 * its log and the high watermark itself.
 *
 * <p>Not thread-safe: every method is called with the owning partition's lock held.
 */
final class IsrTracker {
    private final Partition partition;
    private final int localBrokerId;
    /** Each follower's progress by broker id. */
    private final Map<Integer, Follower> followers = new HashMap<>();
    /** Where the current leader epoch starts. */
    private long leaderEpochStartOffset;
    /** The ISR change sent to the controller and not settled yet. */
    private IsrChange pendingIsr;
    /** The pending change got an answer that does not settle it (no answer in time): send it again. */
    private boolean resendPendingIsr;

    private static final class Follower {
        long brokerEpoch = -1;
        long logEndOffset = -1;
        long lastCaughtUpMs;
        long lastFetchMs;
        long lastFetchLeaderLogEndOffset;

        Follower(long lastCaughtUpMs) {
            this.lastCaughtUpMs = lastCaughtUpMs;
        }
    }

    IsrTracker(Partition partition, int localBrokerId) {
        this.partition = partition;
        this.localBrokerId = localBrokerId;
    }

    /** A committed state ends (or supersedes) any pending change. */
    void dropPending() {
        pendingIsr = null;
        resendPendingIsr = false;
    }

    /** Becoming leader: the new leader epoch starts at {@code offset}. */
    void startEpochAt(long offset) {
        leaderEpochStartOffset = offset;
    }

    long leaderEpochStartOffset() {
        return leaderEpochStartOffset;
    }

    /** Not leader (any more): no follower is tracked. */
    void clearFollowers() {
        followers.clear();
    }

    /** One progress entry per remote replica; in-sync ones get a full lag period to fetch (as in Kafka). */
    void syncFollowers(long nowMs) {
        List<Integer> replicas = partition.replicas();
        List<Integer> isr = partition.isr();
        followers.keySet().retainAll(replicas);
        for (int r : replicas) {
            if (r != localBrokerId) {
                followers.computeIfAbsent(r, id -> new Follower(isr.contains(id) ? nowMs : 0L));
            }
        }
    }

    /** The ISR plus a pending addition: whom the high watermark waits for. */
    private List<Integer> maximalIsr() {
        List<Integer> isr = partition.isr();
        if (pendingIsr == null) {
            return isr;
        }
        List<Integer> out = new ArrayList<>(isr);
        for (int r : pendingIsr.brokerIds()) {
            if (!out.contains(r)) {
                out.add(r);
            }
        }
        return out;
    }

    /** The smallest log end offset in the maximal ISR, this leader's being {@code leaderLogEndOffset}. */
    long highWatermarkCandidate(long leaderLogEndOffset) {
        long candidate = leaderLogEndOffset;
        for (int r : maximalIsr()) {
            if (r != localBrokerId) {
                Follower f = followers.get(r);
                candidate = Math.min(candidate, f == null ? -1L : f.logEndOffset);
            }
        }
        return candidate;
    }

    /** Whether {@code brokerId} is a replica this leader tracks. */
    boolean tracks(int brokerId) {
        return followers.containsKey(brokerId);
    }

    /** Records a follower's fetch from {@code fetchOffset} while this leader's log ends at {@code leaderEnd}. */
    void recordFetch(int replicaId, long replicaEpoch, long fetchOffset, long leaderEnd, long nowMs) {
        Follower f = followers.get(replicaId);
        if (fetchOffset >= leaderEnd) {
            f.lastCaughtUpMs = Math.max(f.lastCaughtUpMs, nowMs);
        } else if (fetchOffset >= f.lastFetchLeaderLogEndOffset) {
            f.lastCaughtUpMs = Math.max(f.lastCaughtUpMs, f.lastFetchMs);
        }
        f.lastFetchLeaderLogEndOffset = leaderEnd;
        f.lastFetchMs = nowMs;
        f.logEndOffset = fetchOffset;
        f.brokerEpoch = replicaEpoch;
    }

    /**
     * After a follower's fetch from {@code fetchOffset} (the high watermark now {@code highWatermark}):
     * proposes adding it to the ISR when nothing is pending and it caught up with both the high
     * watermark and the leader epoch's start; else returns a pending change to send again; else null.
     */
    IsrChange afterFetch(int replicaId, long replicaEpoch, long fetchOffset, long highWatermark, IntPredicate eligible,
            long localBrokerEpoch) {
        List<Integer> isr = partition.isr();
        IsrChange change = null;
        if (pendingIsr == null && !isr.contains(replicaId) && fetchOffset >= highWatermark && fetchOffset >= leaderEpochStartOffset
                && eligible.test(replicaId)) {
            List<IsrChange.Member> members = new ArrayList<>(members(isr, localBrokerEpoch));
            members.add(new IsrChange.Member(replicaId, replicaEpoch));
            change = newChange(members);
            pendingIsr = change;
        } else if (resendPendingIsr) {
            resendPendingIsr = false;
            change = pendingIsr;
        }
        return change;
    }

    /** See {@link Partition#maybeShrinkIsr}: called on the leader only. */
    IsrChange maybeShrink(long nowMs, long maxLagMs, long localBrokerEpoch) {
        if (pendingIsr != null) {
            if (!resendPendingIsr) {
                return null;
            }
            resendPendingIsr = false;
            return pendingIsr;
        }
        long leaderEnd = partition.logEndOffset();
        List<Integer> isr = partition.isr();
        List<Integer> keep = new ArrayList<>();
        for (int r : isr) {
            Follower f = followers.get(r);
            boolean caughtUp = r == localBrokerId || f != null && (f.logEndOffset == leaderEnd || nowMs - f.lastCaughtUpMs <= maxLagMs);
            if (caughtUp) {
                keep.add(r);
            }
        }
        if (keep.size() == isr.size()) {
            return null;
        }
        pendingIsr = newChange(members(keep, localBrokerEpoch));
        return pendingIsr;
    }

    private IsrChange newChange(List<IsrChange.Member> members) {
        return new IsrChange(partition.topicPartition(), partition.topicId(), partition.leaderEpoch(), partition.partitionEpoch(),
                members, partition.isr().size());
    }

    private List<IsrChange.Member> members(List<Integer> ids, long localBrokerEpoch) {
        List<IsrChange.Member> out = new ArrayList<>();
        for (int r : ids) {
            Follower f = followers.get(r);
            out.add(new IsrChange.Member(r, r == localBrokerId ? localBrokerEpoch : f == null ? -1L : f.brokerEpoch));
        }
        return out;
    }

    /**
     * The controller answered {@code sent} with {@code error}: whether that settles the pending change
     * (see {@link Partition#onIsrChangeAnswered}); false also when {@code sent} is no longer pending.
     */
    boolean settle(IsrChange sent, Errors error) {
        if (pendingIsr != sent) {
            return false; // superseded by newer metadata
        }
        if (error != Errors.NONE && !refusedAsItStands(error)) {
            // FENCED_LEADER_EPOCH, INVALID_UPDATE_VERSION: the partition changed at the controller, maybe by this very
            // change; its state comes with the metadata. Anything else: unknown whether it was applied: try again.
            resendPendingIsr = error != Errors.FENCED_LEADER_EPOCH && error != Errors.INVALID_UPDATE_VERSION;
            return false;
        }
        pendingIsr = null;
        resendPendingIsr = false;
        return true;
    }

    /**
     * AlterPartition errors the controller gives after checking the change against its current
     * leader and partition epochs: nothing was written for it, and no earlier try of it was.
     */
    private static boolean refusedAsItStands(Errors error) {
        return error == Errors.INELIGIBLE_REPLICA || error == Errors.INVALID_REQUEST || error == Errors.UNKNOWN_TOPIC_ID
                || error == Errors.UNKNOWN_TOPIC_OR_PARTITION;
    }

    boolean changePending() {
        return pendingIsr != null;
    }

    /** A follower's last known log end offset (-1 when unknown). */
    long followerLogEndOffset(int brokerId) {
        Follower f = followers.get(brokerId);
        return f == null ? -1L : f.logEndOffset;
    }
}
