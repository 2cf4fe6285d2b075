package org.tributary.quorum;

/** The Raft role of a running member, as seen by the member itself. */
public enum QuorumRole {
    LEADER,
    FOLLOWER,
    CANDIDATE,
    /** A non-voting member that follows the committed log (Ratis's LISTENER). */
    OBSERVER,
    /** Not running (starting or closed). */
    NONE
}
