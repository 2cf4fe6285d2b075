package org.tributary.quorum;

/**
 * The lifecycle of one {@link RaftQuorum} member. Transitions only go forward:
 * {@code STARTING -> RUNNING -> CLOSING -> CLOSED}, or {@code STARTING -> CLOSED} when start
 * fails (everything already started is released before the exception is thrown).
 * A closed member is never reopened: start a new {@link RaftQuorum} on the same storage.
 */
public enum MemberState {
    /** Storage being opened and the Raft server being started; no request is accepted yet. */
    STARTING,
    /** The Raft server runs; the member may be leader, follower, candidate or observer. */
    RUNNING,
    /** {@link RaftQuorum#close()} has begun: new requests fail, pending ones are failed, threads stop. */
    CLOSING,
    /** Everything released (storage lock, threads, sockets). */
    CLOSED
}
