package org.tributary.txn;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.logging.Logger;
import org.tributary.util.AtomicFile;

/**
 * The producer-state snapshots of one partition, as Kafka keeps them: files
 * {@code <offset>.snapshot} (the offset zero-padded to 20 digits) in the partition's log directory,
 * each holding the producer state as of that offset (every batch below it applied) in the
 * {@link ProducerSnapshotFile} format. One is written when a segment rolls (at the new segment's
 * base offset), one at clean shutdown and periodically (at the log end); they are deleted with the
 * segments below the log start, above a truncation point, and when a partition is emptied.
 *
 * <p>Upgrade: brokers before this layout kept one file per partition,
 * {@code <data dir>/producer-state/<topic>-<partition>-<topic id>.snapshot}. {@link #adoptLegacy}
 * reads it once, writes it here as a snapshot at the offset it records (at least the log start) and
 * deletes it; a crash in between only makes the next start do the same again.
 *
 * <p>Thread-safe: the set of files is a concurrent map; the log's retention (without the
 * partition's lock) may delete files while a recovery (with it) reads them, which then sees a file
 * gone and takes the next older one.
 */
public final class ProducerSnapshots {
    private static final Logger LOG = Logger.getLogger(ProducerSnapshots.class.getName());
    public static final String SUFFIX = ".snapshot";

    private final Path dir;
    private final ConcurrentSkipListMap<Long, Path> files = new ConcurrentSkipListMap<>();

    /** The snapshots found in {@code dir} (created if missing). */
    public ProducerSnapshots(Path dir) throws IOException {
        this(dir, true);
    }

    /**
     * With {@code scan} false the directory exists and is known to be new (a partition just
     * created): it is neither created nor listed.
     */
    public ProducerSnapshots(Path dir, boolean scan) throws IOException {
        this.dir = dir;
        if (!scan) {
            return;
        }
        Files.createDirectories(dir);
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path p : ds) {
                Long offset = offsetOf(p.getFileName().toString());
                if (offset != null) {
                    files.put(offset, p);
                }
            }
        }
    }

    /** The file of the snapshot at {@code offset} in {@code dir}. */
    public static Path file(Path dir, long offset) {
        return dir.resolve(String.format("%020d", offset) + SUFFIX);
    }

    private static Long offsetOf(String name) {
        if (!name.endsWith(SUFFIX) || name.length() != 20 + SUFFIX.length()) {
            return null;
        }
        String digits = name.substring(0, 20);
        return digits.chars().allMatch(Character::isDigit) ? Long.valueOf(digits) : null;
    }

    /** The offsets snapshots exist at, in order. */
    public List<Long> offsets() {
        return List.copyOf(files.keySet());
    }

    public Optional<Long> latestOffset() {
        return Optional.ofNullable(files.isEmpty() ? null : files.lastKey());
    }

    public boolean contains(long offset) {
        return files.containsKey(offset);
    }

    /**
     * Writes the state of {@code producers} as the snapshot at {@code offset}. With {@code sync} it is
     * fsynced (file and directory) before returning; without, it is renamed into place unsynced and
     * the caller runs the returned action later (a roll does, off the log's lock, before the rolled
     * segment counts as flushed, as Kafka does): a crash before that may leave a damaged file, which
     * loading skips.
     */
    public Flush write(long offset, Collection<ProducerEntry> producers, boolean sync) throws IOException {
        byte[] bytes = ProducerSnapshotFile.encode(offset, producers);
        Path target = file(dir, offset);
        if (sync) {
            AtomicFile.write(target, bytes);
            files.put(offset, target);
            return () -> { };
        }
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.write(tmp, bytes);
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        files.put(offset, target);
        return () -> fsync(target);
    }

    /** Work left from an unsynced {@link #write}. */
    @FunctionalInterface
    public interface Flush {
        void run() throws IOException;
    }

    private void fsync(Path target) throws IOException {
        try (FileChannel ch = FileChannel.open(target, StandardOpenOption.WRITE)) {
            ch.force(true);
        } catch (NoSuchFileException gone) {
            return; // deleted meanwhile (truncation or retention)
        }
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException ignored) {
            // some file systems cannot fsync a directory; the rename is still atomic
        }
    }

    /**
     * The latest snapshot at or below {@code offset} that reads back whole. A damaged one (checksum,
     * truncated, unknown format) is logged in one WARNING line, deleted, and the next older one tried.
     */
    Optional<ProducerSnapshotFile.Loaded> loadLatestAtOrBelow(long offset) throws IOException {
        for (Map.Entry<Long, Path> e = files.floorEntry(offset); e != null; e = files.lowerEntry(e.getKey())) {
            try {
                ProducerSnapshotFile.Loaded loaded = ProducerSnapshotFile.read(e.getValue());
                if (loaded.mapEndOffset() != e.getKey()) {
                    throw new IOException("it records offset " + loaded.mapEndOffset());
                }
                return Optional.of(loaded);
            } catch (NoSuchFileException gone) {
                files.remove(e.getKey(), e.getValue()); // retention took it meanwhile
            } catch (IOException | RuntimeException bad) {
                LOG.warning("TRIB-TXN-010 skipping damaged producer snapshot " + e.getValue() + " (" + bad.getMessage()
                        + "); using an older one or the log");
                delete(e.getKey());
            }
        }
        return Optional.empty();
    }

    /** Deletes the snapshots above {@code offset} (they describe records a truncation removed). */
    public void deleteAbove(long offset) throws IOException {
        for (Long o : List.copyOf(files.tailMap(offset, false).keySet())) {
            delete(o);
        }
    }

    /** Deletes the snapshots below {@code offset} (the log start: their records are gone). */
    public void deleteBelow(long offset) throws IOException {
        for (Long o : List.copyOf(files.headMap(offset, false).keySet())) {
            delete(o);
        }
    }

    /** Deletes the snapshots strictly between {@code from} and {@code to} (superseded ones inside the active segment). */
    public void deleteBetween(long from, long to) throws IOException {
        if (to > from + 1) {
            for (Long o : List.copyOf(files.subMap(from, false, to, false).keySet())) {
                delete(o);
            }
        }
    }

    /**
     * Deletes the snapshots below {@code activeBase} that are at no segment's base offset (Kafka's
     * stray snapshots): the segments compaction merged away, a periodic snapshot of a segment that
     * has rolled since. Those at {@code segmentBases} and from the active segment on stay.
     */
    public void deleteStray(java.util.Set<Long> segmentBases, long activeBase) throws IOException {
        for (Long o : List.copyOf(files.headMap(activeBase, false).keySet())) {
            if (!segmentBases.contains(o)) {
                delete(o);
            }
        }
    }

    public void deleteAll() throws IOException {
        deleteAbove(Long.MIN_VALUE);
    }

    private void delete(long offset) throws IOException {
        Path p = files.remove(offset);
        if (p != null) {
            Files.deleteIfExists(p);
        }
    }

    /**
     * Upgrade from the single-file layout: a readable {@code legacy} file becomes the snapshot at the
     * offset it records (raised to {@code logStartOffset}, where the old code also started its scan)
     * unless that is beyond {@code logEndOffset}; the legacy file is deleted in every case.
     */
    public void adoptLegacy(Path legacy, long logStartOffset, long logEndOffset) throws IOException {
        if (legacy == null || !Files.exists(legacy)) {
            return;
        }
        try {
            ProducerSnapshotFile.Loaded old = ProducerSnapshotFile.read(legacy);
            long at = Math.max(old.mapEndOffset(), logStartOffset);
            if (at <= logEndOffset && !files.containsKey(at)) {
                write(at, old.producers(), true);
            }
        } catch (IOException | RuntimeException bad) {
            LOG.warning("TRIB-TXN-011 skipping damaged producer snapshot " + legacy + " (" + bad.getMessage()
                    + "); rebuilding from the log");
        }
        Files.deleteIfExists(legacy);
    }
}
