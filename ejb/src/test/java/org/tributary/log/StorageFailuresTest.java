package org.tributary.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tributary.testing.FakeTime;
import org.tributary.testing.LogCapture;

/**
 * Kafka's log-directory failure channel: an I/O error in any write to a log's files (append, flush,
 * checkpoint, retention, compaction, truncation) fails that log and marks the directory failed once;
 * the background tasks go on with the other logs and skip the failed one without a word.
 */
class StorageFailuresTest {
    @TempDir
    Path dir;
    final FakeTime time = new FakeTime(10_000_000L);
    LogManager logs;
    final AtomicInteger told = new AtomicInteger();
    final LogCapture logged = LogCapture.on("org.tributary.log");

    @AfterEach
    void close() throws IOException {
        logged.close();
        if (logs != null) {
            logs.close();
        }
    }

    private LogManager open() throws IOException {
        logs = LogManager.open(dir, Map.of(), time, null);
        logs.storageFailures().onFailure(told::incrementAndGet);
        return logs;
    }

    private PartitionLog log(String topic, Map<String, String> config) throws IOException {
        return logs.getOrCreate(new TopicPartition(topic, 0), LogConfig.from(Map.of(), config));
    }

    /** The directory failed once, for {@code operation} of {@code log}; {@code log} takes no more records. */
    private void assertFailedOnceBy(String operation, PartitionLog log) {
        String failure = logs.storageFailures().failure().orElseThrow(() -> new AssertionError("no failure reported"));
        assertTrue(failure.contains(operation) && failure.contains(log.dir().getFileName().toString()), failure);
        assertEquals(1, logs.storageFailures().count(), failure);
        assertEquals(1, told.get(), "the listeners hear of it once");
        assertThrows(KafkaStorageException.class, () -> log.appendAsLeader(Batches.batch(1, 10, time.milliseconds()), 0));
    }

    @Test
    void aFailedAppendMarksTheDirectoryFailedAndTellsTheListenersOnce() throws IOException {
        try (LogManager logs = LogManager.open(dir, Map.of(), Time.SYSTEM, null)) {
            AtomicInteger told = new AtomicInteger();
            logs.storageFailures().onFailure(told::incrementAndGet);
            PartitionLog a = logs.getOrCreate(new TopicPartition("a", 0), LogConfig.from(Map.of(), Map.of()));
            PartitionLog b = logs.getOrCreate(new TopicPartition("b", 0), LogConfig.from(Map.of(), Map.of()));
            a.appendAsLeader(Batches.batch(1, 10, 1L), 0);
            assertTrue(logs.storageFailures().failure().isEmpty(), "a working directory has no failure");

            LogFaults.breakWrites(a);
            assertThrows(IOException.class, () -> a.appendAsLeader(Batches.batch(1, 10, 2L), 0));
            assertEquals(1, told.get(), "the listeners hear of the first failure");
            assertTrue(logs.storageFailures().failure().orElseThrow().contains("a-0"), logs.storageFailures().failure().toString());

            LogFaults.breakWrites(b);
            assertThrows(IOException.class, () -> b.appendAsLeader(Batches.batch(1, 10, 3L), 0));
            assertEquals(1, told.get(), "a second failed log tells no one again");
            assertEquals(2, logs.storageFailures().count());

            AtomicInteger late = new AtomicInteger();
            logs.storageFailures().onFailure(late::incrementAndGet);
            assertEquals(1, late.get(), "a listener added after the failure hears of it at once");
        }
    }

    @Test
    void aFailedFlushFailsTheLogAndTheFlusherGoesOnWithTheOthersSkippingItQuietly() throws IOException {
        open();
        Map<String, String> flushAlways = Map.of("flush.ms", "0");
        PartitionLog a = log("a", flushAlways);
        PartitionLog b = log("b", flushAlways);
        a.appendAsLeader(Batches.batch(1, 10, time.milliseconds()), 0);
        b.appendAsLeader(Batches.batch(1, 10, time.milliseconds()), 0);
        LogFaults.breakWrites(a);

        logs.runFlush();
        assertFailedOnceBy("flush", a);
        assertEquals(b.logEndOffset(), b.recoveryPoint(), "the healthy log is flushed");

        int lines = logged.records().size();
        b.appendAsLeader(Batches.batch(1, 10, time.milliseconds()), 0);
        logs.runFlush();
        logs.runFlush();
        assertEquals(b.logEndOffset(), b.recoveryPoint(), "the flusher still flushes the healthy log");
        assertEquals(lines, logged.records().size(), "later passes skip the failed log without a line: " + logged.messages());
        assertEquals(1, logs.storageFailures().count(), "and without failing it again");
    }

    @Test
    void aFailedCheckpointWriteOfTheHighWatermarkFailsTheLog() throws IOException {
        open();
        PartitionLog a = log("a", Map.of());
        PartitionLog b = log("b", Map.of());
        for (PartitionLog l : new PartitionLog[] {a, b}) {
            l.appendAsLeader(Batches.batch(3, 10, time.milliseconds()), 0);
            l.updateHighWatermark(3);
        }
        LogFaults.breakCheckpoints(a);
        time.advance(PartitionLog.CHECKPOINT_INTERVAL_MS);

        logs.runFlush(); // flush.ms is unset: only the periodic checkpoint is due
        assertFailedOnceBy("checkpoint", a);
        assertTrue(Files.readString(b.dir().resolve(LogState.FILE_NAME)).contains("high-watermark 3"),
                "the healthy log's high watermark is checkpointed");
    }

    @Test
    void aFailedRetentionPassFailsTheLogAndRetentionGoesOnWithTheOthers() throws IOException {
        open();
        Map<String, String> config = Map.of("segment.bytes", Integer.toString(Batches.batch(2, 100, 0).sizeInBytes()),
                "retention.ms", "10000");
        PartitionLog a = log("a", config);
        PartitionLog b = log("b", config);
        for (int i = 0; i < 3; i++) {
            a.appendAsLeader(Batches.batch(2, 100, time.milliseconds()), 0);
            b.appendAsLeader(Batches.batch(2, 100, time.milliseconds()), 0);
        }
        a.updateHighWatermark(a.logEndOffset());
        b.updateHighWatermark(b.logEndOffset());
        LogFaults.breakCheckpoints(a);
        time.advance(20_000);

        assertEquals(2, logs.runRetention(), "the healthy log's two expired segments go");
        assertFailedOnceBy("retention", a);
        assertEquals(4, b.logStartOffset());

        int lines = logged.records().size();
        b.appendAsLeader(Batches.batch(2, 100, time.milliseconds()), 0);
        time.advance(20_000);
        assertEquals(1, logs.runRetention(), "retention goes on with the healthy log");
        assertEquals(lines, logged.records().size(), "and skips the failed one without a line: " + logged.messages());
        assertEquals(1, logs.storageFailures().count());
    }

    @Test
    void aFailedCompactionFailsTheLogAndTheCleanerGoesOnWithTheOthers() throws IOException {
        open();
        Map<String, String> config = Map.of("cleanup.policy", "compact", "segment.bytes", "400",
                "min.cleanable.dirty.ratio", "0.01");
        PartitionLog a = log("a", config);
        PartitionLog b = log("b", config);
        for (int i = 0; i < 20; i++) {
            a.appendAsLeader(Batches.keyed(time.milliseconds(), "k" + i % 2, "v" + i), 0);
            b.appendAsLeader(Batches.keyed(time.milliseconds(), "k" + i % 2, "v" + i), 0);
        }
        a.updateHighWatermark(a.logEndOffset());
        b.updateHighWatermark(b.logEndOffset());
        long before = b.sizeInBytes();
        LogFaults.breakCheckpoints(a);

        logs.runCleaner();
        assertFailedOnceBy("compaction", a);
        assertTrue(b.sizeInBytes() < before, "the healthy log is compacted");

        int lines = logged.records().size();
        logs.runCleaner();
        assertEquals(lines, logged.records().size(), "later passes skip the failed log without a line: " + logged.messages());
        assertEquals(1, logs.storageFailures().count());
    }

    @Test
    void aFailedTruncationFailsTheLog() throws IOException {
        open();
        PartitionLog a = log("a", Map.of());
        a.appendAsLeader(Batches.batch(3, 10, time.milliseconds()), 0);
        a.appendAsLeader(Batches.batch(3, 10, time.milliseconds()), 0);
        LogFaults.breakCheckpoints(a);

        assertThrows(IOException.class, () -> a.truncateTo(3));
        assertFailedOnceBy("truncation", a);
    }

    @Test
    void aFailedLeaderEpochCheckpointFailsTheLog() throws IOException {
        open();
        PartitionLog a = log("a", Map.of());
        a.appendAsLeader(Batches.batch(3, 10, time.milliseconds()), 0);
        LogFaults.breakCheckpoints(a);

        assertThrows(IOException.class, () -> a.assignLeaderEpoch(4));
        assertFailedOnceBy("leader epoch", a);
    }

    @Test
    void aChannelClosedByAnInterruptFailsTheLogButIsNoDiskFailure() throws IOException {
        open();
        PartitionLog a = log("a", Map.of());
        a.appendAsLeader(Batches.batch(3, 10, time.milliseconds()), 0);

        Thread.currentThread().interrupt(); // a background task stopped at shutdown: NIO closes the channel
        try {
            assertThrows(IOException.class, a::flush);
        } finally {
            Thread.interrupted();
        }
        assertTrue(logs.storageFailures().failure().isEmpty(), logs.storageFailures().failure().toString());
        assertEquals(0, told.get());
        assertThrows(KafkaStorageException.class, () -> a.appendAsLeader(Batches.batch(1, 10, time.milliseconds()), 0),
                "its file is closed: it takes no more records until reopened");
    }

    @Test
    void aNormalStopReportsNothing() throws IOException {
        StorageFailures failures = open().storageFailures();
        Map<String, String> config = new HashMap<>(Map.of("cleanup.policy", "compact,delete", "segment.bytes", "400",
                "min.cleanable.dirty.ratio", "0.01", "retention.ms", "10000", "flush.ms", "0"));
        PartitionLog a = log("a", config);
        for (int i = 0; i < 20; i++) {
            a.appendAsLeader(Batches.keyed(time.milliseconds(), "k" + i % 2, "v" + i), 0);
        }
        a.updateHighWatermark(a.logEndOffset());
        logs.runFlush();
        logs.runCleaner();
        time.advance(20_000);
        logs.runRetention();
        logs.close();
        logs.runFlush(); // a task that starts after the close: every log is closed
        logs.runCleaner();
        logs.runRetention();
        logs = null;
        assertTrue(failures.failure().isEmpty(), failures.failure().toString());
        assertEquals(0, failures.count());
        assertEquals(0, told.get());
    }
}
