package org.tributary.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tributary.testing.FakeTime;

/**
 * Retention, compaction and DeleteRecords never go past the high watermark: records above it are
 * not yet on every in-sync replica and may still be truncated when leadership moves, so a leader
 * that deleted or compacted them could lose what a follower has, or make replicas disagree. The
 * high watermark here is set below the log end, as on a leader whose followers lag.
 */
class HighWatermarkHousekeepingTest {
    @TempDir
    Path tmp;
    final FakeTime time = new FakeTime(30_000_000L);
    PartitionLog log;

    @AfterEach
    void closeLog() throws Exception {
        if (log != null && !log.isClosed()) {
            log.close();
        }
    }

    private void open(Map<String, String> overrides) throws Exception {
        log = PartitionLog.open(tmp.resolve("orders-0"), LogConfig.from(Map.of(), overrides), time);
    }

    @Test
    void retentionDeletesOnlySegmentsWhollyBelowTheHighWatermark() throws Exception {
        open(Map.of("segment.bytes", RetentionTest.ONE_BATCH, "retention.ms", "1000"));
        for (int i = 0; i < 6; i++) { // six segments of 2 records: bases 0, 2, 4, 6, 8, 10
            log.appendAsLeader(Batches.batch(2, 100, time.milliseconds()), 0);
        }
        time.advance(60_000); // every segment is far past retention.ms
        log.updateHighWatermark(5); // the followers have offsets 0-4

        assertEquals(2, log.deleteExpiredSegments(), "segments [0,2) and [2,4) end at or below the high watermark");
        assertEquals(List.of(4L, 6L, 8L, 10L), log.segmentBaseOffsets(), "the segment holding offset 5 stays");
        assertEquals(4, log.logStartOffset());

        log.updateHighWatermark(log.logEndOffset());
        assertEquals(3, log.deleteExpiredSegments(), "once replicated, they go too (the active segment always stays)");
        assertEquals(List.of(10L), log.segmentBaseOffsets());
    }

    @Test
    void retentionBytesWaitsForTheHighWatermarkToo() throws Exception {
        open(Map.of("segment.bytes", RetentionTest.ONE_BATCH, "retention.bytes", "0"));
        for (int i = 0; i < 4; i++) {
            log.appendAsLeader(Batches.batch(2, 100, time.milliseconds()), 0);
        }
        log.updateHighWatermark(0);
        assertEquals(0, log.deleteExpiredSegments(), "nothing replicated: nothing deleted, however large the log");
        assertEquals(0, log.logStartOffset());
    }

    @Test
    void compactionLeavesEverythingFromTheHighWatermarkOnUntouched() throws Exception {
        open(Map.of("cleanup.policy", "compact", "segment.bytes", "400", "min.cleanable.dirty.ratio", "0.01"));
        for (int i = 0; i < 30; i++) {
            log.appendAsLeader(Batches.keyed(time.milliseconds(), "k" + (i % 3), "v" + i), 0);
        }
        assertTrue(log.segmentCount() > 3, "several segments: " + log.segmentCount());
        List<String> before = Batches.dump(log);
        log.updateHighWatermark(0);
        CleanResult none = log.compact();
        assertEquals(0, none.segmentsCleaned(), "no segment is below a high watermark of 0");
        assertEquals(before, Batches.dump(log));

        List<Long> bases = log.segmentBaseOffsets();
        long hw = bases.get(2) + 1; // inside the third segment
        log.updateHighWatermark(hw);
        CleanResult r = log.compact();
        assertTrue(r.cleanedUpTo() <= hw, "cleaned up to " + r.cleanedUpTo() + ", high watermark " + hw);
        assertEquals(bases.get(2), r.cleanedUpTo(), "the segment holding the high watermark is the first not cleaned");
        List<String> after = Batches.dump(log);
        List<String> kept = before.stream().filter(s -> Long.parseLong(s.substring(0, s.indexOf(':'))) >= bases.get(2)).toList();
        assertEquals(kept, after.stream().filter(s -> Long.parseLong(s.substring(0, s.indexOf(':'))) >= bases.get(2)).toList(),
                "every record from the segment holding the high watermark on is still there");
        assertTrue(after.size() < before.size(), "below it, older values of a key were cleaned");
    }

    @Test
    void deleteRecordsNeverMovesTheStartPastTheLogEndAndKeepsTheHighWatermarkInRange() throws Exception {
        open(Map.of("segment.bytes", RetentionTest.ONE_BATCH));
        for (int i = 0; i < 3; i++) {
            log.appendAsLeader(Batches.batch(2, 100, time.milliseconds()), 0);
        }
        log.updateHighWatermark(3);
        assertEquals(3, log.deleteRecordsBefore(3), "up to the high watermark is allowed");
        assertEquals(3, log.highWatermark());
        assertThrows(OffsetOutOfRangeException.class, () -> log.deleteRecordsBefore(7), "past the log end");
        assertEquals(3, log.logStartOffset());
    }
}
