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
        purgatory.close();
    }
}
