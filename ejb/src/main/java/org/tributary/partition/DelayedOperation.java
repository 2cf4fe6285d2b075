package org.tributary.partition;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A request that waits for an event (new data for a long-poll fetch, the ISR catching up for
 * acks=all) or its timeout, whichever comes first. {@link #tryComplete} checks the condition and
 * calls {@link #forceComplete} when it holds; {@link #onComplete} runs exactly once.
 */
public abstract class DelayedOperation {
    private final AtomicBoolean completed = new AtomicBoolean();
    private final long timeoutMs;
    private volatile ScheduledFuture<?> timer;

    protected DelayedOperation(long timeoutMs) {
        this.timeoutMs = timeoutMs;
    }

    public long timeoutMs() {
        return timeoutMs;
    }

    /** Completes now if the condition holds; returns whether this call completed it. */
    public abstract boolean tryComplete();

    /** Builds and sends the answer; runs once, on the thread that completed the operation. */
    protected abstract void onComplete();

    public final boolean isCompleted() {
        return completed.get();
    }

    /** Completes regardless of the condition (timeout, shutdown). */
    public final boolean forceComplete() {
        if (completed.compareAndSet(false, true)) {
            ScheduledFuture<?> t = timer;
            if (t != null) {
                t.cancel(false);
            }
            onComplete();
            return true;
        }
        return false;
    }

    void setTimer(ScheduledFuture<?> timer) {
        this.timer = timer;
        if (completed.get()) {
            timer.cancel(false);
        }
    }
}
