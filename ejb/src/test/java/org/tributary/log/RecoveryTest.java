package org.tributary.log;

import org.tributary.testing.FakeTime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecoveryTest {
    @TempDir
    Path tmp;
    final FakeTime time = new FakeTime(7_000_000L);
    PartitionLog log;
    Path dir;
    Map<String, String> overrides = Map.of("index.interval.bytes", "100");

    PartitionLog open() throws Exception {
        dir = tmp.resolve("payments-3");
        log = PartitionLog.open(dir, LogConfig.from(Map.of(), overrides), time);
        return log;
    }

    @AfterEach
    void closeLog() throws Exception {
        if (log != null && !log.isClosed()) {
            log.close();
        }
    }

    /** Appends n batches of 3 records each; returns each batch's (base offset, file position, size) in the active segment. */
    List<long[]> appendBatches(int n) throws Exception {
        List<long[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long pos = log.activeSegment().size();
            AppendInfo a = log.appendAsLeader(Batches.batch(3, 40, time.milliseconds()), 1);
            out.add(new long[] {a.firstOffset(), pos, a.validBytes()});
        }
        return out;
    }

    Path activeLogFile() {
        return LogSegment.logFile(dir, log.activeSegment().baseOffset());
    }

    static void truncateFile(Path p, long size) throws Exception {
        try (RandomAccessFile raf = new RandomAccessFile(p.toFile(), "rw")) {
            raf.setLength(size);
        }
    }

    static void flipByte(Path p, long pos) throws Exception {
        try (RandomAccessFile raf = new RandomAccessFile(p.toFile(), "rw")) {
            raf.seek(pos);
            int b = raf.read();
            raf.seek(pos);
            raf.write(b ^ 0xff);
        }
    }

    @Test
    void aNewEmptyLogWritesNoStateAndComesBackEmptyAfterACrashOrWithoutItsFiles() throws Exception {
        open();
        assertFalse(Files.exists(dir.resolve(LogState.FILE_NAME)), "nothing to make durable in a log just created");
        log.simulateCrash();
        open();
        assertEquals(0, log.logEndOffset());
        log.simulateCrash();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.delete(f); // a crash before the new files reached the disk
            }
        }
        open();
        assertEquals(0, log.logEndOffset());
        assertEquals(0, log.appendAsLeader(Batches.batch(3, 40, time.milliseconds()), 1).firstOffset());
        log.simulateCrash();
        open();
        assertEquals(3, log.logEndOffset(), "a log with data recovers as before");
        assertTrue(Files.exists(dir.resolve(LogState.FILE_NAME)), "and checkpoints its state when opened");
    }

    @Test
    void anIdleLogDoesNotRewriteAnUnchangedStateButDoesOnceItChanges() throws Exception {
        open();
        time.sleep(PartitionLog.CHECKPOINT_INTERVAL_MS + 1);
        log.flushIfDue();
        assertFalse(Files.exists(dir.resolve(LogState.FILE_NAME)), "a new empty log's state is zeros, as loading finds it");
        appendBatches(2);
        log.flush();
        assertTrue(Files.exists(dir.resolve(LogState.FILE_NAME)));
        Files.delete(dir.resolve(LogState.FILE_NAME));
        time.sleep(PartitionLog.CHECKPOINT_INTERVAL_MS + 1);
        log.flushIfDue();
        assertFalse(Files.exists(dir.resolve(LogState.FILE_NAME)), "nothing changed since the last write: no rewrite, no fsync");
        log.updateHighWatermark(3);
        time.sleep(PartitionLog.CHECKPOINT_INTERVAL_MS + 1);
        log.flushIfDue();
        assertTrue(Files.exists(dir.resolve(LogState.FILE_NAME)), "a moved high watermark is checkpointed");
        assertEquals(3, LogState.read(dir).highWatermark());
    }

    @Test
    void aNewLeadersEpochOnAnEmptyLogIsWrittenBeforeItsFirstRecord() throws Exception {
        open();
        log.assignLeaderEpoch(5);
        assertEquals(Map.of(5, 0L), log.epochCache.entries());
        assertFalse(Files.exists(dir.resolve(LeaderEpochCache.FILE_NAME)), "no fsync while the log holds nothing");
        log.simulateCrash();
        open();
        assertEquals(Map.of(), log.epochCache.entries(), "lost with nothing that depends on it; the metadata assigns it again");
        log.assignLeaderEpoch(5);
        assertEquals(0, log.appendAsLeader(Batches.batch(3, 40, time.milliseconds()), 5).firstOffset());
        assertEquals(List.of("0", "1", "5 0"), Files.readAllLines(dir.resolve(LeaderEpochCache.FILE_NAME)),
                "written with the first record");
        log.simulateCrash();
        open();
        assertEquals(Map.of(5, 0L), log.epochCache.entries());
        log.assignLeaderEpoch(6); // not empty: written at once, as before
        assertEquals(List.of("0", "2", "5 0", "6 3"), Files.readAllLines(dir.resolve(LeaderEpochCache.FILE_NAME)));
    }

    @Test
    void aDeferredEpochIsWrittenByAFlushOrAClose() throws Exception {
        open();
        log.assignLeaderEpoch(2);
        log.flush();
        assertEquals(List.of("0", "1", "2 0"), Files.readAllLines(dir.resolve(LeaderEpochCache.FILE_NAME)));
        log.close();
        Files.delete(dir.resolve(LeaderEpochCache.FILE_NAME));
        open();
        log.assignLeaderEpoch(3);
        log.close();
        assertEquals(List.of("0", "1", "3 0"), Files.readAllLines(dir.resolve(LeaderEpochCache.FILE_NAME)), "written at close");
    }

    @Test
    void logCutInTheMiddleOfABatchRecoversEveryEarlierBatch() throws Exception {
        open();
        List<long[]> batches = appendBatches(5);
        List<String> all = Batches.dump(log);
        Path file = activeLogFile();
        log.simulateCrash();
        truncateFile(file, batches.get(3)[1] + batches.get(3)[2] / 2);
        open();
        assertEquals(9, log.logEndOffset());
        assertEquals(all.subList(0, 9), Batches.dump(log));
        assertEquals(batches.get(3)[1], Files.size(file));
        assertEquals(9, log.appendAsLeader(Batches.batch(1, 5, time.milliseconds()), 1).firstOffset());
    }

    @Test
    void flippedByteInsideABatchTruncatesFromThatBatch() throws Exception {
        open();
        List<long[]> batches = appendBatches(5);
        List<String> all = Batches.dump(log);
        Path file = activeLogFile();
        log.simulateCrash();
        flipByte(file, batches.get(2)[1] + batches.get(2)[2] - 5);
        open();
        assertEquals(6, log.logEndOffset());
        assertEquals(all.subList(0, 6), Batches.dump(log));
    }

    @Test
    void corruptBatchInAnEarlySegmentDropsEveryLaterSegmentWhenAllAreUnflushed() throws Exception {
        overrides = Map.of("segment.bytes", "500");
        open();
        appendBatches(10);
        assertTrue(log.segmentCount() >= 3);
        List<Long> bases = log.segmentBaseOffsets();
        List<String> all = Batches.dump(log);
        log.simulateCrash();
        Files.delete(dir.resolve(LogState.FILE_NAME)); // no recovery point: everything is scanned
        Path second = LogSegment.logFile(dir, bases.get(1));
        flipByte(second, 30);
        open();
        assertEquals(bases.get(1), log.logEndOffset());
        assertEquals(List.of(bases.get(0), bases.get(1)), log.segmentBaseOffsets());
        assertEquals(all.subList(0, (int) (long) bases.get(1)), Batches.dump(log));
        assertFalse(Files.exists(LogSegment.logFile(dir, bases.get(2))));
    }

    @Test
    void deletedIndexesAreRebuilt() throws Exception {
        overrides = Map.of("segment.bytes", "1000", "index.interval.bytes", "50");
        open();
        appendBatches(12);
        List<Long> bases = log.segmentBaseOffsets();
        List<String> all = Batches.dump(log);
        log.close();
        Files.delete(LogSegment.indexFile(dir, bases.get(0)));
        Files.delete(LogSegment.timeIndexFile(dir, bases.get(0)));
        open();
        assertEquals(all, Batches.dump(log));
        assertTrue(log.segments.get(bases.get(0)).records().sizeInBytes() > 0);
        assertEquals(Files.size(LogSegment.indexFile(dir, bases.get(1))) > 0, true);
        assertEveryOffsetReadable(all.size());
        assertTrue(Files.size(LogSegment.indexFile(dir, bases.get(0))) > 0, "index was rebuilt with entries");
    }

    @Test
    void corruptIndexesAreRebuilt() throws Exception {
        overrides = Map.of("segment.bytes", "1000", "index.interval.bytes", "50");
        open();
        appendBatches(12);
        List<Long> bases = log.segmentBaseOffsets();
        List<String> all = Batches.dump(log);
        log.close();
        Path index = LogSegment.indexFile(dir, bases.get(0));
        long entries = Files.size(index) / 8;
        assertTrue(entries >= 2);
        try (RandomAccessFile raf = new RandomAccessFile(index.toFile(), "rw")) {
            raf.seek(8); // second entry: offset behind the first, position far beyond the file
            raf.writeInt(0);
            raf.writeInt(1 << 30);
        }
        Path timeIndex = LogSegment.timeIndexFile(dir, bases.get(1));
        try (RandomAccessFile raf = new RandomAccessFile(timeIndex.toFile(), "rw")) {
            raf.setLength(raf.length() + 5); // a partial entry
        }
        open();
        assertEquals(all, Batches.dump(log));
        assertEveryOffsetReadable(all.size());
        assertEquals(0, Files.size(timeIndex) % 12);
        assertEquals(entries, Files.size(index) / 8, "the rebuilt index has every entry again");
    }

    void assertEveryOffsetReadable(int n) throws Exception {
        for (long o = 0; o < n; o++) {
            RecordBatch b = log.read(o, 1, log.logEndOffset(), true).records().batches().iterator().next();
            assertTrue(b.baseOffset() <= o && o <= b.lastOffset(), "offset " + o + " read batch " + b.baseOffset());
        }
    }

    @Test
    void preallocatedFileWithTrailingZerosRecovers() throws Exception {
        overrides = Map.of("preallocate", "true", "segment.bytes", "65536");
        open();
        appendBatches(4);
        List<String> all = Batches.dump(log);
        Path file = activeLogFile();
        log.simulateCrash();
        assertEquals(65536, Files.size(file));
        open();
        assertEquals(all, Batches.dump(log));
        assertEquals(12, log.logEndOffset());
        log.appendAsLeader(Batches.batch(1, 5, time.milliseconds()), 1);
        log.close();
        assertTrue(Files.size(file) < 65536, "clean close trims the preallocated file");
        open();
        assertEquals(13, log.logEndOffset());
    }

    @Test
    void cleanShutdownMarkerSkipsTheScan() throws Exception {
        open();
        List<long[]> batches = appendBatches(3);
        Path file = activeLogFile();
        log.close();
        assertTrue(Files.exists(dir.resolve(LogLoader.CLEAN_SHUTDOWN_FILE)));
        flipByte(file, batches.get(2)[1] + batches.get(2)[2] - 3);
        open();
        assertEquals(9, log.logEndOffset(), "no scan, so the damaged batch is not noticed");
        assertFalse(Files.exists(dir.resolve(LogLoader.CLEAN_SHUTDOWN_FILE)), "marker consumed on open");
        log.simulateCrash();
        open();
        assertEquals(6, log.logEndOffset(), "after an unclean stop the scan finds the damage");
    }

    @Test
    void halfFinishedCompactionSwapIsCompletedOnOpen() throws Exception {
        overrides = Map.of("cleanup.policy", "compact", "segment.bytes", "300", "min.cleanable.dirty.ratio", "0.01");
        open();
        for (int i = 0; i < 12; i++) {
            log.appendAsLeader(Batches.keyed(time.milliseconds(), "k" + (i % 3), "v" + i), 0);
        }
        List<String> before = Batches.dump(log);
        log.afterCleanHook = () -> {
            throw new IllegalStateException("crash after the swap file is committed");
        };
        assertThrows(IllegalStateException.class, () -> Batches.committed(log).compact());
        Path swap;
        try (Stream<Path> files = Files.list(dir)) {
            swap = files.filter(p -> p.toString().endsWith(".log.swap")).findFirst().orElseThrow();
        }
        List<String> swapped = new ArrayList<>();
        long swapEnd = readSwap(swap, swapped);
        log.simulateCrash();
        open();
        assertEquals(swapped, Batches.dump(log).stream()
                .filter(r -> Long.parseLong(r.substring(0, r.indexOf(':'))) < swapEnd).toList(),
                "the swap's range holds exactly the cleaned records");
        try (Stream<Path> files = Files.list(dir)) {
            assertFalse(files.anyMatch(p -> p.toString().endsWith(".swap") || p.toString().endsWith(".deleted")));
        }
        List<String> after = Batches.dump(log);
        // the committed clean is in place: older values of the keys are gone, the newest ones all remain
        assertTrue(after.size() < before.size(), after.toString());
        for (String rec : before.subList(before.size() - 3, before.size())) {
            assertTrue(after.contains(rec), rec + " missing from " + after);
        }
        assertTrue(before.containsAll(after));
        assertEquals(12, log.logEndOffset());
    }

    @Test
    void swapIsCompletedWhenTheOldSegmentsWereAlreadyRenamedDeleted() throws Exception {
        overrides = Map.of("cleanup.policy", "compact", "segment.bytes", "300", "min.cleanable.dirty.ratio", "0.01");
        open();
        for (int i = 0; i < 12; i++) {
            log.appendAsLeader(Batches.keyed(time.milliseconds(), "k" + (i % 3), "v" + i), 0);
        }
        log.afterCleanHook = () -> {
            throw new IllegalStateException("crash");
        };
        assertThrows(IllegalStateException.class, () -> Batches.committed(log).compact());
        log.simulateCrash();
        Path swap;
        try (Stream<Path> files = Files.list(dir)) {
            swap = files.filter(p -> p.toString().endsWith(".log.swap")).findFirst().orElseThrow();
        }
        long swapBase = Long.parseLong(swap.getFileName().toString().substring(0, 20));
        List<String> swapped = new ArrayList<>();
        long swapEnd = readSwap(swap, swapped);
        // crash point: the first old segment was already renamed .deleted, the swap not yet renamed
        Path first = LogSegment.logFile(dir, swapBase);
        Files.move(first, first.resolveSibling(first.getFileName() + ".deleted"));
        open();
        long end = swapEnd;
        List<String> inRange = Batches.dump(log).stream()
                .filter(r -> Long.parseLong(r.substring(0, r.indexOf(':'))) < end).toList();
        assertEquals(swapped, inRange, "the swap's range holds exactly the cleaned records");
        assertTrue(Files.exists(LogSegment.logFile(dir, swapBase)));
        assertEquals(12, log.logEndOffset());
    }

    /** Reads a swap file's records into {@code out}; returns one past its last offset. */
    static long readSwap(Path swap, List<String> out) throws Exception {
        long end = -1;
        try (org.apache.kafka.common.record.internal.FileRecords fr =
                     org.apache.kafka.common.record.internal.FileRecords.open(swap.toFile(), false)) {
            for (RecordBatch b : fr.batches()) {
                for (org.apache.kafka.common.record.internal.Record r : b) {
                    out.add(r.offset() + ":" + Batches.str(r.key()) + "=" + Batches.str(r.value()));
                }
                end = b.lastOffset() + 1;
            }
        }
        return end;
    }

    @Test
    void leftoverCleanedFileIsDiscardedOnOpen() throws Exception {
        overrides = Map.of("segment.bytes", "300");
        open();
        appendBatches(6);
        List<String> before = Batches.dump(log);
        log.simulateCrash();
        Path first = LogSegment.logFile(dir, 0);
        Path cleaned = dir.resolve(LogSegment.fileName(0, ".log.cleaned"));
        Files.copy(first, cleaned);
        truncateFile(cleaned, 100);
        open();
        assertFalse(Files.exists(cleaned));
        assertEquals(before, Batches.dump(log));
    }
}
