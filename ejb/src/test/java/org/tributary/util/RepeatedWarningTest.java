package org.tributary.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.tributary.testing.LogCapture;

class RepeatedWarningTest {
    private final Logger log = Logger.getLogger("test.repeated-warning");
    private final AtomicLong now = new AtomicLong(1_000_000);
    private LogCapture capture;

    @BeforeEach
    void capture() {
        log.setUseParentHandlers(false);
        capture = LogCapture.on(log.getName());
    }

    @AfterEach
    void release() {
        capture.close();
    }

    private RepeatedWarning warning() {
        return new RepeatedWarning(log, "TRIB-T-1", "bad frames", 60_000, 3, now::get);
    }

    @Test
    void firstIsLoggedInFullThenOneSummaryPerInterval() {
        RepeatedWarning w = warning();
        for (int i = 0; i < 10_000; i++) {
            int n = i;
            w.warn("10.0.0." + (i % 5), () -> "frame " + n + " is bad");
            now.addAndGet(10); // 10,000 warnings over 100 s
        }
        // the first in full, then a summary when the first interval has ended (at 60 s); the rest is pending
        assertEquals(2, capture.messages().size(), capture.messages().toString());
        assertEquals("TRIB-T-1 frame 0 is bad", capture.messages().get(0));
        assertTrue(capture.messages().get(1).startsWith("TRIB-T-1 6000 more bad frames from 10.0.0.1, 10.0.0.2, 10.0.0.3 and others (last: frame 6000 is bad)"),
                capture.messages().get(1));
        assertEquals(3999, w.pending());
        w.flush(); // interval not over yet: nothing
        assertEquals(2, capture.messages().size());
        now.addAndGet(20_000);
        w.flush();
        assertEquals(3, capture.messages().size());
        assertTrue(capture.messages().get(2).startsWith("TRIB-T-1 3999 more bad frames from "), capture.messages().get(2));
        assertEquals(0, w.pending());
    }

    @Test
    void aQuietIntervalLogsTheNextOneInFullAgain() {
        RepeatedWarning w = warning();
        w.warn("a", () -> "one");
        now.addAndGet(60_000);
        w.flush(); // nothing pending: no line
        w.warn("b", () -> "two");
        assertEquals(List.of("TRIB-T-1 one", "TRIB-T-1 two"), capture.messages());
    }

    @Test
    void summaryNamesOnlyTheFirstAddressesAndDetailIsBuiltOnlyWhenNeeded() {
        RepeatedWarning w = warning();
        w.warn("a", () -> "first");
        AtomicLong built = new AtomicLong();
        w.warn("a", () -> "x" + built.incrementAndGet());
        w.warn("b", () -> "y" + built.incrementAndGet());
        w.warn(null, () -> "z" + built.incrementAndGet());
        now.addAndGet(60_000);
        w.flush();
        assertEquals(2, capture.messages().size());
        assertTrue(capture.messages().get(1).startsWith("TRIB-T-1 3 more bad frames from a, b, unknown (last: z3)"), capture.messages().get(1));
    }
}
