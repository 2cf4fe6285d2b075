package org.tributary.log;

import org.tributary.testing.FakeTime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RetentionTest {
    @TempDir
    Path tmp;
    final FakeTime time = new FakeTime(10_000_000L);
    PartitionLog log;

    PartitionLog open(Map<String, String> overrides) throws Exception {
        log = PartitionLog.open(tmp.resolve("clicks-1"), LogConfig.from(Map.of(), overrides), time);
        return log;
    }

    @AfterEach
    void closeLog() throws Exception {
        if (log != null && !log.isClosed()) {
            log.close();
        }
    }

    /** One batch of 2 records per segment (segment.bytes fits exactly one batch). */
    void appendOnePerSegment(int n, long tsStep) throws Exception {
        for (int i = 0; i < n; i++) {
            log.appendAsLeader(Batches.batch(2, 100, time.milliseconds()), 0);
            time.advance(tsStep);
        }
    }

    static final String ONE_BATCH = Integer.toString(Batches.batch(2, 100, 0).sizeInBytes());

    @Test
    void segmentsPastRetentionMsAreDeletedByTheirLargestTimestamp() throws Exception {
        open(Map.of("segment.bytes", ONE_BATCH, "retention.ms", "10000"));
        appendOnePerSegment(5, 4000); // timestamps t, t+4s, t+8s, t+12s, t+16s; now = t+20s
        assertEquals(5, log.segmentCount());
        // ages 20 s, 16 s, 12 s are past 10 s; 8 s and the active segment are not
        assertEquals(3, Batches.committed(log).deleteExpiredSegments());
        assertEquals(List.of(6L, 8L), log.segmentBaseOffsets());
        assertEquals(6, log.logStartOffset());
    }

    @Test
    void retentionMsBoundaryIsStrictlyGreater() throws Exception {
        open(Map.of("segment.bytes", ONE_BATCH, "retention.ms", "10000"));
        appendOnePerSegment(3, 0);
        time.advance(10_000);
        assertEquals(0, Batches.committed(log).deleteExpiredSegments());
        time.advance(1);
        assertEquals(2, Batches.committed(log).deleteExpiredSegments(), "all but the active segment");
        assertEquals(4, log.logStartOffset());
        assertEquals(1, log.segmentCount());
        assertThrows(OffsetOutOfRangeException.class, () -> log.read(0, 100, 6, false));
    }

    @Test
    void activeSegmentIsNeverDeleted() throws Exception {
        open(Map.of("retention.ms", "1", "retention.bytes", "0"));
        log.appendAsLeader(Batches.batch(2, 100, time.milliseconds()), 0);
        time.advance(1_000_000);
        assertEquals(0, Batches.committed(log).deleteExpiredSegments());
        assertEquals(2, Batches.offsets(log).size());
    }

    @Test
    void segmentsBeyondRetentionBytesAreDeletedOldestFirst() throws Exception {
        int one = Integer.parseInt(ONE_BATCH);
        open(Map.of("segment.bytes", ONE_BATCH, "retention.bytes", Integer.toString(2 * one + 10)));
        appendOnePerSegment(5, 0);
        assertEquals(2, Batches.committed(log).deleteExpiredSegments()); // 5 segments of one batch: keep 3 (>= size - retention)
        assertEquals(List.of(4L, 6L, 8L), log.segmentBaseOffsets());
        assertEquals(4, log.logStartOffset());
        assertTrue(log.sizeInBytes() <= 3L * one);
    }

    @Test
    void compactOnlyPolicyIgnoresTimeAndSizeRetention() throws Exception {
        open(Map.of("segment.bytes", "200", "retention.ms", "1", "retention.bytes", "1", "cleanup.policy", "compact"));
        for (int i = 0; i < 4; i++) {
            log.appendAsLeader(Batches.keyed(time.milliseconds(), "k" + i, "v"), 0);
        }
        time.advance(100_000);
        assertEquals(0, Batches.committed(log).deleteExpiredSegments());
    }

    @Test
    void deletedSegmentFilesAreRemovedAndStartOffsetCheckpointed() throws Exception {
        open(Map.of("segment.bytes", ONE_BATCH, "retention.ms", "1000"));
        appendOnePerSegment(3, 0);
        time.advance(2000);
        Batches.committed(log).deleteExpiredSegments();
        Path dir = tmp.resolve("clicks-1");
        assertTrue(Files.notExists(LogSegment.logFile(dir, 0)));
        assertTrue(Files.notExists(LogSegment.indexFile(dir, 0)));
        log.close();
        open(Map.of("segment.bytes", ONE_BATCH, "retention.ms", "1000"));
        assertEquals(4, log.logStartOffset());
    }

    @Test
    void deleteRecordsAdvancesStartOffsetAndDropsWholeSegmentsBelowIt() throws Exception {
        open(Map.of("segment.bytes", ONE_BATCH));
        appendOnePerSegment(4, 0);
        assertEquals(3, log.deleteRecordsBefore(3));
        assertEquals(List.of(2L, 4L, 6L), log.segmentBaseOffsets());
        assertThrows(OffsetOutOfRangeException.class, () -> log.read(2, 1000, 8, false));
        assertEquals(List.of("3:null=v1", "4:null=v0", "5:null=v1", "6:null=v0", "7:null=v1"), Batches.dump(log));
        assertEquals(3, log.deleteRecordsBefore(1), "never moves backwards");
        assertThrows(OffsetOutOfRangeException.class, () -> log.deleteRecordsBefore(9));
        assertEquals(8, log.deleteRecordsBefore(8));
        assertEquals(List.of(6L), log.segmentBaseOffsets(), "the active segment stays");
        log.close();
        open(Map.of("segment.bytes", ONE_BATCH));
        assertEquals(8, log.logStartOffset());
        assertEquals(8, log.logEndOffset());
    }
}
