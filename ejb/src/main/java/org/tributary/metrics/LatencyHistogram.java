package org.tributary.metrics;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongSupplier;

/**
 * Request latencies over a sliding window (by default the last minute, in six 10-second slots),
 * bucketed log-linearly in microseconds: exact below 16 µs, then 16 buckets per power of two
 * (at most 1/16 relative error). Recording is one array increment, lock-free except when a slot
 * rotates; percentiles are computed on demand from the slots still inside the window.
 */
public final class LatencyHistogram {
    static final int SUB_BITS = 4;
    private static final int SUB = 1 << SUB_BITS;
    /** Buckets for values up to 2^42 µs (about 50 days). */
    static final int BUCKETS = SUB + (42 - SUB_BITS) * SUB;

    private final LongSupplier clockMillis;
    private final long slotMillis;
    private final Slot[] slots;

    private static final class Slot {
        volatile long tick = Long.MIN_VALUE;
        final AtomicLongArray counts = new AtomicLongArray(BUCKETS);
    }

    /** A window of {@code slotCount} slots of {@code slotMillis} each, on the given millisecond clock. */
    public LatencyHistogram(LongSupplier clockMillis, long slotMillis, int slotCount) {
        if (slotMillis <= 0 || slotCount <= 0) {
            throw new IllegalArgumentException("slotMillis and slotCount must be positive");
        }
        this.clockMillis = clockMillis;
        this.slotMillis = slotMillis;
        this.slots = new Slot[slotCount];
        for (int i = 0; i < slotCount; i++) {
            slots[i] = new Slot();
        }
    }

    /** The last minute in 10-second slots. */
    public static LatencyHistogram lastMinute(LongSupplier clockMillis) {
        return new LatencyHistogram(clockMillis, 10_000, 6);
    }

    public void recordNanos(long nanos) {
        recordMicros(Math.max(0, nanos) / 1_000);
    }

    public void recordMicros(long micros) {
        long tick = clockMillis.getAsLong() / slotMillis;
        Slot s = slots[(int) Math.floorMod(tick, (long) slots.length)];
        if (s.tick != tick) {
            synchronized (s) {
                if (s.tick != tick) {
                    for (int i = 0; i < BUCKETS; i++) {
                        s.counts.set(i, 0);
                    }
                    s.tick = tick;
                }
            }
        }
        s.counts.incrementAndGet(bucket(micros));
    }

    static int bucket(long micros) {
        if (micros < SUB) {
            return (int) Math.max(0, micros);
        }
        int exp = 63 - Long.numberOfLeadingZeros(micros);
        int sub = (int) (micros >>> (exp - SUB_BITS)) & (SUB - 1);
        int idx = SUB + (exp - SUB_BITS) * SUB + sub;
        return Math.min(idx, BUCKETS - 1);
    }

    /** The largest value a bucket holds, in microseconds. */
    static long upperBound(int bucket) {
        if (bucket < SUB) {
            return bucket;
        }
        int exp = (bucket - SUB) / SUB + SUB_BITS;
        long sub = (bucket - SUB) % SUB;
        long low = (1L << exp) + (sub << (exp - SUB_BITS));
        return low + (1L << (exp - SUB_BITS)) - 1;
    }

    /** Percentiles over the slots inside the window now. */
    public Percentiles snapshot() {
        long tick = clockMillis.getAsLong() / slotMillis;
        long[] sum = new long[BUCKETS];
        long count = 0;
        for (Slot s : slots) {
            long t = s.tick;
            if (t > tick - slots.length && t <= tick) {
                for (int i = 0; i < BUCKETS; i++) {
                    long c = s.counts.get(i);
                    sum[i] += c;
                    count += c;
                }
            }
        }
        if (count == 0) {
            return Percentiles.EMPTY;
        }
        double[] qs = Percentiles.QUANTILES;
        double[] values = new double[qs.length];
        long seen = 0;
        int q = 0;
        int max = 0;
        for (int i = 0; i < BUCKETS; i++) {
            if (sum[i] == 0) {
                continue;
            }
            seen += sum[i];
            max = i;
            while (q < qs.length && seen >= Math.ceil(qs[q] * count)) {
                values[q++] = upperBound(i) / 1000.0;
            }
        }
        return new Percentiles(count, values, upperBound(max) / 1000.0);
    }
}
