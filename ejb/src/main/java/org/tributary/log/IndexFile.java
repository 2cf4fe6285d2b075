package org.tributary.log;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A memory-mapped file of fixed-width entries sorted by key, the common part of {@link OffsetIndex}
 * and {@link TimeIndex}. While its segment is active the file is preallocated to {@code maxIndexSize}
 * (rounded down to whole entries) and appended to in place; {@link #trimToValidSize()} cuts it to the
 * written entries when the segment rolls or closes, so a closed index's length is exactly
 * {@code entries * entrySize}. An index found with a length that is not a whole number of entries, or
 * whose entries fail {@link #sanityCheck}, is rebuilt from the log by the loader.
 *
 * <p>Thread-safety: mutations are serialized by the owning log's lock; lookups may run concurrently:
 * they read through a duplicate of the mapping up to the entry count published (volatile) after each
 * entry is written.
 */
abstract class IndexFile {
    protected final long baseOffset;
    private final int entrySize;
    private volatile Path path;
    private volatile MappedByteBuffer mmap;
    private volatile int entries;
    private int maxEntries;

    IndexFile(Path path, long baseOffset, int maxIndexSize, int entrySize) throws IOException {
        this.path = path;
        this.baseOffset = baseOffset;
        this.entrySize = entrySize;
        boolean existed = Files.exists(path);
        try (RandomAccessFile raf = new RandomAccessFile(path.toFile(), "rw")) {
            long len = raf.length();
            if (!existed || len == 0) {
                len = roundDown(maxIndexSize);
                raf.setLength(len);
                this.entries = 0;
            } else {
                this.entries = (int) (len / entrySize);
            }
            this.maxEntries = (int) (len / entrySize);
            this.mmap = raf.getChannel().map(FileChannel.MapMode.READ_WRITE, 0, len);
        }
    }

    private int roundDown(int size) {
        return Math.max(entrySize, size / entrySize * entrySize);
    }

    /** True if the file length is a whole number of entries (checked before trusting a file). */
    static boolean lengthIsValid(Path path, int entrySize) throws IOException {
        return Files.size(path) % entrySize == 0;
    }

    final int entries() {
        return entries;
    }

    final boolean isFull() {
        return entries >= maxEntries;
    }

    final int maxSizeBytes() {
        return maxEntries * entrySize;
    }

    final Path path() {
        return path;
    }

    final int sizeInBytes() {
        return entries * entrySize;
    }

    /** A read view; callers read only the first {@code entries} entries they saw. */
    protected final ByteBuffer view() {
        return mmap.duplicate();
    }

    /** Appends an (int, int) entry; absolute puts, then the entry count is published. */
    protected final void appendEntry(int first, int second) {
        int at = slotForAppend();
        MappedByteBuffer m = mmap;
        m.putInt(at, first);
        m.putInt(at + 4, second);
        entries = entries + 1;
    }

    /** Appends a (long, int) entry. */
    protected final void appendEntry(long first, int second) {
        int at = slotForAppend();
        MappedByteBuffer m = mmap;
        m.putLong(at, first);
        m.putInt(at + 8, second);
        entries = entries + 1;
    }

    private int slotForAppend() {
        if (isFull()) {
            throw new IllegalStateException("index " + path + " is full (" + entries + " entries)");
        }
        return entries * entrySize;
    }

    /** Absolute reads from the mapping (no position change, safe alongside readers). */
    protected final int intAt(int byteOffset) {
        return mmap.getInt(byteOffset);
    }

    protected final long longAt(int byteOffset) {
        return mmap.getLong(byteOffset);
    }

    /** Removes entries from {@code n} on (keeps the file length). */
    protected final void truncateToEntries(int n) {
        entries = Math.min(entries, n);
    }

    /**
     * Index of the last entry whose key is {@code <= target} (or {@code < target} when strict), -1 if none.
     * {@code keyAt(buffer, slot)} reads an entry's key.
     */
    protected final int largestLowerBound(ByteBuffer buf, int n, long target, boolean strict, KeyReader keyAt) {
        int lo = 0;
        int hi = n - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            long k = keyAt.key(buf, mid);
            if (k < target || (!strict && k == target)) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }

    interface KeyReader {
        long key(ByteBuffer buf, int slot);
    }

    final void reset() throws IOException {
        truncateToEntries(0);
    }

    /** Cuts the file to the written entries (segment roll or close). */
    final synchronized void trimToValidSize() throws IOException {
        resize(entries * entrySize);
    }

    /** Grows the preallocated area again (a segment that becomes active after truncation). */
    final synchronized void resize(int newSize) throws IOException {
        int rounded = newSize / entrySize * entrySize;
        if (mmap != null && rounded == mmap.capacity() && maxEntries == rounded / entrySize) {
            return; // already that size (a segment just created or loaded): no msync of the whole map, no remap
        }
        try (RandomAccessFile raf = new RandomAccessFile(path.toFile(), "rw")) {
            mmap.force();
            raf.setLength(rounded);
            this.mmap = raf.getChannel().map(FileChannel.MapMode.READ_WRITE, 0, rounded);
            this.maxEntries = rounded / entrySize;
            this.entries = Math.min(entries, maxEntries);
        }
    }

    final void flush() {
        mmap.force();
    }

    final void renameTo(Path target) throws IOException {
        Files.move(path, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        this.path = target;
    }

    final void close() throws IOException {
        trimToValidSize();
    }

    final void deleteIfExists() throws IOException {
        Files.deleteIfExists(path);
    }

    /** Throws {@link IllegalStateException} describing the first problem if the entries are inconsistent. */
    abstract void sanityCheck(long nextOffset, long logSize);
}
