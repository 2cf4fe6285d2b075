package org.tributary.partition;

import java.util.Collection;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.TopicPartition;

/**
 * A request that waits for an event (new data for a long-poll fetch, the ISR catching up for
 * acks=all) or its timeout, whichever comes first. {@link #tryComplete} checks the condition and
 * calls {@link #forceComplete} when it holds; {@link #onComplete} runs exactly once.
 */
public abstract class DelayedOperation {
    private final AtomicBoolean completed = new AtomicBoolean();
    private final long timeoutMs;
    private volatile ScheduledFuture<?> timer;
    /** The keys a purgatory watches this operation under, until it stops watching it; null when not watched. */
    private final AtomicReference<Collection<TopicPartition>> watchKeys = new AtomicReference<>();

    protected DelayedOperation(long timeoutMs) {
        this.timeoutMs = timeoutMs;
    }

    public long timeoutMs() {
        return timeoutMs;
    }

    /** Completes now if the condition holds; returns whether this call completed it. */
    public abstract boolean tryComplete();

    /**
     * As {@link #tryComplete()} after an event on {@code key} alone (an append, a moved high
     * watermark): an operation that waits on many partitions may look at that one only. By default
     * the whole condition is checked.
     */
    public boolean tryComplete(TopicPartition key) {
        return tryComplete();
    }

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

    void watchedUnder(Collection<TopicPartition> keys) {
        watchKeys.set(keys);
    }

    /** The keys to stop watching this operation under, once: null when not watched or already taken. */
    Collection<TopicPartition> takeWatchKeys() {
        return watchKeys.getAndSet(null);
    }

    void setTimer(ScheduledFuture<?> timer) {
        this.timer = timer;
        if (completed.get()) {
            timer.cancel(false);
        }
    }
}
