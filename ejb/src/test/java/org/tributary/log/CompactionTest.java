package org.tributary.log;

import org.tributary.testing.FakeTime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompactionTest {
    @TempDir
    Path tmp;
    final FakeTime time = new FakeTime(20_000_000L);
    PartitionLog log;
    Map<String, String> config = new HashMap<>(Map.of("cleanup.policy", "compact", "segment.bytes", "400",
            "min.cleanable.dirty.ratio", "0.01"));

    PartitionLog open() throws Exception {
        log = PartitionLog.open(tmp.resolve("__consumer_offsets-7"), LogConfig.from(Map.of(), config), time);
        return log;
    }

    @AfterEach
    void closeLog() throws Exception {
        if (log != null && !log.isClosed()) {
            log.close();
        }
    }

    void put(String key, String value) throws Exception {
        log.appendAsLeader(Batches.keyed(time.milliseconds(), key, value), 0);
    }

    /** What compaction must leave: below the active segment the last record per key; the active segment untouched. */
    static List<String> expectedAfterClean(List<String> before, long activeBase) {
        Map<String, String> lastBelow = new LinkedHashMap<>();
        for (String rec : before) {
            long off = Long.parseLong(rec.substring(0, rec.indexOf(':')));
            if (off < activeBase) {
                lastBelow.put(rec.substring(rec.indexOf(':') + 1, rec.indexOf('=')), rec);
            }
        }
        List<String> out = new ArrayList<>();
        for (String rec : before) {
            long off = Long.parseLong(rec.substring(0, rec.indexOf(':')));
            if (off >= activeBase || lastBelow.containsValue(rec)) {
                out.add(rec);
            }
        }
        return out;
    }

    @Test
    void keepsOnlyTheLatestRecordPerKeyWithOffsetsUnchanged() throws Exception {
        open();
        for (int i = 0; i < 30; i++) {
            put("k" + (i % 4), "v" + i);
        }
        List<String> before = Batches.dump(log);
        long activeBase = log.activeSegment().baseOffset();
        CleanResult r = Batches.committed(log).compact();
        assertTrue(r.segmentsCleaned() > 0);
        assertTrue(r.recordsDiscarded() > 0);
        assertEquals(activeBase, r.cleanedUpTo());
        assertEquals(expectedAfterClean(before, activeBase), Batches.dump(log));
        assertEquals(30, log.logEndOffset());
        log.close();
        open();
        assertEquals(expectedAfterClean(before, activeBase), Batches.dump(log), "cleaned segments are durable");
    }

    @Test
    void readingARemovedOffsetReturnsTheNextSurvivingBatch() throws Exception {
        open();
        for (int i = 0; i < 20; i++) {
            put("k" + (i % 2), "v" + i);
        }
        Batches.committed(log).compact();
        List<Long> survivors = Batches.offsets(log);
        assertFalse(survivors.contains(0L));
        RecordBatch b = log.read(0, 1000, log.logEndOffset(), true).records().batches().iterator().next();
        assertEquals((long) survivors.get(0), b.baseOffset());
    }

    @Test
    void tombstonesAreKeptUntilDeleteRetentionThenRemoved() throws Exception {
        config.put("delete.retention.ms", "1000");
        open();
        put("a", "1");
        put("b", "1");
        put("a", null);
        for (int i = 0; i < 10; i++) {
            put("filler" + i, "x");
        }
        Batches.committed(log).compact();
        List<String> first = Batches.dump(log);
        assertTrue(first.contains("2:a=null"), "tombstone kept: " + first);
        assertFalse(first.contains("0:a=1"), "value under the tombstone removed");
        time.advance(1001);
        for (int i = 0; i < 10; i++) {
            put("more" + i, "y");
        }
        Batches.committed(log).compact();
        List<String> second = Batches.dump(log);
        assertFalse(second.stream().anyMatch(s -> s.contains(":a=")), "tombstone removed after delete.retention.ms: " + second);
        assertTrue(second.contains("1:b=1"));
    }

    @Test
    void tombstoneStaysBeforeDeleteRetentionHasPassed() throws Exception {
        config.put("delete.retention.ms", "1000");
        open();
        put("a", "1");
        put("a", null);
        for (int i = 0; i < 10; i++) {
            put("filler" + i, "x");
        }
        Batches.committed(log).compact();
        time.advance(999);
        for (int i = 0; i < 10; i++) {
            put("more" + i, "y");
        }
        Batches.committed(log).compact();
        assertTrue(Batches.dump(log).contains("1:a=null"));
    }

    @Test
    void minCompactionLagHoldsBackRecentSegments() throws Exception {
        config.put("min.compaction.lag.ms", "60000");
        open();
        for (int i = 0; i < 20; i++) {
            put("k", "v" + i);
        }
        List<String> before = Batches.dump(log);
        assertEquals(0, Batches.committed(log).compact().segmentsCleaned());
        assertEquals(before, Batches.dump(log));
        time.advance(60_001);
        put("k", "last");
        assertTrue(Batches.committed(log).compact().segmentsCleaned() > 0);
        assertTrue(Batches.dump(log).size() < before.size());
    }

    @Test
    void dirtyRatioBelowMinimumSkipsCleaning() throws Exception {
        config.put("min.cleanable.dirty.ratio", "0.9");
        open();
        for (int i = 0; i < 20; i++) {
            put("k" + i, "v");   // distinct keys: cleaning removes nothing, leaving a big clean section
        }
        assertTrue(Batches.committed(log).compact().segmentsCleaned() > 0); // everything dirty at first: ratio 1.0
        put("k0", "again");
        for (int i = 0; i < 3; i++) {
            put("z" + i, "v");
        }
        assertEquals(0, Batches.committed(log).compact().segmentsCleaned(), "a little dirt over a large clean section waits");
    }

    @Test
    void maxCompactionLagForcesCleaningBelowTheDirtyRatio() throws Exception {
        config.put("min.cleanable.dirty.ratio", "0.99");
        config.put("max.compaction.lag.ms", "5000");
        open();
        for (int i = 0; i < 20; i++) {
            put("k" + i, "v");
        }
        Batches.committed(log).compact();                         // all dirty: cleaned once
        put("k0", "again");
        for (int i = 0; i < 8; i++) {
            put("z" + i, "v");
        }
        assertEquals(0, Batches.committed(log).compact().segmentsCleaned(), "below the ratio and not overdue");
        time.advance(5001);
        put("tick", "v");
        assertTrue(Batches.committed(log).compact().segmentsCleaned() > 0, "overdue dirty records are cleaned regardless of the ratio");
        assertFalse(Batches.dump(log).contains("0:k0=v"));
    }

    @Test
    void producersLastBatchIsKeptEmptyToPreserveItsSequence() throws Exception {
        open();
        log.appendAsLeader(Batches.idempotent(7L, (short) 0, 0, time.milliseconds(), "a", "1"), 0);
        log.appendAsLeader(Batches.idempotent(7L, (short) 0, 1, time.milliseconds(), "a", "2"), 0);
        for (int i = 0; i < 12; i++) {
            put("a", "later" + i);
        }
        Batches.committed(log).compact();
        List<RecordBatch> producerBatches = new ArrayList<>();
        for (RecordBatch b : log.batchesFrom(log.logStartOffset())) {
            if (b.producerId() == 7L) {
                producerBatches.add(b);
            }
        }
        assertEquals(1, producerBatches.size(), "only the producer's last batch survives");
        RecordBatch kept = producerBatches.get(0);
        assertEquals(1, kept.baseOffset());
        assertEquals(1, kept.lastOffset());
        assertEquals(1, kept.baseSequence());
        assertEquals(0, kept.countOrNull());
    }

    @Test
    void deleteAndCompactPolicyDoesBoth() throws Exception {
        config.put("cleanup.policy", "compact,delete");
        config.put("retention.ms", "5000");
        open();
        for (int i = 0; i < 20; i++) {
            put("k" + (i % 3), "v" + i);
        }
        assertTrue(Batches.committed(log).compact().segmentsCleaned() > 0);
        time.advance(5001);
        put("k0", "fresh");
        assertTrue(Batches.committed(log).deleteExpiredSegments() > 0);
        assertTrue(log.logStartOffset() > 0);
    }
}
