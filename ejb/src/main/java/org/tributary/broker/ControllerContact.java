package org.tributary.broker;

import java.util.Collection;
import java.util.Locale;
import java.util.TreeSet;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * Whether this broker can reach the active controller, told to operators once per loss: one
 * WARNING (TRIB-0047) when no controller has answered a registration or heartbeat for longer than
 * the broker's session timeout ({@code broker.session.timeout.ms}, after which a controller
 * would fence it), nothing more while that lasts (each failed attempt stays at FINE, TRIB-0040),
 * and one INFO (TRIB-0048) when a controller answers again; a later loss warns again. Any answer
 * counts, an error code too: it comes from the active controller. The silence is checked as each
 * round fails, and a round without an answer takes up to the lifecycle's request timeout, so the
 * warning comes up to a few seconds after the session timeout has passed.
 *
 * <p>The clock (milliseconds; monotonic in production, so a stepped wall clock neither fakes nor
 * hides a silence) is injected so tests move time. Thread-safe (the lifecycle calls it from its
 * scheduler; the methods are synchronized).
 */
public final class ControllerContact {
    private static final Logger LOG = Logger.getLogger(BrokerLifecycle.class.getName());

    private final int brokerId;
    private final LongSupplier clockMs;
    private final long sessionTimeoutMs;
    private final String voterIds;
    private final IntSupplier controllerId;
    private long lastAnswerMs;
    private boolean lost;

    /**
     * @param voterIds     the metadata quorum's voters, named in the warning
     * @param controllerId the active controller's id as known here (-1 if none), named when contact returns
     */
    public ControllerContact(int brokerId, LongSupplier clockMs, long sessionTimeoutMs, Collection<Integer> voterIds,
            IntSupplier controllerId) {
        this.brokerId = brokerId;
        this.clockMs = clockMs;
        this.sessionTimeoutMs = sessionTimeoutMs;
        this.voterIds = new TreeSet<>(voterIds).stream().map(String::valueOf).collect(Collectors.joining(", "));
        this.controllerId = controllerId;
        this.lastAnswerMs = clockMs.getAsLong();
    }

    /** The controller answered (any answer): logs TRIB-0048 if it had been lost. */
    public synchronized void answered() {
        long now = clockMs.getAsLong();
        if (lost) {
            lost = false;
            int id = controllerId.getAsInt();
            String silent = seconds(now - lastAnswerMs);
            LOG.info(() -> "TRIB-0048 Broker " + brokerId + ": " + (id >= 0 ? "controller " + id : "the active controller")
                    + " reachable again after " + silent + " s");
        }
        lastAnswerMs = now;
    }

    /** A registration or heartbeat got no answer: logs TRIB-0047 once the silence is longer than the session timeout. */
    public synchronized void failed() {
        long silentMs = clockMs.getAsLong() - lastAnswerMs;
        if (!lost && silentMs > sessionTimeoutMs) {
            lost = true;
            LOG.warning(() -> "TRIB-0047 Broker " + brokerId + ": no active controller reachable for " + seconds(silentMs)
                    + " s (longer than broker.session.timeout.ms = " + sessionTimeoutMs + "): is a majority of the metadata quorum's"
                    + " voters (ids " + voterIds + ") running and reachable? Until one answers, topic and config changes"
                    + " through this broker time out");
        }
    }

    /** True from the warning until a controller answers again. */
    public synchronized boolean lost() {
        return lost;
    }

    private static String seconds(long ms) {
        return String.format(Locale.ROOT, "%.1f", ms / 1000.0);
    }
}
