package org.tributary.util;

/**
 * A rate over sliding sample windows, as Kafka's quota sensors measure it: {@code samples}
 * windows of {@code windowMs} each; the rate is the total of the windows still current divided by
 * the time they span, counted as at least {@code samples - 1} whole windows, so a new client does
 * not see a huge rate from its first bytes (and may burst up to that much at first).
 *
 * <p>Thread-safe (synchronized: one client's requests are few at a time).
 */
public final class SampledRate {
    private final int samples;
    private final long windowMs;
    private final double[] values;
    private final long[] starts;
    private int current;
    private long lastRecordMs;

    public SampledRate(int samples, long windowMs, long nowMs) {
        if (samples < 2 || windowMs <= 0) {
            throw new IllegalArgumentException("samples must be >= 2 and windowMs > 0");
        }
        this.samples = samples;
        this.windowMs = windowMs;
        this.values = new double[samples];
        this.starts = new long[samples];
        java.util.Arrays.fill(starts, Long.MIN_VALUE);
        starts[0] = nowMs;
        this.lastRecordMs = nowMs;
    }

    public synchronized void record(double value, long nowMs) {
        roll(nowMs);
        values[current] += value;
        lastRecordMs = nowMs;
    }

    /** The rate per second at {@code nowMs}. */
    public synchronized double rate(long nowMs) {
        roll(nowMs);
        return total(nowMs) * 1000.0 / spanMs(nowMs);
    }

    /** The time the current windows span, at least {@code samples - 1} windows (Kafka's Rate.windowSize). */
    public synchronized long spanMs(long nowMs) {
        long oldest = nowMs;
        for (int i = 0; i < samples; i++) {
            if (starts[i] != Long.MIN_VALUE && !expired(i, nowMs)) {
                oldest = Math.min(oldest, starts[i]);
            }
        }
        long span = nowMs - oldest;
        long whole = span / windowMs;
        if (whole < samples - 1) {
            span += (samples - 1 - whole) * windowMs;
        }
        return Math.max(span, 1);
    }

    public synchronized long lastRecordMs() {
        return lastRecordMs;
    }

    private double total(long nowMs) {
        double t = 0;
        for (int i = 0; i < samples; i++) {
            if (starts[i] != Long.MIN_VALUE && !expired(i, nowMs)) {
                t += values[i];
            }
        }
        return t;
    }

    private boolean expired(int i, long nowMs) {
        return nowMs - starts[i] >= (long) samples * windowMs;
    }

    private void roll(long nowMs) {
        if (nowMs - starts[current] < windowMs) {
            return;
        }
        current = (current + 1) % samples;
        starts[current] = nowMs;
        values[current] = 0;
    }
}
