package org.tributary.quorum;

import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.leader.FollowerInfo;

/**
 * The leader's lease: whether this member may still answer a request as the leader without
 * asking the others. Stateless.
 *
 * <p>Why: Ratis (with the read option DEFAULT, which keeps requests on the leader) runs a query on
 * whoever believes it leads. A leader cut off from the majority keeps believing so until its own
 * check finds no majority answer within the maximum election timeout, while the majority may elect
 * a new leader after the minimum one: for a moment two members answer as the leader, and the old
 * one answers from a state the new one has already moved past (seen in {@code
 * NetworkPartitionTest}). Ratis's own lease only serves its linearizable reads, which also make
 * followers answer queries themselves: not what {@link LeaderRequestHandler} promises.
 *
 * <p>The rule (Ratis's lease rule): the lease holds while a majority of the voters (the leader
 * counts itself; during a voter change, a majority of the old and of the new voters) answered an
 * append or heartbeat that the leader <em>sent</em> less than {@value #RATIO} of the minimum
 * election timeout ago. A voter that heard from the leader grants no vote, not even a pre-vote,
 * for the minimum election timeout after it heard, so no other leader can exist while the lease
 * holds. The times are the leader's own monotonic clock, so no clock agreement is assumed.
 */
final class LeaderLease {
    /** The part of the minimum election timeout the lease lasts (Ratis's default ratio). */
    static final double RATIO = 0.9;
    private static final long POLL_MILLIS = 5;

    private LeaderLease() {
    }

    /** True when {@code d} is the leader and holds the lease now. */
    static boolean held(RaftServer.Division d, FollowerTracker tracker) {
        DivisionInfo info = d.getInfo();
        if (!info.isLeader()) {
            return false;
        }
        long leaseMs = (long) (d.properties().minRpcTimeoutMs() * RATIO);
        Collection<RaftPeer> previous = d.getRaftConf().getPreviousPeers();
        return majorityAcked(d, d.getRaftConf().getCurrentPeers(), tracker, leaseMs)
                && (previous.isEmpty() || majorityAcked(d, previous, tracker, leaseMs));
    }

    private static boolean majorityAcked(RaftServer.Division d, Collection<RaftPeer> voters, FollowerTracker tracker,
            long leaseMs) {
        int acked = 0;
        for (RaftPeer p : voters) {
            if (p.getId().equals(d.getId())) {
                acked++;
            } else {
                FollowerInfo f = tracker.follower(p.getId());
                if (f != null && f.getLastRespondedAppendEntriesSendTime().elapsedTimeMs() < leaseMs) {
                    acked++;
                }
            }
        }
        return acked * 2 > voters.size();
    }

    /**
     * Completes once {@code d} holds the lease in {@code term} (at once in the usual case); fails with
     * NOT_LEADER as soon as it no longer leads in {@code term}, or when no majority renewed the lease
     * within {@code timeoutMs} (by then Ratis has made it step down).
     */
    static CompletableFuture<Void> await(RaftServer.Division d, FollowerTracker tracker, long term, long timeoutMs) {
        CompletableFuture<Void> out = new CompletableFuture<>();
        poll(d, tracker, term, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs), out);
        return out;
    }

    private static void poll(RaftServer.Division d, FollowerTracker tracker, long term, long deadline,
            CompletableFuture<Void> out) {
        DivisionInfo info = d.getInfo();
        if (info.getCurrentTerm() != term || !info.isLeader()) {
            out.completeExceptionally(lost(d, "lost the leadership of epoch " + term));
        } else if (held(d, tracker)) {
            out.complete(null);
        } else if (System.nanoTime() - deadline >= 0) {
            out.completeExceptionally(lost(d, "heard from no majority of the voters lately (leader of epoch " + term + ")"));
        } else {
            CompletableFuture.runAsync(() -> poll(d, tracker, term, deadline, out),
                    CompletableFuture.delayedExecutor(POLL_MILLIS, TimeUnit.MILLISECONDS));
        }
    }

    private static QuorumException lost(RaftServer.Division d, String why) {
        return new QuorumException(QuorumException.Kind.NOT_LEADER, "member " + GroupIds.nodeId(d.getId()) + " " + why
                + ": a request to the leader is not answered here", -1, null);
    }
}
