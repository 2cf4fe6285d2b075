package org.tributary.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A segment's {@code <baseOffset>.txnindex}: the aborted transactions whose ABORT marker lies in the
 * segment, in marker order, in Kafka's format (a sequence of {@value AbortedTxn#ENTRY_SIZE}-byte
 * version-0 entries, big-endian, no header). The file exists only once an entry was written (most
 * segments never have one). Entries are also held in memory (there are few), so fetches never read
 * the file. A trailing partial entry (a torn write) is dropped when the file is opened.
 *
 * <p>Mutations run under the owning log's lock; {@link #entries()} may be called from any thread.
 */
final class TransactionIndex {
    private volatile Path path;
    private final List<AbortedTxn> entries = new CopyOnWriteArrayList<>();
    private FileChannel channel;

    TransactionIndex(Path path) throws IOException {
        this.path = path;
        if (Files.exists(path)) {
            byte[] all = Files.readAllBytes(path);
            int whole = all.length / AbortedTxn.ENTRY_SIZE * AbortedTxn.ENTRY_SIZE;
            ByteBuffer buf = ByteBuffer.wrap(all, 0, whole);
            List<AbortedTxn> read = new ArrayList<>();
            try {
                while (buf.remaining() >= AbortedTxn.ENTRY_SIZE) {
                    read.add(AbortedTxn.readFrom(buf));
                }
            } catch (IllegalStateException e) {
                whole = read.size() * AbortedTxn.ENTRY_SIZE; // an unreadable entry: keep what precedes it
            }
            entries.addAll(read);
            if (whole != all.length) {
                try (FileChannel ch = FileChannel.open(path, StandardOpenOption.WRITE)) {
                    ch.truncate(whole);
                }
            }
        }
    }

    Path path() {
        return path;
    }

    /** The entries in marker order (a snapshot). */
    List<AbortedTxn> entries() {
        return List.copyOf(entries);
    }

    /** The last offset of the last entry, -1 when empty. */
    long lastMarkerOffset() {
        return entries.isEmpty() ? -1L : entries.get(entries.size() - 1).lastOffset();
    }

    /** Appends an entry; its marker must come after the last one's (as Kafka requires). */
    void append(AbortedTxn txn) throws IOException {
        if (txn.lastOffset() <= lastMarkerOffset()) {
            throw new IllegalArgumentException("aborted transaction " + txn + " does not follow the last one in " + path);
        }
        ByteBuffer buf = ByteBuffer.allocate(AbortedTxn.ENTRY_SIZE);
        txn.writeTo(buf);
        buf.flip();
        FileChannel ch = channel();
        long pos = (long) entries.size() * AbortedTxn.ENTRY_SIZE;
        while (buf.hasRemaining()) {
            pos += ch.write(buf, pos);
        }
        entries.add(txn);
    }

    /** Appends entries in order, skipping those already indexed (markers at or before the last one). */
    void appendAll(Iterable<AbortedTxn> txns) throws IOException {
        for (AbortedTxn t : txns) {
            if (t.lastOffset() > lastMarkerOffset()) {
                append(t);
            }
        }
    }

    private FileChannel channel() throws IOException {
        if (channel == null) {
            channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        }
        return channel;
    }

    /**
     * The entries whose transaction overlaps [{@code fetchOffset}, {@code upperBoundOffset}): marker at
     * or after the fetch offset and first offset below the bound; adds them to {@code out} and returns
     * whether the search is complete (an entry's last stable offset reached the bound, so no later
     * segment can hold an overlapping transaction, as in Kafka's {@code TxnIndexSearchResult}).
     */
    boolean collect(long fetchOffset, long upperBoundOffset, List<AbortedTxn> out) {
        for (AbortedTxn t : entries) {
            if (t.lastOffset() >= fetchOffset && t.firstOffset() < upperBoundOffset) {
                out.add(t);
            }
            if (t.lastStableOffset() >= upperBoundOffset) {
                return true;
            }
        }
        return false;
    }

    /** Removes the entries whose marker is at or after {@code offset}. */
    void truncateTo(long offset) throws IOException {
        int keep = 0;
        while (keep < entries.size() && entries.get(keep).lastOffset() < offset) {
            keep++;
        }
        if (keep == entries.size()) {
            return;
        }
        entries.subList(keep, entries.size()).clear();
        if (Files.exists(path)) {
            channel().truncate((long) keep * AbortedTxn.ENTRY_SIZE);
        }
    }

    /** Empties the index (and its file). */
    void reset() throws IOException {
        truncateTo(Long.MIN_VALUE);
    }

    void flush() throws IOException {
        if (channel != null) {
            channel.force(true);
        }
    }

    void close() throws IOException {
        if (channel != null) {
            channel.close();
            channel = null;
        }
    }

    /** Renames the file (if it exists) to {@code target}. */
    void renameTo(Path target) throws IOException {
        close();
        if (Files.exists(path)) {
            Files.move(path, target, StandardCopyOption.ATOMIC_MOVE);
        }
        path = target;
    }

    void deleteIfExists() throws IOException {
        close();
        Files.deleteIfExists(path);
    }

    /** Writes {@code txns} as a complete index file at {@code file} (fsynced), for a compaction swap. */
    static void writeFile(Path file, List<AbortedTxn> txns) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(txns.size() * AbortedTxn.ENTRY_SIZE);
        txns.forEach(t -> t.writeTo(buf));
        buf.flip();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
    }
}
