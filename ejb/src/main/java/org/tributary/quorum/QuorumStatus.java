package org.tributary.quorum;

import java.util.List;

/**
 * A point-in-time view of the quorum, shaped like Kafka's DescribeQuorum answer. Immutable.
 * Followers' figures are only known on the leader; elsewhere they are -1.
 *
 * @param localId        this member's id
 * @param state          this member's lifecycle state
 * @param role           this member's role
 * @param leaderId       the leader's id as known here, -1 if none
 * @param epoch          the current Raft term
 * @param highWatermark  the commit index as known here (-1 before anything is known)
 * @param lastApplied    the last index applied to the local state machine
 * @param logStartOffset the first index still in the local log (earlier ones are in a snapshot)
 * @param voters         one entry per voter, sorted by id
 * @param observers      one entry per observer, sorted by id
 */
public record QuorumStatus(int localId, MemberState state, QuorumRole role, int leaderId, long epoch,
        long highWatermark, long lastApplied, long logStartOffset, List<ReplicaState> voters,
        List<ReplicaState> observers) {

    public QuorumStatus {
        voters = List.copyOf(voters);
        observers = List.copyOf(observers);
    }

    /**
     * One member as seen by the leader (or by itself).
     *
     * @param id                     node id
     * @param logEndOffset           last log index known to be stored on the member (for a follower: its
     *                               match index on the leader), -1 if unknown
     * @param lastFetchTimestamp     wall-clock millis of its last answer to the leader, -1 if unknown
     * @param lastCaughtUpTimestamp  wall-clock millis when it was last seen holding every committed
     *                               entry, -1 if unknown
     * @param lag                    the leader's log end offset minus {@code logEndOffset}, -1 if unknown
     */
    public record ReplicaState(int id, long logEndOffset, long lastFetchTimestamp, long lastCaughtUpTimestamp,
            long lag) {
    }

    /** The state of one voter, or null. */
    public ReplicaState voter(int id) {
        return voters.stream().filter(v -> v.id() == id).findFirst().orElse(null);
    }
}
