package org.tributary.controller;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.Uuid;

/**
 * The active controller's memory of broker heartbeats, kept out of the log (as Kafka does): per
 * broker id, the incarnation that last heartbeated, when, the metadata offset it reported, and the
 * offset its controlled shutdown waits for. A new controller starts empty: every registered broker
 * then counts as last seen at the controller's election, so it gets one full session timeout.
 *
 * <p>Not thread-safe; owned by the controller's single event thread.
 */
final class BrokerSessions {
    private static final class Session {
        final Uuid incarnation;
        long lastContactMs;
        long appliedOffset = -1;
        long controlledShutdownOffset = -1;

        Session(Uuid incarnation, long lastContactMs) {
            this.incarnation = incarnation;
            this.lastContactMs = lastContactMs;
        }
    }

    private final long timeoutMs;
    private final long startMs;
    private final Map<Integer, Session> sessions = new HashMap<>();

    BrokerSessions(long timeoutMs, long startMs) {
        this.timeoutMs = timeoutMs;
        this.startMs = startMs;
    }

    private Session session(int id, Uuid incarnation) {
        Session s = sessions.get(id);
        if (s == null || !s.incarnation.equals(incarnation)) {
            s = new Session(incarnation, startMs);
            sessions.put(id, s);
        }
        return s;
    }

    /** A registration or heartbeat from this incarnation at {@code nowMs}. */
    void touch(int id, Uuid incarnation, long nowMs, long appliedOffset) {
        Session s = session(id, incarnation);
        s.lastContactMs = Math.max(s.lastContactMs, nowMs);
        s.appliedOffset = Math.max(s.appliedOffset, appliedOffset);
    }

    /** Starts a fresh session for a new registration (forgetting any earlier incarnation's). */
    void registered(int id, Uuid incarnation, long nowMs) {
        sessions.put(id, new Session(incarnation, nowMs));
    }

    /**
     * Whether this incarnation was heard from within the session timeout (an incarnation this
     * controller never heard from counts as heard at its election).
     */
    boolean hasValidSession(int id, Uuid incarnation, long nowMs) {
        Session s = sessions.get(id);
        if (s == null) {
            return nowMs - startMs <= timeoutMs;
        }
        return s.incarnation.equals(incarnation) && nowMs - s.lastContactMs <= timeoutMs;
    }

    /** Whether this incarnation heartbeated or registered with this controller after its election. */
    boolean heardSinceElection(int id, Uuid incarnation) {
        Session s = sessions.get(id);
        return s != null && s.incarnation.equals(incarnation) && s.lastContactMs > startMs;
    }

    /** Ends the session at once (the broker's grid member left). */
    void expire(int id, Uuid incarnation) {
        Session s = session(id, incarnation);
        s.lastContactMs = Long.MIN_VALUE / 2;
    }

    long appliedOffset(int id, Uuid incarnation) {
        Session s = sessions.get(id);
        return s != null && s.incarnation.equals(incarnation) ? s.appliedOffset : -1;
    }

    long controlledShutdownOffset(int id, Uuid incarnation) {
        return session(id, incarnation).controlledShutdownOffset;
    }

    void setControlledShutdownOffset(int id, Uuid incarnation, long offset) {
        session(id, incarnation).controlledShutdownOffset = offset;
    }
}
