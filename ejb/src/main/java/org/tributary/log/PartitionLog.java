package org.tributary.log;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.locks.ReentrantLock;

import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.Time;

/**
 * One partition's log: an ordered set of {@link LogSegment}s in {@code <topic>-<partition>/}, the last
 * of which (the active segment) takes appends. Invariants: segments are keyed by base offset and
 * hold strictly increasing, non-overlapping offsets; {@code logStartOffset <= logEndOffset}; every
 * offset below {@code recoveryPoint} is fsynced; the leader epoch cache has no entry past the log end
 * offset (a leader's current epoch may start at it, before its first append).
 *
 * <p>Thread-safe: appends, roll, truncation, retention and the compaction swap are serialized by
 * {@link #lock}; reads run concurrently with them and see a prefix of the log (file sizes are
 * published after each write). Segments removed while a reader may still hold them are renamed
 * {@code .deleted} and closed after {@code file.delete.delay.ms} when a scheduler is available.
 */
public final class PartitionLog implements Closeable {
    final Path dir;
    final Time time;
    final ScheduledExecutorService scheduler;
    final ReentrantLock lock = new ReentrantLock();
    final ConcurrentSkipListMap<Long, LogSegment> segments = new ConcurrentSkipListMap<>();
    final LeaderEpochCache epochCache;
    private volatile LogConfig config;
    volatile long logStartOffset;
    volatile long logEndOffset;
    volatile long recoveryPoint;
    volatile long cleanerOffset;
    volatile long highWatermark;
    /** Set by the partition layer (which owns producer state); the compactor never cleans at or past it. */
    private volatile long lastStableOffset = Long.MAX_VALUE;
    volatile long lastFlushMs;
    volatile long lastStateWriteMs;
    /**
     * The state last written (or, for a new empty log, what loading finds without a state file);
     * null when unknown. The periodic rewrite skips a state that has not changed: a broker with
     * thousands of idle partitions must not fsync each of them every interval.
     */
    volatile LogState stateOnDisk;
    /** Kafka's log.flush.offset.checkpoint.interval.ms default. */
    static final long CHECKPOINT_INTERVAL_MS = 60_000L;
    private volatile boolean closed;
    /** See {@link #createdDirectory()}. */
    final boolean createdDirectory;
    private final LogFailure failure = new LogFailure(this);
    private volatile LogListener listener = LogListener.NONE;

    /** Sets the one listener of this log (the partition owning its producer state). */
    public void setListener(LogListener listener) {
        this.listener = listener == null ? LogListener.NONE : listener;
    }

    LogListener listener() {
        return listener;
    }

    /** The base offset of the active segment (the segment appends go to). */
    public long activeSegmentBaseOffset() {
        return activeSegment().baseOffset();
    }

    /** The directory of this log's files. */
    public Path dir() {
        return dir;
    }

    private PartitionLog(Path dir, LogConfig config, Time time, ScheduledExecutorService scheduler) throws IOException {
        this.dir = dir;
        this.config = config;
        this.time = time;
        this.scheduler = scheduler;
        this.createdDirectory = !Files.isDirectory(dir);
        Files.createDirectories(dir);
        this.epochCache = new LeaderEpochCache(dir, !createdDirectory);
    }

    /**
     * Whether this open created the log's directory: a new partition, with no file to read, scan or
     * recover (so nothing on its open path looks for any).
     */
    public boolean createdDirectory() {
        return createdDirectory;
    }

    /** Opens (creating if needed) and recovers the log in {@code partitionDir}; see {@link LogLoader}. */
    public static PartitionLog open(Path partitionDir, LogConfig config, Time time) throws IOException {
        return open(partitionDir, config, time, null);
    }

    /** As {@link #open(Path, LogConfig, Time)}; removed segment files are deleted later on {@code scheduler}. */
    public static PartitionLog open(Path partitionDir, LogConfig config, Time time, ScheduledExecutorService scheduler)
            throws IOException {
        PartitionLog log = new PartitionLog(partitionDir, config, time, scheduler);
        log.load();
        return log;
    }

    private void load() throws IOException {
        LogLoader.loadInto(this);
    }

    void writeState() throws IOException {
        LogState state = new LogState(logStartOffset, recoveryPoint, cleanerOffset, highWatermark);
        state.write(dir);
        stateOnDisk = state;
        lastStateWriteMs = time.milliseconds();
    }

    /** The state as it is in memory now. */
    LogState currentState() {
        return new LogState(logStartOffset, recoveryPoint, cleanerOffset, highWatermark);
    }

    LogSegment activeSegment() {
        return segments.lastEntry().getValue();
    }

    /**
     * Leader append: validates every batch ({@link BatchValidator}), assigns offsets from the log end
     * offset, stamps {@code leaderEpoch}, and writes the request with one write. All or nothing.
     * Note: offsets, epoch and (LogAppendTime) header timestamp are written into {@code records}' buffer.
     *
     * @throws org.apache.kafka.common.errors.CorruptRecordException bad CRC or structure
     * @throws org.apache.kafka.common.errors.RecordTooLargeException a batch above max.message.bytes
     * @throws org.apache.kafka.common.InvalidRecordException magic below v2, inconsistent counts, no batches,
     *     control batch from a client, key missing on a compacted topic
     * @throws org.apache.kafka.common.errors.InvalidTimestampException timestamp outside the configured bounds
     */
    public AppendInfo appendAsLeader(MemoryRecords records, int leaderEpoch) throws IOException {
        return appendAsLeader(records, leaderEpoch, false);
    }

    /** As {@link #appendAsLeader(MemoryRecords, int)}; {@code allowControlBatches} for coordinator-written markers. */
    public AppendInfo appendAsLeader(MemoryRecords records, int leaderEpoch, boolean allowControlBatches) throws IOException {
        lock.lock();
        try {
            checkOpen();
            long now = time.milliseconds();
            BatchValidator.Validated v = BatchValidator.forLeader(records, logEndOffset, leaderEpoch, config, now,
                    allowControlBatches);
            return append(v, now);
        } finally {
            lock.unlock();
        }
    }

    /** Follower append: batches keep their offsets and epochs; the first must be at or after the log end offset. */
    public AppendInfo appendAsFollower(MemoryRecords records) throws IOException {
        lock.lock();
        try {
            checkOpen();
            BatchValidator.Validated v = BatchValidator.forFollower(records, logEndOffset, config);
            return append(v, time.milliseconds());
        } finally {
            lock.unlock();
        }
    }

    private AppendInfo append(BatchValidator.Validated v, long now) throws IOException {
        try {
            LogSegment seg = LogRoll.maybeRoll(this, v.records().sizeInBytes(), v.maxTimestamp(), v.firstOffset(),
                    v.lastOffset(), now);
            seg.append(v.records(), v.lastOffset(), v.batchesToIndex());
        } catch (IOException | RuntimeException e) {
            // a failed write may have left bytes the log does not account for: stop using this log
            // (like Kafka taking a log directory offline); reopening recovers it
            failure.appendFailed(e);
            throw e;
        }
        logEndOffset = v.lastOffset() + 1;
        boolean epochsChanged = false;
        for (long[] e : v.epochStarts()) {
            epochsChanged |= epochCache.assign((int) e[0], e[1]);
        }
        if (epochsChanged || epochCache.checkpointDeferred()) {
            checkpointEpochs();
        }
        LogFlush.afterAppend(this);
        return new AppendInfo(v.firstOffset(), v.lastOffset(), v.logAppendTime(), v.maxTimestamp(),
                v.offsetOfMaxTimestamp(), logStartOffset, v.recordCount(), v.records().sizeInBytes());
    }

    /**
     * A zero-copy slice of one segment from the batch containing {@code startOffset}, at most
     * {@code maxBytes} (the last batch may be partial, as in Kafka) unless {@code minOneBatch} and the first
     * batch is larger, and never holding a batch at or past {@code maxOffsetExclusive}. Reading at the log
     * end gives empty records; outside [log start, log end] throws {@code OffsetOutOfRangeException}.
     */
    public FetchSlice read(long startOffset, int maxBytes, long maxOffsetExclusive, boolean minOneBatch) throws IOException {
        return LogQueries.read(this, startOffset, maxBytes, maxOffsetExclusive, minOneBatch);
    }

    public long logStartOffset() {
        return logStartOffset;
    }

    public long logEndOffset() {
        return logEndOffset;
    }

    /** Offset below which everything is known to be fsynced. */
    public long recoveryPoint() {
        return recoveryPoint;
    }

    /**
     * Records the partition's high watermark so that it survives a restart. Kept in memory and written
     * with the log's checkpoint (on flush, truncation, close and at least once a minute by the flush
     * scheduler); clamped to [log start, log end].
     */
    public void updateHighWatermark(long offset) {
        highWatermark = Math.max(logStartOffset, Math.min(offset, logEndOffset));
    }

    /**
     * The partition's last stable offset (the first offset of its earliest open transaction, capped
     * by the high watermark): compaction stops below it. Until the partition layer sets it, only the
     * high watermark bounds compaction.
     */
    public void updateLastStableOffset(long offset) {
        lastStableOffset = offset;
    }

    long lastStableOffset() {
        return lastStableOffset;
    }

    /** The high watermark last given to {@link #updateHighWatermark} (as checkpointed, after a restart). */
    public long highWatermark() {
        return highWatermark;
    }

    public long sizeInBytes() {
        long total = 0;
        for (LogSegment s : segments.values()) {
            total += s.size();
        }
        return total;
    }

    public int segmentCount() {
        return segments.size();
    }

    /** Base offsets of the segments, in order (for tests and tools). */
    public List<Long> segmentBaseOffsets() {
        return new ArrayList<>(segments.keySet());
    }

    /** ListOffsets by time: the first record (in offset order) with timestamp {@code >= timestamp}. */
    public Optional<TimestampOffset> offsetForTimestamp(long timestamp) throws IOException {
        return LogQueries.offsetForTimestamp(this, timestamp);
    }

    /** ListOffsets MAX_TIMESTAMP: the largest timestamp and the first record carrying it. */
    public Optional<TimestampOffset> maxTimestampAndOffset() {
        try {
            return LogQueries.maxTimestampAndOffset(this);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** OffsetForLeaderEpoch; see {@link LeaderEpochCache#endOffsetFor}. */
    public EpochEndOffset endOffsetForEpoch(int leaderEpoch) {
        return epochCache.endOffsetFor(leaderEpoch, logEndOffset);
    }

    public OptionalInt latestEpoch() {
        return epochCache.latestEpoch();
    }

    /** Removes every record at or after {@code offset}; fsyncs the result. */
    public void truncateTo(long offset) throws IOException {
        LogTruncation.truncateTo(this, offset);
    }

    /**
     * Empties the log and restarts it at {@code offset} (a follower whose whole log is behind its
     * leader's log start offset); fsyncs the result.
     */
    public void truncateFullyAndStartAt(long offset) throws IOException {
        LogTruncation.truncateFullyAndStartAt(this, offset);
    }

    /**
     * A new leader's epoch starts at the log end offset, before it appends anything (as Kafka's
     * leader does), so OffsetForLeaderEpoch and a follower's divergence check see where the previous
     * epochs end. No-op when {@code epoch} is not newer than the latest.
     */
    public void assignLeaderEpoch(int epoch) throws IOException {
        lock.lock();
        try {
            checkOpen();
            if (epochCache.assign(epoch, logEndOffset)) {
                if (logEndOffset == 0 && logStartOffset == 0) {
                    // nothing in the log can diverge from it: written (with fsync) before the first append,
                    // flush or close; lost in a crash before any of them, it comes back the same way it came
                    // (the metadata makes this broker leader again, or a follower that fetches from offset 0)
                    epochCache.deferCheckpoint();
                } else {
                    checkpointEpochs();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** DeleteRecords: moves the log start offset up to {@code offset} (checkpointed) and drops whole segments below it. */
    public long deleteRecordsBefore(long offset) throws IOException {
        return LogTruncation.deleteRecordsBefore(this, offset);
    }

    /**
     * Records an aborted transaction in the {@code .txnindex} of the segment holding its marker. An
     * entry whose marker is not after that segment's last one is already there (a replay after a
     * restart or truncation) and is skipped.
     */
    public void recordAbortedTxn(AbortedTxn txn) throws IOException {
        lock.lock();
        try {
            checkOpen();
            java.util.Map.Entry<Long, LogSegment> e = segments.floorEntry(txn.lastOffset());
            if (e == null || txn.lastOffset() >= logEndOffset) {
                throw new IllegalArgumentException("marker offset of " + txn + " is not in the log of " + dir.getFileName());
            }
            e.getValue().txnIndex().appendAll(List.of(txn));
        } catch (IOException | RuntimeException e) {
            reportIoFailure("transaction index write", e);
            throw e;
        } finally {
            lock.unlock();
        }
    }

    /** See {@link LogQueries#abortedTransactionsForRead}. */
    public List<AbortedTxn> abortedTransactionsForRead(long fetchOffset, long maxOffsetExclusive) {
        return LogQueries.abortedTransactionsForRead(this, fetchOffset, maxOffsetExclusive);
    }

    /** Every aborted transaction indexed, in marker order (for tests and tools). */
    public List<AbortedTxn> allAbortedTransactions() {
        return LogQueries.allAbortedTransactions(this);
    }

    /** Test hook run by the compactor right after a cleaned segment is committed as {@code .swap}. */
    volatile Runnable afterCleanHook = () -> { };

    /** Batches from the one containing {@code offset} to the log end offset at call time (header-only until read). */
    public Iterable<? extends RecordBatch> batchesFrom(long offset) throws IOException {
        return LogQueries.batchesFrom(this, offset);
    }

    public void updateConfig(LogConfig config) {
        this.config = config;
    }

    public LogConfig config() {
        return config;
    }

    /** fsyncs everything appended so far and moves the recovery point to the log end offset. */
    public void flush() throws IOException {
        LogFlush.flush(this);
    }

    /**
     * Periodic work for the flush scheduler: flushes if {@code flush.ms} has passed since the last flush,
     * and rewrites a lagging checkpoint once {@link #CHECKPOINT_INTERVAL_MS} has passed.
     */
    public void flushIfDue() throws IOException {
        LogFlush.flushIfDue(this);
    }

    /** Writes the leader epoch checkpoint; caller holds the lock. */
    private void checkpointEpochs() throws IOException {
        try {
            epochCache.checkpoint();
        } catch (IOException | RuntimeException e) {
            reportIoFailure("leader epoch checkpoint write", e);
            throw e;
        }
    }

    /** One retention pass ({@link Retention}); returns the number of segments removed. */
    public int deleteExpiredSegments() throws IOException {
        return Retention.deleteExpiredSegments(this);
    }

    /** One compaction pass ({@link LogCompactor}); a no-op unless cleanup.policy includes compact. */
    public CleanResult compact() throws IOException {
        return LogCompactor.compact(this);
    }

    void checkOpen() {
        if (closed) {
            throw new KafkaStorageException("log " + dir.getFileName() + " is closed");
        }
        if (failure.failed()) {
            throw new KafkaStorageException("log " + dir.getFileName() + " failed an I/O operation; reopen it to recover");
        }
    }

    /** Where this log reports a failed write (its log directory's failures). */
    void reportFailuresTo(StorageFailures f) {
        failure.reportTo(f);
    }

    /**
     * {@code cause}, met by {@code operation} on this log's files, fails the log if it is an I/O
     * error, and is reported to its directory (Kafka's {@code maybeHandleIOException}; see
     * {@link LogFailure} for what is not reported). Callers rethrow {@code cause}.
     */
    public void reportIoFailure(String operation, Throwable cause) {
        failure.report(operation, cause);
    }

    /** Whether an I/O error failed this log: it takes no writes until it is reopened. */
    public boolean isFailed() {
        return failure.failed();
    }

    boolean isClosed() {
        return closed;
    }

    /** fsyncs, trims files, writes checkpoints and the clean-shutdown marker. Idempotent. */
    @Override
    public void close() throws IOException {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            if (failure.failed()) { // its disk failed a write: no flush that may fail again, no marker; the next open rescans
                for (LogSegment s : segments.values()) {
                    try {
                        s.closeHandlers();
                    } catch (IOException ignored) {
                        // the handle is released either way
                    }
                }
                closed = true;
                return;
            }
            epochCache.checkpointIfChanged(); // first: the flush then has no deferred epoch to write a second time
            LogFlush.flushToDisk(this);
            for (LogSegment s : segments.values()) {
                s.close();
            }
            if (!currentState().equals(stateOnDisk)) {
                writeState();
            }
            if (!failure.failed()) { // after a failed write the next open rescans
                // Not fsynced on purpose: everything it vouches for is durable already (segments and
                // checkpoints above), and a marker lost in a power failure only costs a recovery.
                Files.write(dir.resolve(LogLoader.CLEAN_SHUTDOWN_FILE), new byte[0]);
            }
            closed = true;
        } finally {
            lock.unlock();
        }
    }

    /** Test hook: drop file handles as a crash would, without flushing, trimming or writing a marker. */
    void simulateCrash() throws IOException {
        lock.lock();
        try {
            for (LogSegment s : segments.values()) {
                s.closeHandlers();
            }
            closed = true;
        } finally {
            lock.unlock();
        }
    }

    /** Closes file handles and removes the partition directory. */
    public void delete() throws IOException {
        lock.lock();
        try {
            if (!closed) {
                for (LogSegment s : segments.values()) {
                    s.closeHandlers();
                }
                closed = true;
            }
            try (var walk = Files.walk(dir)) {
                for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "PartitionLog(" + dir.getFileName() + ", start=" + logStartOffset + ", end=" + logEndOffset
                + ", segments=" + segments.size() + ")";
    }
}
