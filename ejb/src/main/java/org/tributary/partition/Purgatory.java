package org.tributary.partition;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;

/**
 * Delayed operations watched by partition. An event on a partition ({@link #checkAndComplete})
 * re-checks the operations watching it ({@link DelayedOperation#tryComplete(TopicPartition)}); a
 * timer completes the rest at their deadline. No thread sleeps while an operation waits.
 * Timed-out operations complete on {@code completionPool}. An operation that completes, however it
 * completes, stops being watched under all its keys: a fetch watching thousands of partitions is not
 * left behind under the partitions that saw no event.
 */
public final class Purgatory {
    private final String name;
    private final ScheduledExecutorService timer;
    private final ExecutorService completionPool;
    private final ConcurrentHashMap<TopicPartition, Set<DelayedOperation>> watchers = new ConcurrentHashMap<>();
    private volatile boolean closed;

    public Purgatory(String name, ScheduledExecutorService timer, ExecutorService completionPool) {
        this.name = name;
        this.timer = timer;
        this.completionPool = completionPool;
    }

    /**
     * Completes {@code op} now if possible, else watches it under {@code keys} until an event or
     * its timeout. Returns true when it completed immediately.
     */
    public boolean tryCompleteElseWatch(DelayedOperation op, Collection<TopicPartition> keys) {
        if (op.tryComplete()) {
            return true;
        }
        if (closed) {
            op.forceComplete();
            return true;
        }
        op.watchedUnder(keys);
        for (TopicPartition tp : keys) {
            // added inside the map's compute, so a set found empty and dropped at the same moment
            // (see forget) never takes an operation that no event would find
            watchers.compute(tp, (k, ops) -> {
                Set<DelayedOperation> set = ops != null ? ops : ConcurrentHashMap.newKeySet();
                set.add(op);
                return set;
            });
        }
        // an event may have fired between the first check and the watch
        if (op.isCompleted() || op.tryComplete()) {
            // completed by this check or by an event during the watch (whose unwatch may have run before every key was added)
            op.takeWatchKeys();
            remove(op, keys);
            return true;
        }
        op.setTimer(timer.schedule(() -> {
            try {
                completionPool.execute(() -> {
                    op.forceComplete();
                    unwatch(op);
                });
            } catch (RejectedExecutionException e) {
                op.forceComplete();
                unwatch(op);
            }
        }, op.timeoutMs(), TimeUnit.MILLISECONDS));
        return false;
    }

    /** Re-checks the operations watching {@code tp}; returns how many completed. */
    public int checkAndComplete(TopicPartition tp) {
        Set<DelayedOperation> ops = watchers.get(tp);
        if (ops == null || ops.isEmpty()) {
            return 0;
        }
        int done = 0;
        for (DelayedOperation op : List.copyOf(ops)) {
            if (op.isCompleted() || op.tryComplete(tp)) {
                ops.remove(op);
                unwatch(op);
                done++;
            }
        }
        return done;
    }

    /**
     * Re-checks, once each, the operations watching any of {@code tps} (after a metadata change of
     * many partitions: an operation watching thousands of them is tried once, not once per partition);
     * returns how many completed.
     */
    public int checkAndComplete(Collection<TopicPartition> tps) {
        Set<DelayedOperation> ops = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (TopicPartition tp : tps) {
            Set<DelayedOperation> w = watchers.get(tp);
            if (w != null) {
                ops.addAll(w);
            }
        }
        int done = 0;
        for (DelayedOperation op : ops) {
            if (op.isCompleted() || op.tryComplete()) {
                unwatch(op);
                done++;
            }
        }
        return done;
    }

    /** Number of operations waiting (for tests and metrics). */
    public int watched() {
        return (int) watchers.values().stream().flatMap(Set::stream).filter(o -> !o.isCompleted()).distinct().count();
    }

    /** Operations watched under {@code tp}, completed or not (tests: nothing is left behind). */
    public int watchersOf(TopicPartition tp) {
        Set<DelayedOperation> ops = watchers.get(tp);
        return ops == null ? 0 : ops.size();
    }

    /** Stops watching {@code op} under all its keys (once; later calls do nothing). */
    private void unwatch(DelayedOperation op) {
        Collection<TopicPartition> keys = op.takeWatchKeys();
        if (keys != null) {
            remove(op, keys);
        }
    }

    private void remove(DelayedOperation op, Collection<TopicPartition> keys) {
        for (TopicPartition tp : keys) {
            Set<DelayedOperation> ops = watchers.get(tp);
            if (ops != null) {
                ops.remove(op);
            }
        }
    }

    /**
     * The partition {@code tp} is gone from this broker (deleted, or moved away): its set is
     * forgotten if no operation watches it any more, so such partitions leave nothing behind. The
     * sets of partitions still here stay, empty or not, for the next operation (a follower's fetch
     * watches thousands of partitions on every round). Atomic with adds, which run in the map's
     * compute too.
     */
    public void forget(TopicPartition tp) {
        watchers.computeIfPresent(tp, (k, ops) -> ops.isEmpty() ? null : ops);
    }

    /** Partitions with a set of watchers (tests: sets are not kept once empty). */
    int watchedKeys() {
        return watchers.size();
    }

    /** Completes every waiting operation now (shutdown). */
    public void close() {
        closed = true;
        for (Set<DelayedOperation> ops : watchers.values()) {
            for (DelayedOperation op : List.copyOf(ops)) {
                op.forceComplete();
            }
        }
        watchers.clear();
    }

    @Override
    public String toString() {
        return "Purgatory(" + name + ")";
    }
}
