package org.tributary.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LatencyHistogramTest {
    private final AtomicLong now = new AtomicLong(1_000_000);
    private final LatencyHistogram h = new LatencyHistogram(now::get, 10_000, 6);

    @Test
    void bucketsNeverUnderstateAndStayWithinASixteenth() {
        int previous = -1;
        for (long v = 0; v < 5_000_000; v = v < 100 ? v + 1 : v + v / 7) {
            int b = LatencyHistogram.bucket(v);
            assertTrue(b >= previous, "buckets grow with the value at " + v);
            previous = b;
            long upper = LatencyHistogram.upperBound(b);
            assertTrue(upper >= v, v + " -> " + upper);
            assertTrue(upper - v <= Math.max(0, v / 16), v + " -> " + upper);
        }
        assertEquals(LatencyHistogram.BUCKETS - 1, LatencyHistogram.bucket(Long.MAX_VALUE));
    }

    @Test
    void percentilesOfAKnownDistribution() {
        for (int i = 1; i <= 1000; i++) {
            h.recordMicros(i); // 1 µs .. 1 ms, uniform
        }
        Percentiles p = h.snapshot();
        assertEquals(1000, p.count());
        assertNear(0.500, p.p50());
        assertNear(0.750, p.at(0.75));
        assertNear(0.950, p.at(0.95));
        assertNear(0.990, p.p99());
        assertNear(0.999, p.at(0.999));
        assertNear(1.000, p.maxMs());
        assertTrue(p.p50() <= p.at(0.75) && p.at(0.75) <= p.at(0.95) && p.at(0.95) <= p.p99() && p.p99() <= p.maxMs());
    }

    @Test
    void aSingleSlowRequestShowsOnlyInTheTopPercentiles() {
        for (int i = 0; i < 999; i++) {
            h.recordNanos(2_000_000); // 2 ms
        }
        h.recordNanos(3_000_000_000L); // 3 s
        Percentiles p = h.snapshot();
        assertNear(2.0, p.p99());
        assertNear(2.0, p.at(0.999)); // the 999th of 1000 values is still 2 ms
        assertNear(3000.0, p.maxMs());
    }

    @Test
    void oldValuesLeaveTheWindow() {
        h.recordMicros(100);
        now.addAndGet(30_000);
        h.recordMicros(5_000);
        assertEquals(2, h.snapshot().count());
        now.addAndGet(35_000); // the first slot is now more than a minute old
        Percentiles p = h.snapshot();
        assertEquals(1, p.count());
        assertNear(5.0, p.p50());
        now.addAndGet(60_000);
        assertEquals(0, h.snapshot().count());
        assertEquals(0.0, h.snapshot().p99());
        h.recordMicros(7); // a reused slot starts empty
        assertEquals(1, h.snapshot().count());
        assertEquals(0.007, h.snapshot().maxMs(), 1e-9);
    }

    @Test
    void concurrentRecordingLosesNothingWithinASlot() throws Exception {
        Thread[] threads = new Thread[4];
        for (int t = 0; t < threads.length; t++) {
            threads[t] = new Thread(() -> {
                for (int i = 0; i < 50_000; i++) {
                    h.recordMicros(i % 3000);
                }
            });
            threads[t].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(200_000, h.snapshot().count());
    }

    private static void assertNear(double expected, double actual) {
        assertTrue(actual >= expected && actual <= expected * 1.07 + 0.001, "expected about " + expected + " but was " + actual);
    }
}
