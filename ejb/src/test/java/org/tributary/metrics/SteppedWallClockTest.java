package org.tributary.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The broker's meters measure their intervals on the monotonic clock; the wall clock only stamps
 * snapshots. A wall clock stepped back by an hour (NTP, an operator) must not freeze the rates, and
 * one stepped forward must not decay them to nothing.
 */
class SteppedWallClockTest {
    private final AtomicLong wall = new AtomicLong(1_700_000_000_000L);
    private final AtomicLong monotonic = new AtomicLong(5_000_000L);
    private final BrokerMetrics metrics = new BrokerMetrics(wall::get, monotonic::get);

    private void advance(long ms) {
        wall.addAndGet(ms);
        monotonic.addAndGet(ms);
    }

    @Test
    void ratesFollowTheMonotonicClockWhateverTheWallClockDoes() {
        for (int i = 0; i < 60; i++) { // one ISR shrink a second for a minute
            advance(500);
            metrics.isrShrunk();
            advance(500);
        }
        assertEquals(1.0, metrics.snapshot().isrShrinks().oneMinuteRate(), 1e-9);

        wall.addAndGet(-3_600_000); // stepped back an hour: the minute that follows still counts
        for (int i = 0; i < 60; i++) {
            advance(500);
            metrics.isrShrunk();
            advance(500);
        }
        MetricsSnapshot s = metrics.snapshot();
        assertEquals(120, s.isrShrinks().count());
        assertEquals(1.0, s.isrShrinks().oneMinuteRate(), 1e-9, "a steady rate stays the rate across the step");
        assertEquals(wall.get(), s.atMillis(), "snapshots carry wall time");

        wall.addAndGet(86_400_000); // stepped forward a day: no time passed for the meters
        assertEquals(1.0, metrics.snapshot().isrShrinks().oneMinuteRate(), 1e-9);
        assertEquals(120.0 / 120, metrics.snapshot().isrShrinks().meanRate(), 1e-9);
    }
}
