package org.tributary.testing;

import java.util.function.Supplier;

import org.apache.kafka.common.utils.Time;

/** A clock that moves only when a test says so. */
public final class FakeTime implements Time {
    private long ms;

    public FakeTime(long startMs) {
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

    public synchronized void advance(long durationMs) {
        ms += durationMs;
    }

    @Override
    public void waitObject(Object obj, Supplier<Boolean> condition, long deadlineMs) {
        if (!condition.get()) {
            throw new IllegalStateException("FakeTime cannot wait");
        }
    }
}
