package org.tributary.partition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An event on one partition checks the operations watching it with that partition as the key, and
 * an operation completed by it is no longer watched under any of its other partitions.
 */
class PurgatoryTest {
    final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    final ExecutorService pool = Executors.newSingleThreadExecutor();

    @AfterEach
    void stop() {
        timer.shutdownNow();
        pool.shutdownNow();
    }

    @Test
    void anOperationCompletedByOnePartitionIsUnwatchedFromAllOfThem() {
        Purgatory purgatory = new Purgatory("fetch", timer, pool);
        List<TopicPartition> keys = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            keys.add(new TopicPartition("t", i));
        }
        List<TopicPartition> checkedFor = new ArrayList<>();
        DelayedOperation op = new DelayedOperation(60_000) {
            @Override
            public boolean tryComplete() {
                return false;
            }

            @Override
            public boolean tryComplete(TopicPartition key) {
                checkedFor.add(key);
                return key.partition() == 42 && forceComplete();
            }

            @Override
            protected void onComplete() {
            }
        };
        purgatory.tryCompleteElseWatch(op, keys);
        assertEquals(1, purgatory.watchersOf(keys.get(7)));
        assertEquals(0, purgatory.checkAndComplete(keys.get(7)));
        assertEquals(1, purgatory.checkAndComplete(keys.get(42)));
        assertEquals(List.of(keys.get(7), keys.get(42)), checkedFor, "each event checks with its own partition");
        assertTrue(op.isCompleted());
        for (TopicPartition tp : keys) {
            assertEquals(0, purgatory.watchersOf(tp), "nothing left watching " + tp);
        }
        assertEquals(0, purgatory.watched());
        assertEquals(100, purgatory.watchedKeys(), "the (empty) sets stay for the next operation on these partitions");
        purgatory.forget(keys.get(7));
        assertEquals(99, purgatory.watchedKeys(), "a partition gone from the broker leaves nothing behind");
        purgatory.close();
    }

    /**
     * Operations watched and completed from many threads over the same few partitions while their
     * sets are forgotten whenever empty: an operation watched at that moment is never put into a
     * forgotten set (an append must still find it).
     */
    @Test
    void setsEmptiedWhileOthersWatchTheSamePartitionsLoseNoOperation() throws Exception {
        Purgatory purgatory = new Purgatory("fetch", timer, pool);
        List<TopicPartition> keys = List.of(new TopicPartition("t", 0), new TopicPartition("t", 1), new TopicPartition("t", 2));
        int threads = 4;
        int perThread = 5_000;
        java.util.concurrent.atomic.AtomicInteger lost = new java.util.concurrent.atomic.AtomicInteger();
        ExecutorService workers = Executors.newFixedThreadPool(threads);
        try {
            List<java.util.concurrent.Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(workers.submit(() -> {
                    for (int i = 0; i < perThread; i++) {
                        java.util.concurrent.atomic.AtomicBoolean ready = new java.util.concurrent.atomic.AtomicBoolean();
                        DelayedOperation op = new DelayedOperation(60_000) {
                            @Override
                            public boolean tryComplete() {
                                return ready.get() && forceComplete();
                            }

                            @Override
                            protected void onComplete() {
                            }
                        };
                        purgatory.tryCompleteElseWatch(op, keys);
                        ready.set(true);
                        // the event on the watched partition: it must find the operation
                        purgatory.checkAndComplete(keys.get(i % keys.size()));
                        purgatory.forget(keys.get((i + 1) % keys.size()));
                        if (!op.isCompleted()) {
                            lost.incrementAndGet();
                            op.forceComplete();
                        }
                    }
                }));
            }
            for (java.util.concurrent.Future<?> f : done) {
                f.get(60, java.util.concurrent.TimeUnit.SECONDS);
            }
        } finally {
            workers.shutdownNow();
        }
        assertEquals(0, lost.get(), "operations an event on their partition did not find");
        for (TopicPartition tp : keys) {
            assertEquals(0, purgatory.watchersOf(tp), "nothing left watching " + tp);
            purgatory.forget(tp);
        }
        assertEquals(0, purgatory.watchedKeys());
        purgatory.close();
    }
}
