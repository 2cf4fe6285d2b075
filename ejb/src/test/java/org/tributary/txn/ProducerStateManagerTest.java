package org.tributary.txn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProducerStateManagerTest {
    @TempDir
    Path dir;

    private static RecordBatch batch(long baseOffset, long pid, short epoch, int seq, int count) {
        SimpleRecord[] recs = new SimpleRecord[count];
        for (int i = 0; i < count; i++) {
            recs[i] = new SimpleRecord(("v" + i).getBytes());
        }
        return MemoryRecords.withIdempotentRecords(baseOffset, Compression.NONE, pid, epoch, seq, 0, recs).batches().iterator().next();
    }

    @Test
    void duplicateReturnsOriginalPlacementAndGapsAreRejected() {
        ProducerStateManager s = new ProducerStateManager();
        RecordBatch b0 = batch(0, 7, (short) 0, 0, 3);
        assertTrue(s.validate(b0).duplicate().isEmpty());
        s.record(b0, 10, 12);
        RecordBatch b1 = batch(0, 7, (short) 0, 3, 2);
        s.validate(b1);
        s.record(b1, 13, 14);
        BatchMetadata dup = s.validate(batch(0, 7, (short) 0, 0, 3)).duplicate().orElseThrow();
        assertEquals(10, dup.firstOffset());
        assertThrows(OutOfOrderSequenceException.class, () -> s.validate(batch(0, 7, (short) 0, 6, 1)));
        assertThrows(OutOfOrderSequenceException.class, () -> s.validate(batch(0, 7, (short) 1, 5, 1)));
        RecordBatch bumped = batch(0, 7, (short) 1, 0, 1);
        s.validate(bumped);
        s.record(bumped, 15, 15);
        assertThrows(InvalidProducerEpochException.class, () -> s.validate(batch(0, 7, (short) 0, 5, 1)));
    }

    @Test
    void onlyTheLastFiveBatchesAreRemembered() {
        ProducerStateManager s = new ProducerStateManager();
        for (int i = 0; i < 7; i++) {
            RecordBatch b = batch(0, 1, (short) 0, i, 1);
            s.validate(b);
            s.record(b, i, i);
        }
        assertEquals(5, s.entry(1).orElseThrow().batches().size());
        assertThrows(OutOfOrderSequenceException.class, () -> s.validate(batch(0, 1, (short) 0, 0, 1)));
    }

    @Test
    void recoversFromSnapshotPlusLogTail() throws Exception {
        ProducerSnapshots snaps = new ProducerSnapshots(dir);
        ProducerStateManager s = new ProducerStateManager();
        List<RecordBatch> log = new ArrayList<>();
        long offset = 0;
        for (int i = 0; i < 4; i++) {
            RecordBatch b = batch(offset, 42, (short) 0, i * 2, 2);
            log.add(b);
            s.validate(b);
            s.record(b, offset, offset + 1);
            offset += 2;
            if (i == 1) {
                s.writeSnapshot(snaps, true);
            }
        }
        ProducerStateManager r = new ProducerStateManager();
        List<Long> scannedFrom = new ArrayList<>();
        r.recover(new ProducerSnapshots(dir), 0, offset, offset, from -> {
            scannedFrom.add(from);
            return log.stream().filter(b -> b.lastOffset() >= from).toList();
        }, t -> { });
        assertEquals(List.of(4L), scannedFrom, "scan starts where the snapshot ends");
        assertEquals(2, r.batchesReplayed());
        assertEquals(6, r.validate(batch(0, 42, (short) 0, 6, 2)).duplicate().orElseThrow().firstOffset());
        assertEquals(8, r.mapEndOffset());

        Files.write(ProducerSnapshots.file(dir, 4), new byte[] {1, 2, 3, 4, 5, 6, 7, 8}); // damaged: rebuild from the log
        ProducerStateManager q = new ProducerStateManager();
        q.recover(new ProducerSnapshots(dir), 0, offset, offset, from -> log.stream().filter(b -> b.lastOffset() >= from).toList(),
                t -> { });
        assertEquals(0, q.validate(batch(0, 42, (short) 0, 0, 2)).duplicate().orElseThrow().firstOffset());
        assertTrue(Files.notExists(ProducerSnapshots.file(dir, 4)), "the damaged snapshot is deleted");
    }

    /**
     * A snapshot that describes records a truncation removed must not come back: once the log has
     * grown past its end again, with other records, loading it would report a retry of a removed
     * batch as a duplicate (found by the replication simulation).
     */
    @Test
    void aSnapshotBeyondTheTruncatedLogIsDeletedNotLoadedLater() throws Exception {
        ProducerSnapshots snaps = new ProducerSnapshots(dir);
        ProducerStateManager s = new ProducerStateManager();
        RecordBatch removed = batch(0, 42, (short) 0, 0, 2);
        s.validate(removed);
        s.record(removed, 0, 1);
        s.writeSnapshot(snaps, true); // at 2

        s.recover(snaps, 0, 0, 0, from -> List.of(), t -> { }); // the log was truncated to 0
        assertTrue(Files.notExists(ProducerSnapshots.file(dir, 2)), "the snapshot beyond the log end is gone");
        List<RecordBatch> log = List.of(batch(0, 9, (short) 0, 0, 3)); // other records at 0..2
        ProducerStateManager r = new ProducerStateManager();
        r.recover(new ProducerSnapshots(dir), 0, 3, 3, from -> log, t -> { });
        assertTrue(r.validate(batch(0, 42, (short) 0, 0, 2)).duplicate().isEmpty(), "the removed batch is not a duplicate");
    }

    @Test
    void aNewEmptyPartitionNeedsNoSnapshotButOneWithStateDoes() throws Exception {
        ProducerStateManager s = new ProducerStateManager();
        s.recover(new ProducerSnapshots(dir.resolve("new")), 0, 0, 0, from -> List.of(), t -> { });
        assertFalse(s.dirty(), "no snapshot, nothing replayed: an empty snapshot would say the same");
        s.recover(new ProducerSnapshots(dir.resolve("moved")), 5, 5, 5, from -> List.of(), t -> { });
        assertFalse(s.dirty());
        ProducerSnapshots had = new ProducerSnapshots(dir.resolve("had"));
        s.writeSnapshot(had, true); // at 5
        s.recover(had, 5, 7, 7, from -> List.of(), t -> { });
        assertTrue(s.dirty(), "a snapshot was there and the log moved past it: a new one is due");
        s.writeSnapshot(had, true);
        s.recover(had, 5, 7, 7, from -> List.of(), t -> { });
        assertFalse(s.dirty(), "the snapshot at the log end says it all");
    }

    @Test
    void idleProducersExpire() {
        ProducerStateManager s = new ProducerStateManager();
        RecordBatch b = batch(0, 9, (short) 0, 0, 1); // timestamps are the record's create time: -1 here
        s.record(b, 0, 0);
        assertEquals(0, s.removeExpired(b.maxTimestamp() + 1000, 5000));
        assertEquals(1, s.removeExpired(b.maxTimestamp() + 6000, 5000));
        assertTrue(s.entry(9).isEmpty());
    }

    @Test
    void producerIdsSurviveARestartOfACountingAllocator() throws Exception {
        Path floor = dir.resolve("pid");
        long[] counter = {0};
        ProducerIdManager m = new ProducerIdManager(n -> { long s = counter[0]; counter[0] += n; return s; }, Runnable::run, floor);
        m.start();
        long first = m.nextProducerId();
        m.nextProducerId();
        long[] fresh = {0};
        ProducerIdManager again = new ProducerIdManager(n -> { long s = fresh[0]; fresh[0] += n; return s; }, Runnable::run, floor);
        again.start();
        assertTrue(again.nextProducerId() >= first + ProducerIdManager.BLOCK_SIZE);
    }
}
