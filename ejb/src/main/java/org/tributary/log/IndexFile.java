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
        long len = Files.exists(path) ? Files.size(path) : 0;
        if (len == 0) {
            // lazy, as Kafka's LazyIndex: a new segment's index file is created and mapped at its first entry,
            // so opening thousands of new partitions does not create and map two files each
            this.entries = 0;
            this.maxEntries = roundDown(maxIndexSize) / entrySize;
        } else {
            try (RandomAccessFile raf = new RandomAccessFile(path.toFile(), "rw")) {
                this.entries = (int) (len / entrySize);
                this.maxEntries = this.entries;
                this.mmap = raf.getChannel().map(FileChannel.MapMode.READ_WRITE, 0, len);
            }
        }
    }

    /** The mapping, creating the file preallocated to the current maximum at the first entry. */
    private synchronized MappedByteBuffer mapped() throws IOException {
        MappedByteBuffer m = mmap;
        if (m == null) {
            try (RandomAccessFile raf = new RandomAccessFile(path.toFile(), "rw")) {
                raf.setLength((long) maxEntries * entrySize);
                m = raf.getChannel().map(FileChannel.MapMode.READ_WRITE, 0, (long) maxEntries * entrySize);
            }
            mmap = m;
        }
        return m;
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

    /**
     * A read view; callers read {@link #entries()} first and then only that many entries (a count above
     * zero was published after the mapping, so the view then holds them).
     */
    protected final ByteBuffer view() {
        MappedByteBuffer m = mmap;
        return m == null ? EMPTY : m.duplicate();
    }

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0).asReadOnlyBuffer();

    /** Appends an (int, int) entry; absolute puts, then the entry count is published. */
    protected final void appendEntry(int first, int second) {
        int at = slotForAppend();
        MappedByteBuffer m = mappedForAppend();
        m.putInt(at, first);
        m.putInt(at + 4, second);
        entries = entries + 1;
    }

    /** Appends a (long, int) entry. */
    protected final void appendEntry(long first, int second) {
        int at = slotForAppend();
        MappedByteBuffer m = mappedForAppend();
        m.putLong(at, first);
        m.putInt(at + 8, second);
        entries = entries + 1;
    }

    private MappedByteBuffer mappedForAppend() {
        MappedByteBuffer m = mmap;
        if (m != null) {
            return m;
        }
        try {
            return mapped();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot create index " + path, e);
        }
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
        if (mmap == null) {
            // not created yet: only the room it will be created with changes; a closed segment's empty index
            // is still written (length 0), so loading finds it and need not rebuild it
            this.maxEntries = rounded / entrySize;
            if (rounded == 0 && !Files.exists(path)) {
                Files.createFile(path);
            }
            return;
        }
        if (rounded == mmap.capacity() && maxEntries == rounded / entrySize) {
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
        MappedByteBuffer m = mmap;
        if (m != null) {
            m.force();
        }
    }

    final synchronized void renameTo(Path target) throws IOException {
        if (mmap != null || Files.exists(path)) {
            Files.move(path, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
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
