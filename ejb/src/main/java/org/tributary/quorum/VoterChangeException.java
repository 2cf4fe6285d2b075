package org.tributary.quorum;

/**
 * Why a change of the quorum's voters was refused before anything was sent to the engine. Each
 * kind says what the operator does next. Immutable.
 */
public final class VoterChangeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The reasons a voter change is refused. */
    public enum Kind {
        /** The node to add is a voter already. */
        DUPLICATE_VOTER,
        /** The node to remove is not a voter. */
        VOTER_NOT_FOUND,
        /** The node to add does not follow the quorum (it is not an observer): start it first. */
        NOT_AN_OBSERVER,
        /** The change would leave the quorum without voters. */
        LAST_VOTER,
        /** Another configuration change has not finished yet, or the configuration changed meanwhile: retry. */
        CHANGE_IN_PROGRESS
    }

    private final Kind kind;

    public VoterChangeException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
