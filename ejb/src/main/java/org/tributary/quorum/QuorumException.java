package org.tributary.quorum;

/**
 * Why a quorum operation failed. {@link #retriable()} tells the caller whether trying again
 * (possibly elsewhere, see {@link #leaderHint()}) can succeed. Immutable.
 */
public final class QuorumException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The reasons, each with whether a retry can help. */
    public enum Kind {
        /** This member is not the leader (or not yet ready to lead); retry on the leader. */
        NOT_LEADER(true),
        /** The epoch given is not this leader's current epoch; nothing was appended. */
        EPOCH_CHANGED(false),
        /** No answer within the timeout, typically because there is no quorum; the entry may still commit later. */
        TIMEOUT(true),
        /** No leader could be reached (no quorum, or an election is going on). */
        NO_QUORUM(true),
        /** The member is closing or closed. */
        CLOSED(false),
        /** The leader's {@link LeaderRequestHandler} failed. */
        HANDLER_FAILED(false),
        /** Ratis reported something else (message included). */
        OTHER(false);

        private final boolean retriable;

        Kind(boolean retriable) {
            this.retriable = retriable;
        }

        public boolean retriable() {
            return retriable;
        }
    }

    private final Kind kind;
    private final int leaderHint;

    public QuorumException(Kind kind, String message, int leaderHint, Throwable cause) {
        super(kind + ": " + message, cause);
        this.kind = kind;
        this.leaderHint = leaderHint;
    }

    public QuorumException(Kind kind, String message) {
        this(kind, message, -1, null);
    }

    public Kind kind() {
        return kind;
    }

    public boolean retriable() {
        return kind.retriable();
    }

    /** The leader's node id if known when the request failed, else -1. */
    public int leaderHint() {
        return leaderHint;
    }
}
