package org.tributary.quorum;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The state replicated by the quorum, implemented by the metadata side.
 *
 * <p>Threading: every method is called by one thread at a time, never concurrently, and {@link
 * #apply} is called on one thread in log order. {@link #becameLeader} and {@link #resigned} may
 * come from another thread, but under the same mutual exclusion, so they are ordered with
 * {@link #apply}. Implementations need no locking of their own against the quorum (they may need
 * it for their own readers).
 *
 * <p>Offsets are Raft log indexes: they increase but are not dense (Raft's own configuration and
 * leader-startup entries take indexes that are never passed to {@link #apply}). An empty state has
 * {@link #lastAppliedOffset()} {@code == -1}. Entries at or below {@link #lastAppliedOffset()} are
 * never applied again, so a state machine object may be reused across a close and a new start on
 * the same storage.
 *
 * <p>After {@link RaftQuorum#close()} has begun, no method here is called again.
 */
public interface ReplicatedStateMachine {

    /**
     * Applies one committed entry. Must be deterministic: every member applies the same entries
     * in the same order and must reach the same state. An exception here is a bug in the state
     * machine; it is logged (TRIB-0110) and the entry counts as applied.
     *
     * @param offset the entry's Raft log index
     * @param epoch  the Raft term in which the entry was appended (the controller epoch)
     * @param entry  the bytes given to {@link RaftQuorum#appendAsLeader}; not to be modified
     */
    void apply(long offset, long epoch, byte[] entry);

    /** Writes the whole state as of {@link #lastAppliedOffset()}. The stream is closed by the caller. */
    void writeSnapshot(OutputStream out) throws IOException;

    /**
     * Replaces the whole state with a snapshot written by {@link #writeSnapshot}; afterwards
     * {@link #lastAppliedOffset()} must return {@code offset}.
     *
     * @param offset the log index the snapshot covers (inclusive)
     * @param epoch  the term of that index
     */
    void loadSnapshot(InputStream in, long offset, long epoch) throws IOException;

    /** The offset of the last applied entry or loaded snapshot, -1 for an empty state. */
    long lastAppliedOffset();

    /**
     * This member became leader (active controller) in {@code epoch}. Called only once every entry
     * committed before this epoch has been applied here, so the state is complete.
     */
    default void becameLeader(long epoch) {
    }

    /**
     * This member is no longer leader of {@code epoch}; called once after each {@link #becameLeader},
     * except when the member closes (then nothing is called: treat close as the end of leadership).
     */
    default void resigned(long epoch) {
    }
}
