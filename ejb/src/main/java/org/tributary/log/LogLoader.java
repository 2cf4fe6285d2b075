package org.tributary.log;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.record.internal.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.record.internal.FileRecords;

/**
 * Opens a partition directory and brings it to a consistent state before the log serves anything:
 * <ol>
 * <li>leftovers of interrupted operations are settled: {@code .tmp} and {@code .cleaned} files are
 * deleted (never committed), {@code .deleted} files are deleted (already removed from the log), and a
 * {@code .swap} segment (a committed compaction) replaces every old segment whose base offset lies in
 * its offset range and is renamed into place;</li>
 * <li>without a clean-shutdown marker, every segment from the one holding the recovery point on is
 * rescanned: the log is truncated at the first torn or corrupt batch, later segments are dropped, and
 * indexes are rebuilt;</li>
 * <li>any index that is missing, has a partial entry or fails its sanity check is rebuilt.</li>
 * </ol>
 * Called only from {@link PartitionLog#open}, before the log is shared.
 */
final class LogLoader {
    private static final Logger LOG = Logger.getLogger(LogLoader.class.getName());
    static final String CLEANED_SUFFIX = ".cleaned";
    static final String SWAP_SUFFIX = ".swap";
    static final String DELETED_SUFFIX = ".deleted";
    static final String CLEAN_SHUTDOWN_FILE = ".clean-shutdown";

    record Loaded(TreeMap<Long, LogSegment> segments, long logStartOffset, long recoveryPoint, long cleanerOffset,
                  boolean hadCleanShutdown, int truncatedBytes) {
    }

    private LogLoader() {
    }

    /** Loads {@code log}'s directory into it: segments, offsets, epochs; then checkpoints the result. */
    static void loadInto(PartitionLog log) throws IOException {
        Path dir = log.dir;
        LogConfig config = log.config();
        TreeMap<Long, LogSegment> segments = new TreeMap<>();
        long now = log.time.milliseconds();
        boolean fresh = log.createdDirectory;
        boolean stateWritten = !fresh && Files.exists(dir.resolve(LogState.FILE_NAME));
        LogState state = fresh ? new LogState(0, 0, 0, 0) : LogState.read(dir);
        Loaded loaded = fresh ? new Loaded(new TreeMap<>(), 0, 0, 0, true, 0) : load(dir, config, now, state);
        segments.putAll(loaded.segments());
        long lso = loaded.logStartOffset();
        if (segments.isEmpty()) {
            segments.put(lso, LogSegment.open(dir, lso, config, now, config.preallocate()));
        }
        LogSegment active = segments.lastEntry().getValue();
        long leo = active.nextOffset();
        if (lso > leo) {
            for (LogSegment s : segments.values()) {
                s.deleteFiles();
            }
            segments.clear();
            segments.put(lso, LogSegment.open(dir, lso, config, now, config.preallocate()));
            leo = lso;
        }
        lso = Math.max(lso, segments.firstKey());
        active = segments.lastEntry().getValue();
        active.resizeIndexes(config.segmentIndexBytes());
        log.logStartOffset = lso;
        log.logEndOffset = leo;
        log.cleanerOffset = Math.min(Math.max(loaded.cleanerOffset(), lso), leo);
        log.highWatermark = Math.min(Math.max(state.highWatermark(), lso), leo);
        // A log that holds nothing and never checkpointed its state (a partition just created) has
        // nothing to make durable: an empty segment and a state of zeros are what loading finds
        // without them after a crash. Skipping the fsyncs makes creating a partition cheap.
        boolean empty = !stateWritten && lso == 0 && leo == 0 && log.highWatermark == 0 && log.cleanerOffset == 0;
        if (!loaded.hadCleanShutdown() && !empty) {
            for (LogSegment s : segments.tailMap(segments.floorKey(Math.max(segments.firstKey(), loaded.recoveryPoint()))).values()) {
                s.flush();
            }
        }
        log.recoveryPoint = leo;
        log.lastFlushMs = now;
        boolean epochsChanged = log.epochCache.truncateFromEnd(leo) | log.epochCache.truncateFromStart(lso);
        if (epochsChanged) {
            log.epochCache.checkpoint();
        }
        log.segments.putAll(segments);
        if (!empty) {
            log.writeState();
        } else {
            log.stateOnDisk = new LogState(0, 0, 0, 0); // what loading finds without a state file
        }
    }

    /** An existing directory (a new one is not loaded: {@link PartitionLog#createdDirectory()}). */
    static Loaded load(Path dir, LogConfig config, long now, LogState state) throws IOException {
        removeLeftovers(dir);
        completeSwaps(dir);
        Path marker = dir.resolve(CLEAN_SHUTDOWN_FILE);
        boolean clean = Files.exists(marker);
        if (clean) {
            Files.delete(marker);
            CheckpointFile.fsyncDirectory(dir);
        }
        TreeMap<Long, LogSegment> segments = new TreeMap<>();
        List<Long> needRebuild = new ArrayList<>();
        for (long base : baseOffsets(dir)) {
            boolean indexOk = indexUsable(LogSegment.indexFile(dir, base), OffsetIndex.ENTRY_SIZE)
                    && indexUsable(LogSegment.timeIndexFile(dir, base), TimeIndex.ENTRY_SIZE);
            if (!indexOk) {
                Files.deleteIfExists(LogSegment.indexFile(dir, base));
                Files.deleteIfExists(LogSegment.timeIndexFile(dir, base));
                needRebuild.add(base);
            }
            segments.put(base, LogSegment.open(dir, base, config, now, false));
        }
        long recoveryPoint = state.recoveryPoint();
        Long firstToRecover = clean ? null : segments.floorKey(recoveryPoint);
        if (!clean && firstToRecover == null && !segments.isEmpty()) {
            firstToRecover = segments.firstKey();
        }
        int truncated = 0;
        List<Long> drop = new ArrayList<>();
        boolean truncatedEarlier = false;
        for (Map.Entry<Long, LogSegment> e : segments.entrySet()) {
            LogSegment seg = e.getValue();
            if (truncatedEarlier) {
                drop.add(e.getKey());
                continue;
            }
            boolean scan = firstToRecover != null && e.getKey() >= firstToRecover;
            if (!scan && !needRebuild.contains(e.getKey())) {
                try {
                    seg.loadState();
                    seg.sanityCheckIndexes();
                } catch (RuntimeException ex) {
                    LOG.log(Level.WARNING, "TRIB-LOG-001 rebuilding index of " + seg + ": " + ex.getMessage());
                    scan = true;
                }
            } else {
                scan = true;
            }
            if (scan) {
                int cut = seg.recover(config.segmentIndexBytes());
                if (cut > 0) {
                    LOG.warning("TRIB-LOG-002 truncated " + cut + " invalid bytes at the end of " + seg
                            + " in " + dir.getFileName());
                    truncated += cut;
                    truncatedEarlier = firstToRecover != null;
                }
            }
        }
        Long last = segments.isEmpty() ? null : segments.lastKey();
        for (Map.Entry<Long, LogSegment> e : segments.entrySet()) {
            if (!e.getKey().equals(last) && !drop.contains(e.getKey())) {
                e.getValue().trimIndexes();
            }
        }
        for (long base : drop) {
            LogSegment seg = segments.remove(base);
            LOG.warning("TRIB-LOG-003 dropping segment " + seg + " after a truncated one in " + dir.getFileName());
            seg.deleteFiles();
        }
        return new Loaded(segments, state.logStartOffset(), recoveryPoint, state.cleanerOffset(), clean, truncated);
    }

    private static boolean indexUsable(Path index, int entrySize) throws IOException {
        // an empty index is valid (a segment with no entry yet: lookups scan from position 0)
        return Files.exists(index) && Files.size(index) % entrySize == 0;
    }

    static List<Long> baseOffsets(Path dir) throws IOException {
        List<Long> bases = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*" + LogSegment.LOG_SUFFIX)) {
            for (Path p : ds) {
                Long base = parseBase(p.getFileName().toString(), LogSegment.LOG_SUFFIX);
                if (base != null) {
                    bases.add(base);
                }
            }
        }
        bases.sort(null);
        return bases;
    }

    static Long parseBase(String name, String suffix) {
        if (!name.endsWith(suffix)) {
            return null;
        }
        String digits = name.substring(0, name.length() - suffix.length());
        if (digits.length() != 20 || !digits.chars().allMatch(Character::isDigit)) {
            return null;
        }
        return Long.parseLong(digits);
    }

    private static void removeLeftovers(Path dir) throws IOException {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                if (n.endsWith(CheckpointFile.TMP_SUFFIX) || n.endsWith(CLEANED_SUFFIX) || n.endsWith(DELETED_SUFFIX)
                        || (n.endsWith(SWAP_SUFFIX) && !n.endsWith(LogSegment.LOG_SUFFIX + SWAP_SUFFIX) && !committedTxnSwap(dir, n))) {
                    Files.deleteIfExists(p);
                }
            }
        }
        // indexes whose log is gone (a segment deleted or never fully created) must not be reused
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                Long base = n.endsWith(LogSegment.INDEX_SUFFIX) ? parseBase(n, LogSegment.INDEX_SUFFIX)
                        : n.endsWith(LogSegment.TXN_INDEX_SUFFIX) ? parseBase(n, LogSegment.TXN_INDEX_SUFFIX)
                        : parseBase(n, LogSegment.TIME_INDEX_SUFFIX);
                if (base != null && !Files.exists(LogSegment.logFile(dir, base))) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** The cleaned transaction index that goes with a {@code .log.swap} (written before it, so present if it is). */
    static Path txnIndexSwapFile(Path dir, long base) {
        return dir.resolve(LogSegment.fileName(base, LogSegment.TXN_INDEX_SUFFIX + SWAP_SUFFIX));
    }

    /** A {@code .txnindex.swap} is part of a committed swap when its {@code .log.swap} exists. */
    private static boolean committedTxnSwap(Path dir, String name) {
        Long base = parseBase(name, LogSegment.TXN_INDEX_SUFFIX + SWAP_SUFFIX);
        return base != null && Files.exists(dir.resolve(LogSegment.fileName(base, LogSegment.LOG_SUFFIX + SWAP_SUFFIX)));
    }

    /** A {@code .log.swap} file was fsynced before it got that name: it is the committed result of a clean. */
    private static void completeSwaps(Path dir) throws IOException {
        List<Path> swaps = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*" + LogSegment.LOG_SUFFIX + SWAP_SUFFIX)) {
            ds.forEach(swaps::add);
        }
        swaps.sort(null);
        for (Path swap : swaps) {
            Long base = parseBase(swap.getFileName().toString(), LogSegment.LOG_SUFFIX + SWAP_SUFFIX);
            if (base == null) {
                Files.delete(swap);
                continue;
            }
            long next = base;
            try (FileRecords fr = FileRecords.open(swap.toFile(), false)) {
                for (FileChannelRecordBatch b : fr.batches()) {
                    next = b.lastOffset() + 1;
                }
            } catch (CorruptRecordException e) {
                // fsynced before the rename, so this should not happen; keep what was readable
            }
            for (long old : baseOffsets(dir)) {
                if (old >= base && old < Math.max(next, base + 1)) {
                    Files.deleteIfExists(LogSegment.logFile(dir, old));
                    Files.deleteIfExists(LogSegment.indexFile(dir, old));
                    Files.deleteIfExists(LogSegment.timeIndexFile(dir, old));
                    Files.deleteIfExists(LogSegment.txnIndexFile(dir, old));
                }
            }
            Files.deleteIfExists(LogSegment.indexFile(dir, base));
            Files.deleteIfExists(LogSegment.timeIndexFile(dir, base));
            Path txnSwap = txnIndexSwapFile(dir, base);
            if (Files.exists(txnSwap)) {
                Files.move(txnSwap, LogSegment.txnIndexFile(dir, base), StandardCopyOption.REPLACE_EXISTING,
                        StandardCopyOption.ATOMIC_MOVE);
            }
            Files.move(swap, LogSegment.logFile(dir, base), StandardCopyOption.ATOMIC_MOVE);
            LOG.info("TRIB-LOG-004 completed an interrupted compaction swap for segment " + base + " in " + dir.getFileName());
        }
        if (!swaps.isEmpty()) {
            CheckpointFile.fsyncDirectory(dir);
        }
    }
}
