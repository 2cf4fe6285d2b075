package org.tributary.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.record.internal.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecords.RecordFilter.BatchRetention;
import org.apache.kafka.common.record.internal.MemoryRecords.RecordFilter.BatchRetentionResult;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.BufferSupplier;

/**
 * The compact cleanup policy, with Kafka's semantics:
 * <ul>
 * <li>the dirty range runs from the cleaner offset to the first uncleanable offset: the active
 * segment's base, or earlier, the first segment holding a record younger than
 * {@code min.compaction.lag.ms}; a pass runs only if dirty bytes / (clean + dirty bytes) reaches
 * {@code min.cleanable.dirty.ratio}, or a dirty segment's first record is older than
 * {@code max.compaction.lag.ms};</li>
 * <li>a map of key -> latest offset is built from the dirty range; then every segment from the log
 * start up to the first uncleanable offset is rewritten keeping a record only if no later offset
 * exists for its key. Records without a key are dropped. Offsets never change: batches keep their base
 * offset, last offset, producer id, epoch and base sequence; a producer's last batch is kept even when
 * empty so its sequence numbers stay valid;</li>
 * <li>tombstones (null values) get a delete horizon ({@code now + delete.retention.ms}) stamped in their
 * batch the first time they are cleaned, and are dropped by the first pass after that horizon;</li>
 * <li>segments are cleaned in groups that fit one segment; each group is written to
 * {@code <base>.log.cleaned}, fsynced, renamed to {@code <base>.log.swap} (the commit point: the loader
 * finishes a swap it finds), then swapped in under the log's lock.</li>
 * </ul>
 * Transactions as in Kafka's cleaner ({@link CleanedTransactions}): nothing at or past the last stable
 * offset is cleaned (an open transaction's records stay); batches of aborted transactions are dropped and
 * never shadow a key; a marker whose transaction has no data left gets a delete horizon
 * ({@code now + delete.retention.ms}) the first time and is dropped by the first pass after it; an ABORT
 * marker whose data was still there is kept with its entry in the cleaned segment's {@code .txnindex}
 * (written as {@code .txnindex.swap} before the log's swap, and moved in with it). Runs on the cleaner thread; reads segments
 * without the lock (segments below the active one are immutable) and gives up if the log changed
 * underneath it by the time it swaps. An I/O error fails the log ({@link PartitionLog#reportIoFailure}),
 * unless a segment the pass reads left the log meanwhile (truncation or retention closed its file):
 * the pass then gives up quietly. A closed or failed log is skipped.
 */
final class LogCompactor {
    private LogCompactor() {
    }

    static CleanResult compact(PartitionLog log) throws IOException {
        LogConfig config = log.config();
        List<LogSegment> all;
        long lso;
        long cleanerOffset;
        long hw;
        log.lock.lock();
        try {
            if (log.isClosed() || log.isFailed() || !config.compact()) {
                return CleanResult.nothing(log.cleanerOffset);
            }
            all = new ArrayList<>(log.segments.values());
            lso = log.logStartOffset();
            cleanerOffset = Math.max(log.cleanerOffset, lso);
            hw = Math.min(log.highWatermark(), log.lastStableOffset());
        } finally {
            log.lock.unlock();
        }
        List<LogSegment> unswapped = new ArrayList<>(all); // read by this pass and not yet replaced by it
        try {
            return clean(log, config, all, cleanerOffset, hw, unswapped);
        } catch (IOException | RuntimeException e) {
            if (changedUnderneath(log, unswapped)) {
                return CleanResult.nothing(log.cleanerOffset);
            }
            log.reportIoFailure("compaction", e);
            throw e;
        }
    }

    /** Whether one of {@code segments} is no longer in the log (truncation, retention or DeleteRecords took it out). */
    private static boolean changedUnderneath(PartitionLog log, List<LogSegment> segments) {
        log.lock.lock();
        try {
            for (LogSegment s : segments) {
                if (log.segments.get(s.baseOffset()) != s) {
                    return true;
                }
            }
            return false;
        } finally {
            log.lock.unlock();
        }
    }

    private static CleanResult clean(PartitionLog log, LogConfig config, List<LogSegment> all, long cleanerOffset, long hw,
            List<LogSegment> unswapped) throws IOException {
        long now = log.time.milliseconds();
        LogSegment active = all.remove(all.size() - 1);
        long firstUncleanable = active.baseOffset();
        for (LogSegment s : all) {
            if (s.nextOffset() > hw) { // records at or above the high watermark (or the last stable offset) may still be
                                       // truncated (or aborted): never cleaned
                firstUncleanable = s.baseOffset();
                break;
            }
            if (s.nextOffset() > cleanerOffset && config.minCompactionLagMs() > 0
                    && s.largestTimestamp() > now - config.minCompactionLagMs()) {
                firstUncleanable = s.baseOffset();
                break;
            }
        }
        long cleanBytes = 0;
        long dirtyBytes = 0;
        List<LogSegment> toClean = new ArrayList<>();
        for (LogSegment s : all) {
            if (s.baseOffset() >= firstUncleanable) {
                break;
            }
            toClean.add(s);
            if (s.nextOffset() <= cleanerOffset) {
                cleanBytes += s.size();
            } else {
                dirtyBytes += s.size();
            }
        }
        boolean overdue = false;
        for (LogSegment s : toClean) {
            long first = s.firstBatchTimestamp();
            if (s.nextOffset() > cleanerOffset && first >= 0 && now - first > config.maxCompactionLagMs()) {
                overdue = true; // max.compaction.lag.ms: dirty records may not wait longer, whatever the ratio
            }
        }
        if (dirtyBytes == 0 || (!overdue
                && (double) dirtyBytes / (cleanBytes + dirtyBytes) < config.minCleanableDirtyRatio())) {
            return CleanResult.nothing(cleanerOffset);
        }
        Map<ByteBuffer, Long> latest = new HashMap<>();
        CleanedTransactions mapTxns = null;
        for (LogSegment s : toClean) {
            if (s.nextOffset() > cleanerOffset) {
                if (mapTxns == null) {
                    mapTxns = new CleanedTransactions(LogQueries.collectAbortedTransactions(log, s.baseOffset(), firstUncleanable));
                }
                index(s.records(), latest, mapTxns);
            }
        }
        Map<Long, Long> lastBatchOfProducer = new HashMap<>();
        for (LogSegment s : log.segments.values()) {
            for (FileChannelRecordBatch b : s.records().batches()) {
                if (b.hasProducerId() && !b.isControlBatch()) {
                    lastBatchOfProducer.put(b.producerId(), b.lastOffset());
                }
            }
        }
        CleanedTransactions txns = new CleanedTransactions(
                LogQueries.collectAbortedTransactions(log, toClean.get(0).baseOffset(), firstUncleanable));
        Filter filter = new Filter(now, config.deleteRetentionMs(), latest, lastBatchOfProducer, txns);
        long read = 0;
        long written = 0;
        long discarded = 0;
        int cleaned = 0;
        for (List<LogSegment> group : groups(toClean, config.segmentBytes())) {
            long[] stats = cleanGroup(log, group, filter, config, unswapped);
            if (stats == null) {
                return new CleanResult(cleaned, read, written, discarded, log.cleanerOffset);
            }
            read += stats[0];
            written += stats[1];
            discarded += stats[2];
            cleaned += group.size();
        }
        log.lock.lock();
        try {
            log.cleanerOffset = Math.max(log.cleanerOffset, firstUncleanable);
            log.writeState();
        } finally {
            log.lock.unlock();
        }
        return new CleanResult(cleaned, read, written, discarded, firstUncleanable);
    }

    private static void index(FileRecords records, Map<ByteBuffer, Long> latest, CleanedTransactions txns) {
        for (FileChannelRecordBatch batch : records.batches()) {
            if (batch.isControlBatch()) {
                txns.onControlBatch(batch);
                continue;
            }
            if (txns.onDataBatch(batch)) {
                continue; // an aborted record never is a key's latest value
            }
            for (Record r : batch) {
                if (r.hasKey()) {
                    ByteBuffer k = r.key();
                    ByteBuffer copy = ByteBuffer.allocate(k.remaining()).put(k.duplicate());
                    copy.flip();
                    latest.put(copy, r.offset());
                }
            }
        }
    }

    /** Consecutive segments whose total size fits in one segment and whose offsets fit a relative index. */
    static List<List<LogSegment>> groups(List<LogSegment> segs, int maxSize) {
        List<List<LogSegment>> out = new ArrayList<>();
        List<LogSegment> cur = new ArrayList<>();
        long size = 0;
        for (LogSegment s : segs) {
            boolean fits = cur.isEmpty() || (size + s.size() <= maxSize
                    && s.nextOffset() - cur.get(0).baseOffset() <= Integer.MAX_VALUE);
            if (!fits) {
                out.add(cur);
                cur = new ArrayList<>();
                size = 0;
            }
            cur.add(s);
            size += s.size();
        }
        if (!cur.isEmpty()) {
            out.add(cur);
        }
        return out;
    }

    /** Returns {bytes read, bytes written, records discarded}, or null if the log changed and the group was abandoned. */
    private static long[] cleanGroup(PartitionLog log, List<LogSegment> group, Filter filter, LogConfig config,
            List<LogSegment> unswapped) throws IOException {
        long base = group.get(0).baseOffset();
        Path cleanedPath = LogSegment.logFile(log.dir, base).resolveSibling(
                LogSegment.fileName(base, LogSegment.LOG_SUFFIX + LogLoader.CLEANED_SUFFIX));
        Files.deleteIfExists(cleanedPath);
        long read = 0;
        long discarded = 0;
        int written;
        try (FileRecords out = FileRecords.open(cleanedPath.toFile())) {
            ByteBuffer readBuf = ByteBuffer.allocate(64 * 1024);
            ByteBuffer writeBuf = ByteBuffer.allocate(64 * 1024);
            BufferSupplier supplier = BufferSupplier.create();
            for (LogSegment seg : group) {
                FileRecords src = seg.records();
                int size = src.sizeInBytes();
                int position = 0;
                while (position < size) {
                    readBuf.clear();
                    readBuf.limit(Math.min(readBuf.capacity(), size - position));
                    src.readInto(readBuf, position);
                    MemoryRecords chunk = MemoryRecords.readableRecords(readBuf);
                    writeBuf.clear();
                    MemoryRecords.FilterResult r = chunk.filterTo(filter, writeBuf, supplier);
                    if (r.bytesRead() == 0) {
                        readBuf = ByteBuffer.allocate(readBuf.capacity() * 2);
                        continue;
                    }
                    position += r.bytesRead();
                    discarded += r.messagesRead() - r.messagesRetained();
                    ByteBuffer outBuf = r.outputBuffer();
                    if (outBuf != writeBuf) {
                        writeBuf = ByteBuffer.allocate(outBuf.capacity());
                    }
                    outBuf.flip();
                    if (outBuf.hasRemaining()) {
                        out.append(MemoryRecords.readableRecords(outBuf));
                    }
                }
                read += size;
            }
            out.flush();
            written = out.sizeInBytes();
        }
        List<AbortedTxn> keptAborted = filter.transactions.drainCleanedIndex();
        Path txnCleaned = LogSegment.txnIndexFile(log.dir, base).resolveSibling(
                LogSegment.fileName(base, LogSegment.TXN_INDEX_SUFFIX + LogLoader.CLEANED_SUFFIX));
        Path txnSwap = LogLoader.txnIndexSwapFile(log.dir, base);
        Files.deleteIfExists(txnSwap);
        if (!keptAborted.isEmpty() && written > 0) {
            TransactionIndex.writeFile(txnCleaned, keptAborted);
            Files.move(txnCleaned, txnSwap, StandardCopyOption.ATOMIC_MOVE); // before the log's swap: present whenever it is
        }
        Path swapPath = cleanedPath.resolveSibling(LogSegment.fileName(base, LogSegment.LOG_SUFFIX + LogLoader.SWAP_SUFFIX));
        log.lock.lock();
        try {
            for (LogSegment s : group) {
                if (log.isClosed() || log.segments.get(s.baseOffset()) != s) {
                    Files.deleteIfExists(cleanedPath);
                    Files.deleteIfExists(txnSwap);
                    return null;
                }
            }
            if (written == 0) {
                // nothing survived: the group simply leaves the log (offsets of later segments are unchanged)
                Files.deleteIfExists(cleanedPath);
                unswapped.removeAll(group);
                LogTruncation.removeSegments(log, group);
                CheckpointFile.fsyncDirectory(log.dir);
                return new long[] {read, written, discarded};
            }
            Files.move(cleanedPath, swapPath, StandardCopyOption.ATOMIC_MOVE);
            CheckpointFile.fsyncDirectory(log.dir);
            log.afterCleanHook.run();
            for (LogSegment s : group) {
                s.addSuffix(LogLoader.DELETED_SUFFIX);
            }
            CheckpointFile.fsyncDirectory(log.dir); // the old names are gone before the swap takes the first one
            if (Files.exists(txnSwap)) {
                Files.move(txnSwap, LogSegment.txnIndexFile(log.dir, base), StandardCopyOption.ATOMIC_MOVE);
            }
            Files.move(swapPath, LogSegment.logFile(log.dir, base), StandardCopyOption.ATOMIC_MOVE);
            LogSegment fresh = LogSegment.open(log.dir, base, config, log.time.milliseconds(), false);
            fresh.recover(config.segmentIndexBytes());
            fresh.onBecomeInactive();
            unswapped.removeAll(group);
            log.segments.put(base, fresh);
            for (LogSegment s : group.subList(1, group.size())) {
                log.segments.remove(s.baseOffset(), s);
            }
            CheckpointFile.fsyncDirectory(log.dir);
            LogTruncation.deleteLater(log, group);
        } finally {
            log.lock.unlock();
        }
        return new long[] {read, written, discarded};
    }

    /** Kafka's retention rule for one record/batch during cleaning. */
    static final class Filter extends MemoryRecords.RecordFilter {
        private final Map<ByteBuffer, Long> latest;
        private final Map<Long, Long> lastBatchOfProducer;
        final CleanedTransactions transactions;
        /** The batch being filtered goes entirely (aborted data, or a marker past its delete horizon). */
        private boolean discardBatchRecords;

        Filter(long now, long deleteRetentionMs, Map<ByteBuffer, Long> latest, Map<Long, Long> lastBatchOfProducer,
                CleanedTransactions transactions) {
            super(now, deleteRetentionMs);
            this.latest = latest;
            this.lastBatchOfProducer = lastBatchOfProducer;
            this.transactions = transactions;
        }

        @Override
        protected BatchRetentionResult checkBatchRetention(RecordBatch batch) {
            boolean canDiscard = batch.isControlBatch() ? transactions.onControlBatch(batch) : transactions.onDataBatch(batch);
            discardBatchRecords = batch.isControlBatch()
                    ? canDiscard && batch.deleteHorizonMs().isPresent() && batch.deleteHorizonMs().getAsLong() <= currentTime
                    : canDiscard;
            boolean lastOfProducer = batch.hasProducerId()
                    && Long.valueOf(batch.lastOffset()).equals(lastBatchOfProducer.get(batch.producerId()));
            BatchRetention retention = lastOfProducer ? BatchRetention.RETAIN_EMPTY
                    : discardBatchRecords ? BatchRetention.DELETE : BatchRetention.DELETE_EMPTY;
            // a removable marker kept this time gets its delete horizon stamped
            return new BatchRetentionResult(retention, canDiscard && batch.isControlBatch());
        }

        @Override
        protected boolean shouldRetainRecord(RecordBatch batch, Record record) {
            if (discardBatchRecords) {
                return false;
            }
            if (batch.isControlBatch()) {
                return true;
            }
            if (!record.hasKey()) {
                return false;
            }
            Long newest = latest.get(record.key());
            if (newest != null && record.offset() < newest) {
                return false;
            }
            if (record.hasValue()) {
                return true;
            }
            return batch.deleteHorizonMs().isEmpty() || currentTime < batch.deleteHorizonMs().getAsLong();
        }
    }
}
