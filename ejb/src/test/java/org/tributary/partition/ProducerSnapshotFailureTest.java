package org.tributary.partition;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tributary.log.LogConfig;
import org.tributary.log.LogManager;
import org.tributary.metadata.PartitionRegistration;
import org.tributary.testing.FakeTime;
import org.tributary.txn.ProducerSnapshots;

/**
 * Producer-state snapshots live in the partition's log directory: a snapshot that cannot be written
 * is a failure of that directory, as in Kafka, and the periodic snapshot then leaves the failed log alone.
 */
class ProducerSnapshotFailureTest {
    private static final TopicPartition TP = new TopicPartition("t", 0);

    @TempDir
    Path dir;
    private final FakeTime time = new FakeTime(1_000_000L);
    private LogManager logs;

    @AfterEach
    void close() throws IOException {
        if (logs != null) {
            logs.close();
        }
    }

    @Test
    void aFailedProducerSnapshotWriteFailsTheLogOnce() throws Exception {
        logs = LogManager.open(dir.resolve("logs"), Map.of(), time, null);
        Partition p = Partition.open(TP, Uuid.randomUuid(), logs.getOrCreate(TP, LogConfig.from(Map.of(), Map.of())),
                dir.resolve("t-0.snapshot"), 1, List.of(1));
        p.update(new PartitionRegistration(List.of(1), List.of(1), 1, 0, 0), time.milliseconds());
        p.appendAsLeader(idempotent(0, "a", "b", "c"));
        // the snapshot at the log end (3) cannot be written
        Files.createDirectories(ProducerSnapshots.file(p.log().dir(), 3).resolveSibling(
                ProducerSnapshots.file(p.log().dir(), 3).getFileName() + ".tmp"));

        assertThrows(IOException.class, p::snapshotProducerState);
        String failure = logs.storageFailures().failure().orElseThrow(() -> new AssertionError("no failure reported"));
        assertTrue(failure.contains("producer snapshot") && failure.contains("t-0"), failure);
        assertThrows(KafkaStorageException.class, () -> p.appendAsLeader(idempotent(3, "d")), "the log takes no more records");
        assertDoesNotThrow(p::snapshotProducerState, "the next periodic snapshot skips the failed log");
        assertEquals(1, logs.storageFailures().count());
    }

    private static MemoryRecords idempotent(int firstSeq, String... values) {
        SimpleRecord[] records = new SimpleRecord[values.length];
        for (int i = 0; i < values.length; i++) {
            records[i] = new SimpleRecord(1_000_000L, values[i].getBytes(), values[i].getBytes());
        }
        return MemoryRecords.withIdempotentRecords(Compression.NONE, 7L, (short) 0, firstSeq, records);
    }
}
