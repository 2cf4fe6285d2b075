package org.tributary.partition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tributary.log.LogManager;
import org.tributary.metadata.MetadataImage;
import org.tributary.metadata.TopicImage;
import org.tributary.testing.FakeTime;

/**
 * The work of applying a metadata image follows what the image changed, not how many partitions
 * the broker holds: creating topics one batch after another must not cost the square of their number.
 */
class ReplicaManagerWorkTest {
    @TempDir
    Path tmp;
    final FakeTime time = new FakeTime(1_700_000_000_000L);
    final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    final ExecutorService pool = Executors.newSingleThreadExecutor();

    @AfterEach
    void stop() {
        timer.shutdownNow();
        pool.shutdownNow();
    }

    private static TopicImage topic(String name, int partitions) {
        return new TopicImage(name, Uuid.randomUuid(), java.util.Collections.nCopies(partitions, List.of(1)), Map.of());
    }

    @Test
    void anImageThatAddsOrRemovesOneTopicLooksAtThatTopicsPartitionsOnly() throws Exception {
        try (LogManager logs = LogManager.open(tmp.resolve("logs"), Map.of(), time, null)) {
            ReplicaManager rm = new ReplicaManager(logs, Map.of(), tmp.resolve("ps"), 1, timer, pool);
            MetadataImage img = MetadataImage.EMPTY;
            for (int i = 0; i < 20; i++) {
                img = img.with(topic("t-" + i, 10));
            }
            rm.accept(img);
            assertEquals(200, rm.partitions().size());
            long before = rm.partitionsVisited();
            img = img.with(topic("new", 10));
            rm.accept(img);
            assertEquals(20, rm.partitionsVisited() - before, "one new topic of 10 partitions: each applied and checked once, not 210");
            before = rm.partitionsVisited();
            rm.accept(img.without("t-7"));
            assertEquals(10, rm.partitionsVisited() - before, "one deleted topic: its 10 partitions");
            assertFalse(rm.replica(new TopicPartition("t-7", 3)).isPresent());
            assertTrue(rm.replica(new TopicPartition("t-8", 3)).isPresent());
            before = rm.partitionsVisited();
            rm.accept(img.without("t-7"));
            assertEquals(0, rm.partitionsVisited() - before, "the same image again: nothing to do");
            rm.close();
        }
    }

    @Test
    void anOperationWatchingManyChangedPartitionsIsTriedOncePerBatchOfChanges() {
        Purgatory p = new Purgatory("fetch", timer, pool);
        AtomicInteger tries = new AtomicInteger();
        List<TopicPartition> keys = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            keys.add(new TopicPartition("t", i));
        }
        DelayedOperation op = new DelayedOperation(60_000) {
            @Override
            public boolean tryComplete() {
                tries.incrementAndGet();
                return false;
            }

            @Override
            protected void onComplete() {
            }
        };
        p.tryCompleteElseWatch(op, keys);
        int afterWatch = tries.get();
        assertEquals(0, p.checkAndComplete(keys));
        assertEquals(afterWatch + 1, tries.get(), "500 changed partitions, one try");
        p.close();
        assertTrue(op.isCompleted());
    }
}
