package org.tributary.metrics;

import java.util.function.LongSupplier;

/**
 * A count of events with the rates Kafka's meters expose ({@code Count}, {@code MeanRate},
 * {@code OneMinuteRate}, {@code FiveMinuteRate}, {@code FifteenMinuteRate}; e.g.
 * {@code kafka.server:type=ReplicaManager,name=IsrShrinksPerSec}), all in events per second.
 *
 * <p>The moving rates are exponentially weighted as in the metrics library Kafka uses: every five
 * seconds since the meter was made, the events of those five seconds give an instant rate {@code r}
 * and each average becomes {@code rate + alpha * (r - rate)}, where
 * {@code alpha = 1 - exp(-5 s / window)} for windows of one, five and fifteen minutes; the first
 * five seconds set all three to their instant rate. The mean rate is the count over the time since
 * the meter was made.
 *
 * <p>Time comes from the given clock (milliseconds), and intervals are closed when the meter is
 * marked or read, each event counting in the interval it happened in, so rates are exact at any
 * reading without a thread of their own. Thread-safe; meant for events that are not on a hot path
 * (ISR changes), as every call takes the meter's lock.
 */
public final class Meter {
    static final long TICK_MS = 5_000;
    private static final double[] WINDOW_MINUTES = {1, 5, 15};

    private final LongSupplier clockMillis;
    private final long startMs;
    private final double[] alphas = new double[WINDOW_MINUTES.length];
    private final double[] rates = new double[WINDOW_MINUTES.length];
    private boolean initialized;
    private long lastTickMs;
    private long uncounted;
    private long count;

    /** The meter's values at one moment (rates in events per second). */
    public record Rates(long count, double meanRate, double oneMinuteRate, double fiveMinuteRate, double fifteenMinuteRate) {
        public static final Rates ZERO = new Rates(0, 0, 0, 0, 0);
    }

    public Meter(LongSupplier clockMillis) {
        this.clockMillis = clockMillis;
        this.startMs = clockMillis.getAsLong();
        this.lastTickMs = startMs;
        for (int i = 0; i < alphas.length; i++) {
            alphas[i] = 1 - Math.exp(-(TICK_MS / 1000.0) / 60.0 / WINDOW_MINUTES[i]);
        }
    }

    /** One event now. */
    public void mark() {
        mark(1);
    }

    /** {@code n} events now. */
    public synchronized void mark(long n) {
        tickIfDue(clockMillis.getAsLong());
        uncounted += n;
        count += n;
    }

    public synchronized Rates rates() {
        long now = clockMillis.getAsLong();
        tickIfDue(now);
        double elapsedSeconds = (now - startMs) / 1000.0;
        double mean = count == 0 || elapsedSeconds <= 0 ? 0 : count / elapsedSeconds;
        return new Rates(count, mean, rates[0], rates[1], rates[2]);
    }

    /**
     * Closes every whole five-second interval that ended by {@code now}: the first holds the events
     * not yet counted, the others none (their decay is applied at once, however many there are).
     */
    private void tickIfDue(long now) {
        long due = (now - lastTickMs) / TICK_MS;
        if (due <= 0) {
            return;
        }
        double instant = uncounted / (TICK_MS / 1000.0);
        uncounted = 0;
        for (int i = 0; i < rates.length; i++) {
            double r = initialized ? rates[i] + alphas[i] * (instant - rates[i]) : instant;
            rates[i] = r * Math.pow(1 - alphas[i], due - 1);
        }
        initialized = true;
        lastTickMs += due * TICK_MS;
    }
}
