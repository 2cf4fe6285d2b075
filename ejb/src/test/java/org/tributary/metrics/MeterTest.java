package org.tributary.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.tributary.testing.FakeTime;

/** Kafka's meter rates (count, mean, one/five/fifteen-minute exponentially weighted) with injected time. */
class MeterTest {
    final FakeTime time = new FakeTime(1_000_000);
    final Meter meter = new Meter(time::milliseconds);

    @Test
    void oneEventASecondForAMinuteIsOnePerSecondThenTheAveragesDecayByTheirWindows() {
        time.advance(500);
        for (int i = 0; i < 60; i++) {
            meter.mark();
            time.advance(1_000);
        }
        // now 60.5 s after the start: twelve five-second intervals closed, each with five events
        Meter.Rates r = meter.rates();
        assertEquals(60, r.count());
        assertEquals(1.0, r.oneMinuteRate(), 1e-9);
        assertEquals(1.0, r.fiveMinuteRate(), 1e-9, "the first interval sets every average to its rate, as Kafka's meters do");
        assertEquals(1.0, r.fifteenMinuteRate(), 1e-9);
        assertEquals(60 / 60.5, r.meanRate(), 1e-9);

        time.advance(60_000); // a quiet minute: twelve intervals without events
        Meter.Rates later = meter.rates();
        assertEquals(60, later.count());
        assertEquals(Math.exp(-1), later.oneMinuteRate(), 1e-9, "e^-1 of the rate is left after one window");
        assertEquals(Math.exp(-1 / 5.0), later.fiveMinuteRate(), 1e-9);
        assertEquals(Math.exp(-1 / 15.0), later.fifteenMinuteRate(), 1e-9);
        assertEquals(60 / 120.5, later.meanRate(), 1e-9);

        time.advance(3_600_000); // an hour later the moving rates are gone, the mean is not
        Meter.Rates hour = meter.rates();
        assertEquals(0.0, hour.oneMinuteRate(), 1e-12);
        assertEquals(Math.exp(-61 / 5.0), hour.fiveMinuteRate(), 1e-12);
        assertEquals(60 / 3720.5, hour.meanRate(), 1e-9);
    }

    @Test
    void eachEventCountsInTheIntervalItHappenedInWhenReadLate() {
        meter.mark(10); // in the first interval
        time.advance(5_000);
        meter.mark(5); // in the second (the first closes now, with 10)
        time.advance(20_000); // read 25 s in: intervals 2..5 closed, the second with 5 events
        Meter.Rates r = meter.rates();
        double alpha = 1 - Math.exp(-5 / 60.0);
        double expected = (2.0 + alpha * (1.0 - 2.0)) * Math.pow(1 - alpha, 3);
        assertEquals(expected, r.oneMinuteRate(), 1e-12);
        assertEquals(15, r.count());
        assertEquals(15 / 25.0, r.meanRate(), 1e-12);
    }

    @Test
    void beforeTheFirstIntervalClosesOnlyTheMeanMoves() {
        time.advance(1_000);
        meter.mark(5);
        time.advance(3_000);
        Meter.Rates r = meter.rates();
        assertEquals(new Meter.Rates(5, 5 / 4.0, 0, 0, 0), r);
        assertEquals(Meter.Rates.ZERO, new Meter(time::milliseconds).rates());
    }
}
