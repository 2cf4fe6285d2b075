package org.tributary.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Sparse map from timestamp to offset within one segment: 12-byte entries of (timestamp, long; offset
 * relative to the base offset, int). An entry (t, o) says that t is the largest timestamp in the
 * segment up to and including offset o. Timestamps are strictly increasing, offsets non-decreasing;
 * an entry is added alongside an offset-index entry when the segment's maximum timestamp has grown.
 * See {@link IndexFile} for thread-safety.
 */
final class TimeIndex extends IndexFile {
    static final int ENTRY_SIZE = 12;

    record Entry(long timestamp, long offset) {
    }

    TimeIndex(Path path, long baseOffset, int maxIndexSize) throws IOException {
        super(path, baseOffset, maxIndexSize, ENTRY_SIZE);
    }

    /** Appends (timestamp, offset) if timestamp exceeds the last entry's and there is room. */
    void maybeAppend(long timestamp, long offset) {
        int n = entries();
        if (n > 0) {
            long lastTs = longAt((n - 1) * ENTRY_SIZE);
            long lastOffset = baseOffset + intAt((n - 1) * ENTRY_SIZE + 8);
            if (timestamp <= lastTs || offset < lastOffset) {
                return;
            }
        }
        if (isFull()) {
            return;
        }
        appendEntry(timestamp, (int) (offset - baseOffset));
    }

    /** (-1, baseOffset) when empty. */
    Entry lastEntry() {
        int n = entries();
        return n == 0 ? new Entry(-1L, baseOffset) : entryAt(view(), n - 1);
    }

    /**
     * An offset at or before the first record with timestamp {@code >= target}: the offset of the
     * entry with the largest timestamp strictly below target (every record up to it is older), else
     * the base offset.
     */
    long lookupStartOffset(long target) {
        int n = entries();
        ByteBuffer buf = view();
        int slot = largestLowerBound(buf, n, target, true, (b, s) -> b.getLong(s * ENTRY_SIZE));
        return slot < 0 ? baseOffset : entryAt(buf, slot).offset();
    }

    private Entry entryAt(ByteBuffer buf, int slot) {
        return new Entry(buf.getLong(slot * ENTRY_SIZE), baseOffset + buf.getInt(slot * ENTRY_SIZE + 8));
    }

    void truncateTo(long offset) {
        int n = entries();
        ByteBuffer buf = view();
        int keep = 0;
        while (keep < n && baseOffset + buf.getInt(keep * ENTRY_SIZE + 8) < offset) {
            keep++;
        }
        truncateToEntries(keep);
    }

    @Override
    void sanityCheck(long nextOffset, long logSize) {
        int n = entries();
        ByteBuffer buf = view();
        long prevTs = Long.MIN_VALUE;
        long prevOff = -1;
        for (int i = 0; i < n; i++) {
            long ts = buf.getLong(i * ENTRY_SIZE);
            long rel = buf.getInt(i * ENTRY_SIZE + 8);
            if (ts <= prevTs || rel < prevOff || rel < 0 || baseOffset + rel >= nextOffset) {
                throw new IllegalStateException("corrupt time index " + path() + " at entry " + i
                        + ": (" + ts + ", " + (baseOffset + rel) + ")");
            }
            prevTs = ts;
            prevOff = rel;
        }
    }
}
