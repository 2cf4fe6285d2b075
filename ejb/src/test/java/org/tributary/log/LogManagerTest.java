package org.tributary.log;

import org.tributary.testing.FakeTime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogManagerTest {
    @TempDir
    Path tmp;
    final FakeTime time = new FakeTime(60_000_000L);
    final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    @Test
    void directoryNamesParseOnTheLastDash() {
        assertEquals(new TopicPartition("my-topic.v1_x", 12), LogManager.parseDirName("my-topic.v1_x-12"));
        assertNull(LogManager.parseDirName("noPartition"));
        assertNull(LogManager.parseDirName("topic-"));
        assertNull(LogManager.parseDirName("topic-x"));
    }

    @Test
    void logsSurviveRestartAndAreRecoveredOnOpen() throws Exception {
        TopicPartition a = new TopicPartition("orders-eu", 0);
        TopicPartition b = new TopicPartition("orders-eu", 1);
        try (LogManager m = LogManager.open(tmp, Map.of(), time, scheduler)) {
            m.getOrCreate(a, m.brokerDefaults()).appendAsLeader(Batches.batch(3, 10, time.milliseconds()), 0);
            m.getOrCreate(b, m.brokerDefaults()).appendAsLeader(Batches.batch(5, 10, time.milliseconds()), 0);
            assertTrue(Files.isDirectory(tmp.resolve("orders-eu-0")));
        }
        try (LogManager m = LogManager.open(tmp, Map.of(), time, scheduler)) {
            assertEquals(3, m.get(a).orElseThrow().logEndOffset());
            assertEquals(5, m.get(b).orElseThrow().logEndOffset());
            assertEquals(2, m.all().size());
        }
    }

    @Test
    void aCleanCloseOfManyLogsLeavesEachOneCleanWithItsRecordsAndEpochs() throws Exception {
        int n = 40; // more logs than closing threads
        try (LogManager m = LogManager.open(tmp, Map.of(), time, scheduler)) {
            for (int p = 0; p < n; p++) {
                PartitionLog log = m.getOrCreate(new TopicPartition("many", p), m.brokerDefaults());
                if (p % 2 == 0) { // every other log stays empty
                    log.appendAsLeader(Batches.batch(p + 1, 10, time.milliseconds()), 3);
                    log.appendAsLeader(Batches.batch(1, 10, time.milliseconds()), 5 + p);
                }
            }
        }
        for (int p = 0; p < n; p++) {
            assertTrue(Files.exists(tmp.resolve("many-" + p).resolve(LogLoader.CLEAN_SHUTDOWN_FILE)), "log many-" + p + " closed cleanly");
        }
        try (LogManager m = LogManager.open(tmp, Map.of(), time, scheduler)) {
            assertEquals(n, m.all().size());
            for (int p = 0; p < n; p++) {
                PartitionLog log = m.get(new TopicPartition("many", p)).orElseThrow();
                assertEquals(p % 2 == 0 ? p + 2 : 0, log.logEndOffset(), "records of many-" + p);
                assertEquals(p % 2 == 0 ? java.util.OptionalInt.of(5 + p) : java.util.OptionalInt.empty(), log.latestEpoch(),
                        "epochs of many-" + p);
                assertEquals(p % 2 == 0 ? p + 1 : -1, log.endOffsetForEpoch(3).endOffset(), "where epoch 3 of many-" + p + " ends");
            }
        }
    }

    @Test
    void getOrCreateReturnsTheSameLogAndAppliesNewConfig() throws Exception {
        TopicPartition tp = new TopicPartition("t", 0);
        try (LogManager m = LogManager.open(tmp, Map.of("log.retention.ms", "1000"), time, scheduler)) {
            assertEquals(1000L, m.brokerDefaults().retentionMs());
            PartitionLog log = m.getOrCreate(tp, m.brokerDefaults());
            LogConfig compacted = LogConfig.from(Map.of(), Map.of("cleanup.policy", "compact"));
            assertSame(log, m.getOrCreate(tp, compacted));
            assertTrue(log.config().compact());
        }
    }

    @Test
    void deleteRemovesTheDirectory() throws Exception {
        TopicPartition tp = new TopicPartition("gone", 3);
        try (LogManager m = LogManager.open(tmp, Map.of(), time, scheduler)) {
            m.getOrCreate(tp, m.brokerDefaults()).appendAsLeader(Batches.batch(1, 10, time.milliseconds()), 0);
            m.delete(tp);
            assertFalse(m.get(tp).isPresent());
            assertFalse(Files.exists(tmp.resolve("gone-3")));
        }
    }

    @Test
    void retentionPassRunsOverEveryLog() throws Exception {
        TopicPartition tp = new TopicPartition("short", 0);
        LogConfig cfg = LogConfig.from(Map.of(), Map.of("retention.ms", "100",
                "segment.bytes", Integer.toString(Batches.batch(1, 10, 0).sizeInBytes())));
        try (LogManager m = LogManager.open(tmp, Map.of(), time, scheduler)) {
            PartitionLog log = m.getOrCreate(tp, cfg);
            for (int i = 0; i < 3; i++) {
                log.appendAsLeader(Batches.batch(1, 10, time.milliseconds()), 0);
            }
            time.advance(101);
            assertEquals(0, m.runRetention(), "nothing goes above the high watermark");
            Batches.committed(log);
            assertEquals(2, m.runRetention());
            assertEquals(2, log.logStartOffset());
        }
    }

    @Test
    void cleanerPassCompactsOnlyCompactedLogs() throws Exception {
        LogConfig compacted = LogConfig.from(Map.of(), Map.of("cleanup.policy", "compact", "segment.bytes", "300",
                "min.cleanable.dirty.ratio", "0.01"));
        LogConfig plain = LogConfig.from(Map.of(), Map.of("segment.bytes", "300"));
        try (LogManager m = LogManager.open(tmp, Map.of(), time, scheduler)) {
            PartitionLog c = m.getOrCreate(new TopicPartition("state", 0), compacted);
            PartitionLog p = m.getOrCreate(new TopicPartition("events", 0), plain);
            for (int i = 0; i < 12; i++) {
                c.appendAsLeader(Batches.keyed(time.milliseconds(), "k", "v" + i), 0);
                p.appendAsLeader(Batches.keyed(time.milliseconds(), "k", "v" + i), 0);
            }
            m.runCleaner();
            assertEquals(12, Batches.dump(c).size(), "nothing is cleaned above the high watermark");
            Batches.committed(c);
            Batches.committed(p);
            m.runCleaner();
            assertTrue(Batches.dump(c).size() < 12);
            assertEquals(12, Batches.dump(p).size());
        }
    }

    @Test
    void flushMsFlushesOnceItsIntervalHasPassed() throws Exception {
        TopicPartition tp = new TopicPartition("durable", 0);
        LogConfig cfg = LogConfig.from(Map.of(), Map.of("flush.ms", "500"));
        try (LogManager m = LogManager.open(tmp, Map.of("log.flush.scheduler.interval.ms", "3600000"), time, scheduler)) {
            PartitionLog log = m.getOrCreate(tp, cfg);
            log.appendAsLeader(Batches.batch(2, 10, time.milliseconds()), 0);
            m.runFlush();
            assertEquals(0, log.recoveryPoint());
            time.advance(500);
            m.runFlush();
            assertEquals(2, log.recoveryPoint());
        }
    }

    @Test
    void withASchedulerTheRolledSegmentIsFsyncedThereAndThenCountsAsRecovered() throws Exception {
        ScheduledExecutorService own = Executors.newSingleThreadScheduledExecutor();
        PartitionLog log = PartitionLog.open(tmp.resolve("async-0"), LogConfig.from(Map.of(),
                Map.of("segment.bytes", Integer.toString(Batches.batch(2, 10, 0).sizeInBytes()))), time, own);
        try {
            log.appendAsLeader(Batches.batch(2, 10, time.milliseconds()), 0);
            log.appendAsLeader(Batches.batch(2, 10, time.milliseconds()), 0); // rolls at offset 2
            assertEquals(2, log.segmentCount());
            own.shutdown();
            assertTrue(own.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS));
            assertEquals(2, log.recoveryPoint());
        } finally {
            own.shutdownNow();
            log.close();
        }
    }

    @Test
    void flushMessagesFlushesAfterThatManyRecords() throws Exception {
        try (PartitionLog log = PartitionLog.open(tmp.resolve("f-0"),
                LogConfig.from(Map.of(), Map.of("flush.messages", "5")), time)) {
            log.appendAsLeader(Batches.batch(4, 10, time.milliseconds()), 0);
            assertEquals(0, log.recoveryPoint());
            log.appendAsLeader(Batches.batch(1, 10, time.milliseconds()), 0);
            assertEquals(5, log.recoveryPoint());
        }
    }
}
