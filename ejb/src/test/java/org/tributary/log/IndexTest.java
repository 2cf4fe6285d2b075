package org.tributary.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
}
