package org.tributary.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tributary.testing.FakeTime;

class IndexTest {
    @TempDir
    Path tmp;

    @Test
    void offsetIndexLookupAtEveryBoundary() throws Exception {
        OffsetIndex idx = new OffsetIndex(tmp.resolve("a.index"), 100, 80);
        assertEquals(new OffsetIndex.Entry(100, 0), idx.lookup(100));   // empty: base offset, position 0
        idx.append(109, 50);
        idx.append(119, 150);
        idx.append(129, 250);
        assertEquals(new OffsetIndex.Entry(100, 0), idx.lookup(99));    // below base
        assertEquals(new OffsetIndex.Entry(100, 0), idx.lookup(108));   // before first entry
        assertEquals(new OffsetIndex.Entry(109, 50), idx.lookup(109));  // exactly an entry
        assertEquals(new OffsetIndex.Entry(109, 50), idx.lookup(118));  // between entries
        assertEquals(new OffsetIndex.Entry(119, 150), idx.lookup(119));
        assertEquals(new OffsetIndex.Entry(129, 250), idx.lookup(129)); // last entry
        assertEquals(new OffsetIndex.Entry(129, 250), idx.lookup(10_000)); // beyond last
        idx.close();
    }

    @Test
    void offsetIndexRejectsNonIncreasingEntriesAndFillsUp() throws Exception {
        OffsetIndex idx = new OffsetIndex(tmp.resolve("b.index"), 0, 16);
        idx.append(5, 10);
        assertThrows(IllegalArgumentException.class, () -> idx.append(5, 20));
        assertThrows(IllegalArgumentException.class, () -> idx.append(6, 10));
        idx.append(6, 20);
        assertTrue(idx.isFull());
        assertThrows(IllegalStateException.class, () -> idx.append(7, 30));
    }

    @Test
    void offsetIndexTruncateRemovesEntriesAtOrAfterOffset() throws Exception {
        OffsetIndex idx = new OffsetIndex(tmp.resolve("c.index"), 0, 80);
        idx.append(9, 100);
        idx.append(19, 200);
        idx.append(29, 300);
        idx.truncateTo(19);
        assertEquals(1, idx.entries());
        assertEquals(new OffsetIndex.Entry(9, 100), idx.lookup(25));
    }

    @Test
    void offsetIndexSurvivesTrimAndReopen() throws Exception {
        Path p = tmp.resolve("d.index");
        OffsetIndex idx = new OffsetIndex(p, 0, 800);
        idx.append(9, 100);
        idx.append(19, 200);
        idx.close();
        OffsetIndex again = new OffsetIndex(p, 0, 800);
        assertEquals(2, again.entries());
        assertEquals(new OffsetIndex.Entry(19, 200), again.lookup(19));
        again.sanityCheck(20, 300);
        assertThrows(IllegalStateException.class, () -> again.sanityCheck(15, 300)); // entry past the log end
    }

    @Test
    void timeIndexLookupAtEveryBoundary() throws Exception {
        TimeIndex idx = new TimeIndex(tmp.resolve("a.timeindex"), 100, 120);
        assertEquals(100, idx.lookupStartOffset(5));
        idx.maybeAppend(1000, 109);
        idx.maybeAppend(1000, 110);   // not larger: ignored
        idx.maybeAppend(2000, 119);
        idx.maybeAppend(3000, 129);
        assertEquals(3, idx.entries());
        assertEquals(100, idx.lookupStartOffset(999));   // before first timestamp
        assertEquals(100, idx.lookupStartOffset(1000));  // equal to first: start before it (earlier records may share it)
        assertEquals(109, idx.lookupStartOffset(1001));
        assertEquals(109, idx.lookupStartOffset(2000));
        assertEquals(119, idx.lookupStartOffset(2001));
        assertEquals(129, idx.lookupStartOffset(99_999)); // after last
        assertEquals(new TimeIndex.Entry(3000, 129), idx.lastEntry());
        idx.truncateTo(119);
        assertEquals(new TimeIndex.Entry(1000, 109), idx.lastEntry());
    }
    @Test
    void aNewIndexCreatesItsFileOnlyAtItsFirstEntry() throws Exception {
        Path p = tmp.resolve("lazy.index");
        OffsetIndex idx = new OffsetIndex(p, 100, 80);
        assertFalse(Files.exists(p), "opening a new index creates no file");
        assertEquals(new OffsetIndex.Entry(100, 0), idx.lookup(150));
        assertEquals(new OffsetIndex.Entry(100, 0), idx.lastEntry());
        idx.truncateTo(120);
        idx.sanityCheck(200, 1000);
        idx.flush();
        idx.resize(800); // becomes active with more room: still nothing on disk
        assertFalse(Files.exists(p));
        idx.append(109, 50);
        assertEquals(800, Files.size(p), "created at the room it had been given");
        assertEquals(new OffsetIndex.Entry(109, 50), idx.lookup(150));
        idx.close();
        assertEquals(OffsetIndex.ENTRY_SIZE, Files.size(p));
        assertEquals(new OffsetIndex.Entry(109, 50), new OffsetIndex(p, 100, 80).lookup(150));
    }

    @Test
    void anIndexClosedWithoutEntriesIsLeftEmptyOnDiskAndTakesEntriesAfterReopening() throws Exception {
        Path p = tmp.resolve("empty.timeindex");
        TimeIndex idx = new TimeIndex(p, 0, 120);
        idx.close();
        assertTrue(Files.exists(p), "a closed index is on disk, so loading finds it and need not rebuild it");
        assertEquals(0, Files.size(p));
        TimeIndex again = new TimeIndex(p, 0, 120);
        assertEquals(0, again.entries());
        again.resize(120);
        assertEquals(0, Files.size(p), "resizing an index not yet mapped only sets its room");
        again.maybeAppend(1000, 9);
        assertEquals(120, Files.size(p));
        assertEquals(new TimeIndex.Entry(1000, 9), again.lastEntry());
    }

    @Test
    void renamingOrDeletingAnIndexThatWasNeverCreatedTouchesNoFile() throws Exception {
        Path p = tmp.resolve("gone.index");
        OffsetIndex idx = new OffsetIndex(p, 0, 80);
        Path renamed = tmp.resolve("gone.index.deleted");
        idx.renameTo(renamed);
        assertFalse(Files.exists(p));
        assertFalse(Files.exists(renamed));
        assertEquals(renamed, idx.path());
        idx.deleteIfExists();
        OffsetIndex used = new OffsetIndex(tmp.resolve("used.index"), 0, 80);
        used.append(3, 10);
        used.renameTo(tmp.resolve("used.index.deleted"));
        assertTrue(Files.exists(tmp.resolve("used.index.deleted")), "a created index file is moved");
    }

    @Test
    void aNewPartitionLogCreatesNoIndexFilesUntilItHasEntriesAndReadsBackAfterACleanAndAnUncleanStop() throws Exception {
        FakeTime time = new FakeTime(70_000_000L);
        Path dir = tmp.resolve("orders-0");
        LogConfig config = LogConfig.from(Map.of(), Map.of("index.interval.bytes", "4096"));
        PartitionLog log = PartitionLog.open(dir, config, time);
        Path index = LogSegment.indexFile(dir, 0);
        Path timeIndex = LogSegment.timeIndexFile(dir, 0);
        assertFalse(Files.exists(index), "a new log creates no offset index");
        assertFalse(Files.exists(timeIndex), "a new log creates no time index");
        log.appendAsLeader(Batches.batch(3, 40, time.milliseconds()), 0);
        assertFalse(Files.exists(index), "a small append makes no index entry");
        log.updateHighWatermark(log.logEndOffset());
        log.close();
        assertEquals(0, Files.size(index), "closed: an empty index file");
        assertEquals(TimeIndex.ENTRY_SIZE, Files.size(timeIndex), "closed: the time index holds the largest timestamp");

        PartitionLog reopened = PartitionLog.open(dir, config, time);
        assertEquals(3, reopened.logEndOffset());
        for (int i = 0; i < 60; i++) {
            reopened.appendAsLeader(Batches.batch(2, 100, time.milliseconds() + i), 0);
        }
        assertTrue(Files.size(index) > 0, "entries made the offset index file");
        assertEquals(123, reopened.logEndOffset());
        reopened.simulateCrash(); // nothing trimmed or marked clean: the next open recovers, as after kill -9
        PartitionLog recovered = PartitionLog.open(dir, config, time);
        assertEquals(123, recovered.logEndOffset());
        assertEquals(123, Batches.offsets(recovered).size());
        recovered.close();
    }
}
