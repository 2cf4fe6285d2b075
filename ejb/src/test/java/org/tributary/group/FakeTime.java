package org.tributary.group;

import java.util.function.Supplier;
import org.apache.kafka.common.utils.Time;

/** A clock that moves only when a test says so. */
final class FakeTime implements Time {
    private long ms;

    FakeTime(long startMs) {
        this.ms = startMs;
    }

    @Override
    public synchronized long milliseconds() {
        return ms;
    }

    @Override
    public synchronized long nanoseconds() {
        return ms * 1_000_000L;
    }

    @Override
    public synchronized void sleep(long durationMs) {
        ms += durationMs;
    }

    @Override
    public void waitObject(Object obj, Supplier<Boolean> condition, long deadlineMs) {
        if (!condition.get()) {
            throw new IllegalStateException("FakeTime cannot wait");
        }
    }
}
