package org.tributary.quorum;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.apache.ratis.protocol.exceptions.AlreadyClosedException;
import org.apache.ratis.protocol.exceptions.LeaderNotReadyException;
import org.apache.ratis.protocol.exceptions.LeaderSteppingDownException;
import org.apache.ratis.protocol.exceptions.NotLeaderException;
import org.apache.ratis.protocol.exceptions.RaftRetryFailureException;
import org.apache.ratis.protocol.exceptions.StateMachineException;

/** Turns whatever Ratis failed with into a {@link QuorumException}. Stateless. */
final class Failures {
    private Failures() {
    }

    static QuorumException map(Throwable t, String what) {
        Throwable e = unwrap(t);
        if (e instanceof QuorumException q) {
            return q;
        }
        if (e instanceof NotLeaderException nle) {
            int hint = nle.getSuggestedLeader() == null ? -1 : GroupIds.nodeId(nle.getSuggestedLeader().getId());
            return new QuorumException(QuorumException.Kind.NOT_LEADER, what + ": not the leader", hint, e);
        }
        if (e instanceof LeaderNotReadyException || e instanceof LeaderSteppingDownException) {
            return new QuorumException(QuorumException.Kind.NOT_LEADER, what + ": " + e.getMessage(), -1, e);
        }
        if (e instanceof StateMachineException) {
            Throwable cause = unwrap(e.getCause() == null ? e : e.getCause());
            if (cause instanceof QuorumException q) {
                return q;
            }
            return new QuorumException(QuorumException.Kind.HANDLER_FAILED, what + ": " + cause.getMessage(), -1, cause);
        }
        if (e instanceof AlreadyClosedException) {
            return new QuorumException(QuorumException.Kind.NO_QUORUM, what + ": " + e.getMessage(), -1, e);
        }
        if (e instanceof RaftRetryFailureException || e instanceof java.io.IOException) {
            return new QuorumException(QuorumException.Kind.NO_QUORUM, what + ": no leader reachable (" + e.getMessage()
                    + ")", -1, e);
        }
        return new QuorumException(QuorumException.Kind.OTHER, what + ": " + e, -1, e);
    }

    static Throwable unwrap(Throwable t) {
        Throwable e = t;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }
}
