package org.tributary.log;

import org.tributary.testing.FakeTime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.Records;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PartitionLogAppendReadTest {
    @TempDir
    Path tmp;
    final FakeTime time = new FakeTime(1_000_000L);
    PartitionLog log;

    PartitionLog open(Map<String, String> overrides) throws Exception {
        log = PartitionLog.open(tmp.resolve("orders.eu-0"), LogConfig.from(Map.of(), overrides), time);
        return log;
    }

    @AfterEach
    void closeLog() throws Exception {
        if (log != null) {
            log.close();
        }
    }

    static List<Long> baseOffsets(Records r) {
        List<Long> out = new ArrayList<>();
        for (RecordBatch b : r.batches()) {
            out.add(b.baseOffset());
        }
        return out;
    }

    @Test
    void appendAssignsConsecutiveOffsetsFromLogEnd() throws Exception {
        open(Map.of());
        AppendInfo a = log.appendAsLeader(Batches.batch(3, 10, time.milliseconds()), 0);
        AppendInfo b = log.appendAsLeader(Batches.batch(2, 10, time.milliseconds()), 0);
        assertEquals(0, a.firstOffset());
        assertEquals(2, a.lastOffset());
        assertEquals(3, b.firstOffset());
        assertEquals(4, b.lastOffset());
        assertEquals(2, b.recordCount());
        assertEquals(5, log.logEndOffset());
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L), Batches.offsets(log));
    }

    @Test
    void segmentFileNamesAreTwentyDigitBaseOffsets() throws Exception {
        open(Map.of("segment.bytes", "300"));
        for (int i = 0; i < 5; i++) {
            log.appendAsLeader(Batches.batch(2, 100, time.milliseconds()), 0);
        }
        assertTrue(log.segmentCount() > 1);
        long active = log.activeSegmentBaseOffset();
        for (long base : log.segmentBaseOffsets()) {
            assertTrue(Files.exists(tmp.resolve("orders.eu-0").resolve(String.format("%020d.log", base))));
            if (base != active) { // the active segment's indexes are created at their first entry
                assertTrue(Files.exists(tmp.resolve("orders.eu-0").resolve(String.format("%020d.index", base))));
                assertTrue(Files.exists(tmp.resolve("orders.eu-0").resolve(String.format("%020d.timeindex", base))));
            }
        }
    }

    @Test
    void rollsWhenSegmentBytesWouldBeExceeded() throws Exception {
        open(Map.of("segment.bytes", "600"));
        int batchSize = Batches.batch(2, 100, 0).sizeInBytes();
        for (int i = 0; i < 6; i++) {
            log.appendAsLeader(Batches.batch(2, 100, time.milliseconds()), 0);
        }
        int perSegment = 600 / batchSize;
        assertEquals(List.of(0L, 2L * perSegment, 4L * perSegment), log.segmentBaseOffsets().subList(0, 3));
        assertEquals(12, log.logEndOffset());
    }

    @Test
    void rollsWhenSegmentMsHasPassedSinceFirstBatch() throws Exception {
        open(Map.of("segment.ms", "1000"));
        log.appendAsLeader(Batches.batch(1, 10, time.milliseconds()), 0);
        time.advance(1000);
        log.appendAsLeader(Batches.batch(1, 10, time.milliseconds()), 0);
        assertEquals(1, log.segmentCount());
        time.advance(1);
        log.appendAsLeader(Batches.batch(1, 10, time.milliseconds()), 0);
        assertEquals(List.of(0L, 2L), log.segmentBaseOffsets());
    }

    @Test
    void rollsWhenOffsetIndexIsFull() throws Exception {
        // 3 offset-index entries; an entry after every batch once index.interval.bytes is passed
        open(Map.of("segment.index.bytes", "24", "index.interval.bytes", "1"));
        for (int i = 0; i < 10; i++) {
            log.appendAsLeader(Batches.batch(1, 10, time.milliseconds()), 0);
        }
        assertTrue(log.segmentCount() >= 3, "segments: " + log.segmentBaseOffsets());
        assertEquals(10, Batches.offsets(log).size());
    }

    @Test
    void readReturnsWholeBatchesFromTheOneContainingStartOffset() throws Exception {
        open(Map.of());
        log.appendAsLeader(Batches.batch(5, 10, time.milliseconds()), 0);
        log.appendAsLeader(Batches.batch(5, 10, time.milliseconds()), 0);
        FetchSlice s = log.read(7, 1 << 20, log.logEndOffset(), false);
        assertEquals(List.of(5L), baseOffsets(s.records()));
        assertEquals(0, s.logStartOffset());
        assertEquals(10, s.logEndOffset());
    }

    @Test
    void readAtLogEndIsEmptyAndBeyondIsOutOfRange() throws Exception {
        open(Map.of());
        log.appendAsLeader(Batches.batch(2, 10, time.milliseconds()), 0);
        assertEquals(0, log.read(2, 1000, 2, false).records().sizeInBytes());
        assertThrows(OffsetOutOfRangeException.class, () -> log.read(3, 1000, 3, false));
        assertThrows(OffsetOutOfRangeException.class, () -> log.read(-1, 1000, 3, false));
    }

    @Test
    void readNeverPassesMaxOffsetExclusive() throws Exception {
        open(Map.of());
        for (int i = 0; i < 4; i++) {
            log.appendAsLeader(Batches.batch(2, 10, time.milliseconds()), 0);
        }
        assertEquals(List.of(0L, 2L), baseOffsets(log.read(0, 1 << 20, 4, false).records()));
        assertEquals(0, log.read(4, 1 << 20, 4, false).records().sizeInBytes());
    }

    @Test
    void minOneBatchReturnsAWholeBatchLargerThanMaxBytes() throws Exception {
        open(Map.of());
        log.appendAsLeader(Batches.batch(10, 100, time.milliseconds()), 0);
        int size = log.read(0, 1 << 20, 10, false).records().sizeInBytes();
        assertEquals(size, log.read(0, 10, 10, true).records().sizeInBytes());
        assertEquals(List.of(0L), baseOffsets(log.read(0, 10, 10, true).records()));
        assertTrue(baseOffsets(log.read(0, 10, 10, false).records()).isEmpty());
    }

    @Test
    void readsContinueAcrossSegmentBoundaries() throws Exception {
        open(Map.of("segment.bytes", "400"));
        for (int i = 0; i < 10; i++) {
            log.appendAsLeader(Batches.batch(2, 50, time.milliseconds()), 0);
        }
        assertTrue(log.segmentCount() > 2);
        List<Long> seen = new ArrayList<>();
        long next = 0;
        while (next < log.logEndOffset()) {
            FetchSlice s = log.read(next, 150, log.logEndOffset(), true);
            for (RecordBatch b : s.records().batches()) {
                for (var r : b) {
                    seen.add(r.offset());
                }
                next = b.nextOffset();
            }
        }
        List<Long> expected = new ArrayList<>();
        for (long i = 0; i < 20; i++) {
            expected.add(i);
        }
        assertEquals(expected, seen);
    }

    @Test
    void reopenAfterCleanCloseKeepsEverything() throws Exception {
        open(Map.of("segment.bytes", "400"));
        for (int i = 0; i < 10; i++) {
            log.appendAsLeader(Batches.batch(2, 50, time.milliseconds()), 3);
        }
        List<String> before = Batches.dump(log);
        List<Long> segs = log.segmentBaseOffsets();
        log.close();
        open(Map.of("segment.bytes", "400"));
        assertEquals(before, Batches.dump(log));
        assertEquals(segs, log.segmentBaseOffsets());
        assertEquals(20, log.logEndOffset());
        log.appendAsLeader(Batches.batch(1, 50, time.milliseconds()), 3);
        assertEquals(21, log.logEndOffset());
    }
}
