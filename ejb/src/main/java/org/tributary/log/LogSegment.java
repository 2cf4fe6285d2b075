package org.tributary.log;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.record.internal.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.Records;

/**
 * One segment of a partition log: {@code <baseOffset>.log} (v2 record batches exactly as stored),
 * {@code <baseOffset>.index} ({@link OffsetIndex}), {@code <baseOffset>.timeindex} ({@link TimeIndex}) and,
 * once a transaction aborted in it, {@code <baseOffset>.txnindex} ({@link TransactionIndex}),
 * where the base offset is written with 20 digits. Every batch in the segment has
 * {@code baseOffset <= batch.baseOffset} and batches are in strictly increasing offset order;
 * {@link #nextOffset()} is one past the last batch's last offset (the base offset when empty).
 *
 * <p>Not thread-safe for mutation: append, truncate, recover and roll run under the owning
 * {@link PartitionLog}'s lock. Reads ({@link #read}, lookups) may run concurrently with an append:
 * they only look at bytes below the size published by {@code FileRecords} after each write.
 */
final class LogSegment {
    static final String LOG_SUFFIX = ".log";
    static final String INDEX_SUFFIX = ".index";
    static final String TIME_INDEX_SUFFIX = ".timeindex";
    static final String TXN_INDEX_SUFFIX = ".txnindex";

    private final long baseOffset;
    private final FileRecords log;
    private final OffsetIndex offsetIndex;
    private final TimeIndex timeIndex;
    private final TransactionIndex txnIndex;
    private final int indexIntervalBytes;
    private final long created;
    private int bytesSinceLastIndexEntry;
    /** (next offset, size) published together after each append, so readers never see one without the other. */
    record Tail(long nextOffset, int size) {
    }

    private volatile Tail tail;
    private volatile long maxTimestampSoFar = RecordBatch.NO_TIMESTAMP;
    private volatile long offsetOfMaxTimestampSoFar;
    private volatile long rollingBasedTimestamp = RecordBatch.NO_TIMESTAMP;

    private LogSegment(long baseOffset, FileRecords log, OffsetIndex offsetIndex, TimeIndex timeIndex, TransactionIndex txnIndex,
                       int indexIntervalBytes, long created) {
        this.txnIndex = txnIndex;
        this.baseOffset = baseOffset;
        this.log = log;
        this.offsetIndex = offsetIndex;
        this.timeIndex = timeIndex;
        this.indexIntervalBytes = indexIntervalBytes;
        this.created = created;
        this.tail = new Tail(baseOffset, log.sizeInBytes());
        this.offsetOfMaxTimestampSoFar = baseOffset;
    }

    /** Kafka's file name: the base offset in 20 digits, zero-padded, then {@code suffix}. */
    static String fileName(long offset, String suffix) {
        if (offset < 0) {
            return String.format("%020d", offset) + suffix;
        }
        String digits = Long.toString(offset);
        StringBuilder b = new StringBuilder(20 + suffix.length());
        for (int i = digits.length(); i < 20; i++) {
            b.append('0');
        }
        return b.append(digits).append(suffix).toString();
    }

    static Path logFile(Path dir, long offset) {
        return dir.resolve(fileName(offset, LOG_SUFFIX));
    }

    static Path indexFile(Path dir, long offset) {
        return dir.resolve(fileName(offset, INDEX_SUFFIX));
    }

    static Path timeIndexFile(Path dir, long offset) {
        return dir.resolve(fileName(offset, TIME_INDEX_SUFFIX));
    }

    static Path txnIndexFile(Path dir, long offset) {
        return dir.resolve(fileName(offset, TXN_INDEX_SUFFIX));
    }

    /** Creates a new empty segment, or opens an existing one without checking its contents. */
    static LogSegment open(Path dir, long baseOffset, LogConfig config, long now, boolean preallocate) throws IOException {
        File file = logFile(dir, baseOffset).toFile();
        boolean exists = file.exists();
        FileRecords records = exists ? FileRecords.open(file, true)
                : FileRecords.open(file, false, preallocate ? config.segmentBytes() : 0, preallocate);
        OffsetIndex oi = new OffsetIndex(indexFile(dir, baseOffset), baseOffset, config.segmentIndexBytes());
        // one spare entry so the final entry written on roll always fits
        TimeIndex ti = new TimeIndex(timeIndexFile(dir, baseOffset), baseOffset,
                config.segmentIndexBytes() / OffsetIndex.ENTRY_SIZE * TimeIndex.ENTRY_SIZE + TimeIndex.ENTRY_SIZE);
        return new LogSegment(baseOffset, records, oi, ti, new TransactionIndex(txnIndexFile(dir, baseOffset)),
                config.indexIntervalBytes(), now);
    }

    long baseOffset() {
        return baseOffset;
    }

    long nextOffset() {
        return tail.nextOffset();
    }

    /** The published end: every byte below {@code tail().size()} belongs to batches below {@code tail().nextOffset()}. */
    Tail tail() {
        return tail;
    }

    int size() {
        return log.sizeInBytes();
    }

    FileRecords records() {
        return log;
    }

    /** The aborted transactions whose marker is in this segment ({@code .txnindex}). */
    TransactionIndex txnIndex() {
        return txnIndex;
    }

    long maxTimestampSoFar() {
        return maxTimestampSoFar;
    }

    long offsetOfMaxTimestampSoFar() {
        return offsetOfMaxTimestampSoFar;
    }

    /** Max timestamp of the first batch (-1 if none): the start of the segment's time for roll and compaction lag. */
    long firstBatchTimestamp() {
        return rollingBasedTimestamp;
    }

    /** Timestamp used for retention: the largest record timestamp, or the file's mtime if none. */
    long largestTimestamp() throws IOException {
        long ts = maxTimestampSoFar;
        return ts >= 0 ? ts : Files.getLastModifiedTime(log.file().toPath()).toMillis();
    }

    boolean indexFull() {
        return offsetIndex.isFull() || timeIndex.entries() >= timeIndexCapacity() - 1;
    }

    private int timeIndexCapacity() {
        return timeIndex.maxSizeBytes() / TimeIndex.ENTRY_SIZE;
    }

    /** Kafka's rule: time since the first batch's timestamp (or since creation when there is none). */
    long timeWaitedForRoll(long now, long incomingMaxTimestamp) {
        long first = rollingBasedTimestamp;
        return first >= 0 && incomingMaxTimestamp >= 0 ? incomingMaxTimestamp - first : now - created;
    }

    /**
     * Appends already validated batches with one write, then indexes them. The caller guarantees
     * offsets are above {@link #nextOffset()} and that the batches fit the index's relative offsets.
     */
    void append(MemoryRecords records, long lastOffset) throws IOException {
        append(records, lastOffset, records.batches());
    }

    /** As {@link #append(MemoryRecords, long)} with the batches of {@code records} already parsed. */
    void append(MemoryRecords records, long lastOffset, Iterable<? extends RecordBatch> batches) throws IOException {
        int position = log.sizeInBytes();
        log.append(records);
        for (RecordBatch batch : batches) {
            indexBatch(batch.lastOffset(), batch.maxTimestamp(), position);
            countBytes(batch.sizeInBytes());
            position += batch.sizeInBytes();
        }
        tail = new Tail(lastOffset + 1, log.sizeInBytes());
    }

    private void indexBatch(long batchLastOffset, long batchMaxTimestamp, int position) {
        if (rollingBasedTimestamp < 0 && batchMaxTimestamp >= 0) {
            rollingBasedTimestamp = batchMaxTimestamp;
        }
        if (batchMaxTimestamp > maxTimestampSoFar) {
            offsetOfMaxTimestampSoFar = batchLastOffset;
            maxTimestampSoFar = batchMaxTimestamp;
        }
        if (bytesSinceLastIndexEntry > indexIntervalBytes && !offsetIndex.isFull()) {
            offsetIndex.append(batchLastOffset, position);
            timeIndex.maybeAppend(maxTimestampSoFar, offsetOfMaxTimestampSoFar);
            bytesSinceLastIndexEntry = 0;
        }
    }

    private void countBytes(int size) {
        bytesSinceLastIndexEntry += size;
    }

    /** The first batch whose last offset is {@code >= offset}, searching from the index; null if none. */
    FileRecords.LogOffsetPosition translateOffset(long offset) {
        OffsetIndex.Entry e = offsetIndex.lookup(offset);
        return log.searchForOffsetFromPosition(offset, e.position());
    }

    /**
     * Bytes from the start of the batch containing {@code startOffset}, up to {@code maxSize} (so the last
     * batch may be partial; at least the first whole batch if {@code minOneBatch}) and never past
     * {@code maxPosition}; null if no batch in this segment ends at or after {@code startOffset}.
     */
    Records read(long startOffset, int maxSize, long maxPosition, boolean minOneBatch) {
        // maxPosition comes from tail() or an index/scan position below it
        FileRecords.LogOffsetPosition start = translateOffset(startOffset);
        if (start == null) {
            return null;
        }
        int available = (int) maxPosition - start.position;
        if (available <= 0) {
            return MemoryRecords.EMPTY;
        }
        int size = Math.min(available, maxSize);
        if (minOneBatch && size < start.size) {
            size = Math.min(available, start.size);
        }
        return size <= 0 ? MemoryRecords.EMPTY : log.slice(start.position, size);
    }

    /** First record with timestamp {@code >= target} at or after {@code startingOffset}. */
    Optional<FileRecords.TimestampAndOffset> findOffsetByTimestamp(long target, long startingOffset) {
        long from = Math.max(startingOffset, timeIndex.lookupStartOffset(target));
        FileRecords.LogOffsetPosition pos = translateOffset(from);
        if (pos == null) {
            return Optional.empty();
        }
        return Optional.ofNullable(log.searchForTimestamp(target, pos.position, startingOffset));
    }

    /**
     * Rescans the file: validates every batch, rebuilds both indexes, and truncates at the first
     * torn or invalid batch. Returns the number of bytes truncated.
     */
    int recover(int maxIndexSize) throws IOException {
        offsetIndex.reset();
        timeIndex.reset();
        resizeIndexes(maxIndexSize);
        bytesSinceLastIndexEntry = 0;
        maxTimestampSoFar = RecordBatch.NO_TIMESTAMP;
        offsetOfMaxTimestampSoFar = baseOffset;
        rollingBasedTimestamp = RecordBatch.NO_TIMESTAMP;
        long next = baseOffset;
        int validBytes = 0;
        try {
            for (FileChannelRecordBatch batch : log.batches()) {
                if (batch.magic() != RecordBatch.MAGIC_VALUE_V2) {
                    break;
                }
                batch.ensureValid();
                if (batch.baseOffset() < next || batch.lastOffset() < batch.baseOffset()
                        || batch.lastOffset() - baseOffset > Integer.MAX_VALUE) {
                    break;
                }
                indexBatch(batch.lastOffset(), batch.maxTimestamp(), validBytes);
                countBytes(batch.sizeInBytes());
                validBytes += batch.sizeInBytes();
                next = batch.lastOffset() + 1;
            }
        } catch (CorruptRecordException e) {
            // torn or damaged batch: everything from here on is discarded
        }
        int truncated = log.sizeInBytes() - validBytes;
        if (truncated > 0) {
            log.truncateTo(validBytes);
        }
        tail = new Tail(next, log.sizeInBytes());
        txnIndex.truncateTo(next); // markers lost with the torn tail are no longer aborted transactions of this log
        return truncated;
    }

    /**
     * For a segment trusted without a full scan: restores in-memory state from the indexes plus a
     * header-only walk of the batches after the last index entry.
     */
    void loadState() throws IOException {
        OffsetIndex.Entry last = offsetIndex.lastEntry();
        TimeIndex.Entry t = timeIndex.lastEntry();
        long next = baseOffset;
        long maxTs = t.timestamp();
        long maxTsOffset = t.offset();
        for (FileChannelRecordBatch batch : log.batchesFrom(last.position())) {
            next = batch.lastOffset() + 1;
            if (batch.maxTimestamp() > maxTs) {
                maxTs = batch.maxTimestamp();
                maxTsOffset = batch.lastOffset();
            }
        }
        tail = new Tail(next, log.sizeInBytes());
        maxTimestampSoFar = maxTs;
        offsetOfMaxTimestampSoFar = maxTsOffset;
        bytesSinceLastIndexEntry = log.sizeInBytes() - last.position();
        rollingBasedTimestamp = RecordBatch.NO_TIMESTAMP;
        for (FileChannelRecordBatch first : log.batches()) {
            rollingBasedTimestamp = first.maxTimestamp();
            break;
        }
    }

    /** Checks both indexes against the log; throws IllegalStateException if they cannot be trusted. */
    void sanityCheckIndexes() {
        offsetIndex.sanityCheck(nextOffset(), log.sizeInBytes());
        timeIndex.sanityCheck(nextOffset(), log.sizeInBytes());
    }

    /** Removes every batch with last offset {@code >= offset}; returns bytes removed. */
    int truncateTo(long offset) throws IOException {
        FileRecords.LogOffsetPosition pos = translateOffset(offset);
        if (pos == null) {
            return 0;
        }
        offsetIndex.truncateTo(offset);
        timeIndex.truncateTo(offset);
        txnIndex.truncateTo(offset);
        int removed = log.truncateTo(pos.position);
        loadState();
        return removed;
    }

    /** The segment stops being active: final time-index entry, fsync, indexes and file trimmed. */
    void onBecomeInactive() throws IOException {
        onBecomeInactive(true);
    }

    /** As {@link #onBecomeInactive()}; {@code fsync=false} when the caller fsyncs the segment later. */
    void onBecomeInactive(boolean fsync) throws IOException {
        if (maxTimestampSoFar >= 0) {
            timeIndex.maybeAppend(maxTimestampSoFar, offsetOfMaxTimestampSoFar);
        }
        if (fsync) {
            flush();
        }
        log.trim();
        offsetIndex.trimToValidSize();
        timeIndex.trimToValidSize();
    }

    /** The segment becomes active again (after load or truncation): indexes get room to grow. */
    void resizeIndexes(int maxIndexSize) throws IOException {
        offsetIndex.resize(maxIndexSize);
        timeIndex.resize(maxIndexSize / OffsetIndex.ENTRY_SIZE * TimeIndex.ENTRY_SIZE + TimeIndex.ENTRY_SIZE);
    }

    /** Cuts both index files to their entries (a segment that is not the active one). */
    void trimIndexes() throws IOException {
        offsetIndex.trimToValidSize();
        timeIndex.trimToValidSize();
    }

    void flush() throws IOException {
        log.flush();
        offsetIndex.flush();
        timeIndex.flush();
        txnIndex.flush();
    }

    void close() throws IOException {
        if (maxTimestampSoFar >= 0) {
            timeIndex.maybeAppend(maxTimestampSoFar, offsetOfMaxTimestampSoFar);
        }
        offsetIndex.close();
        timeIndex.close();
        txnIndex.close();
        log.close();
    }

    /** Closes file handles without trimming (the files are about to be deleted or renamed). */
    void closeHandlers() throws IOException {
        txnIndex.close();
        log.closeHandlers();
    }

    /** Renames all four files by appending {@code suffix} (e.g. ".deleted"). */
    void addSuffix(String suffix) throws IOException {
        log.renameTo(new File(log.file().getPath() + suffix));
        offsetIndex.renameTo(Path.of(offsetIndex.path() + suffix));
        timeIndex.renameTo(Path.of(timeIndex.path() + suffix));
        txnIndex.renameTo(Path.of(txnIndex.path() + suffix));
    }

    void deleteFiles() throws IOException {
        log.closeHandlers();
        Files.deleteIfExists(log.file().toPath());
        offsetIndex.deleteIfExists();
        timeIndex.deleteIfExists();
        txnIndex.deleteIfExists();
    }

    @Override
    public String toString() {
        return "LogSegment(base=" + baseOffset + ", size=" + log.sizeInBytes() + ", next=" + nextOffset() + ")";
    }
}
