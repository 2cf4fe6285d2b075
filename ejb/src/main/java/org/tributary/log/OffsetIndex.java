package org.tributary.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Sparse map from offset to file position within one segment: 8-byte entries of (offset relative to
 * the segment's base offset, int; physical position, int). An entry (o, p) says the batch starting at
 * position p has last offset o. Entries are strictly increasing in both fields; one is added after
 * at least {@code index.interval.bytes} have been appended since the previous one.
 * See {@link IndexFile} for thread-safety.
 */
final class OffsetIndex extends IndexFile {
    static final int ENTRY_SIZE = 8;

    /** An index hit: the batch at {@code position} ends at {@code offset}; (baseOffset, 0) when no entry applies. */
    record Entry(long offset, int position) {
    }

    OffsetIndex(Path path, long baseOffset, int maxIndexSize) throws IOException {
        super(path, baseOffset, maxIndexSize, ENTRY_SIZE);
    }

    void append(long offset, int position) {
        long rel = offset - baseOffset;
        if (rel < 0 || rel > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("offset " + offset + " out of range for index " + path());
        }
        int n = entries();
        if (n > 0) {
            int lastRel = intAt((n - 1) * ENTRY_SIZE);
            int lastPos = intAt((n - 1) * ENTRY_SIZE + 4);
            if (rel <= lastRel || position <= lastPos) {
                throw new IllegalArgumentException("index entry (" + offset + ", " + position + ") not after ("
                        + (baseOffset + lastRel) + ", " + lastPos + ")");
            }
        }
        appendEntry((int) rel, position);
    }

    /** The entry with the largest offset {@code <= target}, or (baseOffset, 0). */
    Entry lookup(long target) {
        int n = entries();
        ByteBuffer buf = view();
        int slot = largestLowerBound(buf, n, target - baseOffset, false, (b, s) -> b.getInt(s * ENTRY_SIZE));
        return slot < 0 ? new Entry(baseOffset, 0) : entryAt(buf, slot);
    }

    Entry lastEntry() {
        int n = entries();
        return n == 0 ? new Entry(baseOffset, 0) : entryAt(view(), n - 1);
    }

    private Entry entryAt(ByteBuffer buf, int slot) {
        return new Entry(baseOffset + buf.getInt(slot * ENTRY_SIZE), buf.getInt(slot * ENTRY_SIZE + 4));
    }

    /** Removes every entry for offsets {@code >= offset}. */
    void truncateTo(long offset) {
        int n = entries();
        ByteBuffer buf = view();
        int slot = largestLowerBound(buf, n, offset - baseOffset, true, (b, s) -> b.getInt(s * ENTRY_SIZE));
        truncateToEntries(slot + 1);
    }

    @Override
    void sanityCheck(long nextOffset, long logSize) {
        int n = entries();
        ByteBuffer buf = view();
        long prevOff = -1;
        long prevPos = -1;
        for (int i = 0; i < n; i++) {
            long rel = buf.getInt(i * ENTRY_SIZE);
            long pos = buf.getInt(i * ENTRY_SIZE + 4);
            if (rel <= prevOff || pos <= prevPos || rel < 0 || pos < 0 || baseOffset + rel >= nextOffset || pos >= logSize) {
                throw new IllegalStateException("corrupt offset index " + path() + " at entry " + i
                        + ": (" + (baseOffset + rel) + ", " + pos + ")");
            }
            prevOff = rel;
            prevPos = pos;
        }
    }
}
