package org.tributary.metrics;

import java.util.Arrays;

/**
 * Latency percentiles in milliseconds over a recent window, with the number of values they are
 * computed from. Each value is the upper bound of its histogram bucket, so it never understates.
 */
public record Percentiles(long count, double[] valuesMs, double maxMs) {
    /** The quantiles reported, as Kafka's histograms report them (50th ... 99.9th percentile). */
    static final double[] QUANTILES = {0.50, 0.75, 0.95, 0.98, 0.99, 0.999};
    static final Percentiles EMPTY = new Percentiles(0, new double[QUANTILES.length], 0);

    public Percentiles {
        valuesMs = valuesMs.clone();
    }

    public static double[] quantiles() {
        return QUANTILES.clone();
    }

    @Override
    public double[] valuesMs() {
        return valuesMs.clone();
    }

    /** The value at {@code quantile}, which must be one of {@link #quantiles()}. */
    public double at(double quantile) {
        for (int i = 0; i < QUANTILES.length; i++) {
            if (QUANTILES[i] == quantile) {
                return valuesMs[i];
            }
        }
        throw new IllegalArgumentException("not a reported quantile: " + quantile);
    }

    public double p50() {
        return valuesMs[0];
    }

    public double p99() {
        return valuesMs[4];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Percentiles p && p.count == count && p.maxMs == maxMs && Arrays.equals(p.valuesMs, valuesMs);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(count) * 31 + Arrays.hashCode(valuesMs);
    }

    @Override
    public String toString() {
        return "Percentiles[count=" + count + ", ms=" + Arrays.toString(valuesMs) + ", max=" + maxMs + "]";
    }
}
