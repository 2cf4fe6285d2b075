package org.tributary.log;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;

import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.record.internal.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.Records;

/**
 * Read-only queries over a {@link PartitionLog}'s segments that need no lock: timestamp lookups,
 * batch iteration and the aborted transactions of the transaction indexes. They see the segments
 * present when they start and each segment's size at that moment.
 */
final class LogQueries {
    private LogQueries() {
    }

    /** See {@link PartitionLog#read}: whole batches from one segment, bounded by maxBytes and maxOffsetExclusive. */
    static FetchSlice read(PartitionLog log, long startOffset, int maxBytes, long maxOffsetExclusive, boolean minOneBatch) {
        long leo = log.logEndOffset();
        long lso = log.logStartOffset();
        if (startOffset == leo) {
            return new FetchSlice(MemoryRecords.EMPTY, startOffset, lso, leo);
        }
        if (startOffset < lso || startOffset > leo) {
            throw new OffsetOutOfRangeException("Offset " + startOffset + " is out of range [" + lso + ", " + leo
                    + "] for " + log.dir.getFileName());
        }
        Map.Entry<Long, LogSegment> e = log.segments.floorEntry(startOffset);
        if (e == null) {
            e = log.segments.firstEntry();
        }
        while (e != null) {
            LogSegment seg = e.getValue();
            if (maxOffsetExclusive <= seg.baseOffset() || maxOffsetExclusive <= startOffset) {
                break;
            }
            LogSegment.Tail tail = seg.tail();
            long maxPosition = tail.size();
            if (maxOffsetExclusive < tail.nextOffset()) {
                FileRecords.LogOffsetPosition limit = seg.translateOffset(maxOffsetExclusive);
                if (limit != null) {
                    maxPosition = Math.min(maxPosition, limit.position);
                }
            }
            Records r = seg.read(startOffset, maxBytes, maxPosition, minOneBatch);
            if (r != null) {
                return new FetchSlice(r, startOffset, lso, leo);
            }
            e = log.segments.higherEntry(e.getKey());
        }
        return new FetchSlice(MemoryRecords.EMPTY, startOffset, lso, leo);
    }

    static Optional<TimestampOffset> offsetForTimestamp(PartitionLog log, long target) throws IOException {
        long start = log.logStartOffset();
        for (LogSegment seg : log.segments.values()) {
            if (seg.maxTimestampSoFar() < target || seg.nextOffset() <= start) {
                continue;
            }
            Optional<FileRecords.TimestampAndOffset> found = seg.findOffsetByTimestamp(target, start);
            if (found.isPresent()) {
                FileRecords.TimestampAndOffset t = found.get();
                return Optional.of(new TimestampOffset(t.timestamp, t.offset, t.leaderEpoch.filter(e -> e >= 0)));
            }
        }
        return Optional.empty();
    }

    /** The largest timestamp in the log and the offset of the first record carrying it. */
    static Optional<TimestampOffset> maxTimestampAndOffset(PartitionLog log) throws IOException {
        LogSegment best = null;
        for (LogSegment seg : log.segments.values()) {
            if (seg.maxTimestampSoFar() >= 0 && (best == null || seg.maxTimestampSoFar() > best.maxTimestampSoFar())) {
                best = seg;
            }
        }
        if (best == null) {
            return Optional.empty();
        }
        long ts = best.maxTimestampSoFar();
        long shallow = best.offsetOfMaxTimestampSoFar();
        FileRecords.LogOffsetPosition pos = best.translateOffset(shallow);
        if (pos != null) {
            for (FileChannelRecordBatch batch : best.records().batchesFrom(pos.position)) {
                if (batch.maxTimestamp() == ts) {
                    for (Record r : batch) {
                        if (r.timestamp() == ts) {
                            int epoch = batch.partitionLeaderEpoch();
                            return Optional.of(new TimestampOffset(ts, r.offset(),
                                    epoch >= 0 ? Optional.of(epoch) : Optional.empty()));
                        }
                    }
                }
                break;
            }
        }
        return Optional.of(new TimestampOffset(ts, shallow, Optional.empty()));
    }

    /** Batches from the one containing {@code offset} to the log end offset at call time. */
    static Iterable<FileChannelRecordBatch> batchesFrom(PartitionLog log, long offset) {
        long lso = log.logStartOffset();
        long leo = log.logEndOffset();
        if (offset < lso || offset > leo) {
            throw new OffsetOutOfRangeException("Offset " + offset + " is out of range [" + lso + ", " + leo + "]");
        }
        List<FileRecords> slices = new ArrayList<>();
        Map.Entry<Long, LogSegment> e = log.segments.floorEntry(offset);
        if (e == null) {
            e = log.segments.firstEntry();
        }
        boolean first = true;
        for (LogSegment seg : log.segments.tailMap(e.getKey()).values()) {
            int size = seg.tail().size();
            int from = 0;
            if (first) {
                FileRecords.LogOffsetPosition p = seg.translateOffset(offset);
                if (p == null) {
                    first = false;
                    continue;
                }
                from = p.position;
                first = false;
            }
            if (size > from) {
                slices.add(seg.records().slice(from, size - from));
            }
        }
        if (slices.isEmpty()) {
            return Collections.emptyList();
        }
        return () -> new Iterator<>() {
            private int index;
            private Iterator<FileChannelRecordBatch> current = slices.get(0).batches().iterator();

            @Override
            public boolean hasNext() {
                while (!current.hasNext()) {
                    if (++index >= slices.size()) {
                        return false;
                    }
                    current = slices.get(index).batches().iterator();
                }
                return true;
            }

            @Override
            public FileChannelRecordBatch next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return current.next();
            }
        };
    }

    /**
     * Kafka's collectAbortedTransactions: the aborted transactions overlapping
     * [{@code startOffset}, {@code upperBoundOffset}) (marker at or after the start, first offset below
     * the bound), from the segment holding {@code startOffset} on, in marker order, each once.
     */
    static List<AbortedTxn> collectAbortedTransactions(PartitionLog log, long startOffset, long upperBoundOffset) {
        List<AbortedTxn> out = new ArrayList<>();
        Long from = log.segments.floorKey(startOffset);
        for (LogSegment s : (from == null ? log.segments : log.segments.tailMap(from)).values()) {
            if (s.txnIndex().collect(startOffset, upperBoundOffset, out)) {
                break;
            }
        }
        return out.size() < 2 ? out : new ArrayList<>(new java.util.LinkedHashSet<>(out));
    }

    /**
     * The aborted transactions a read from {@code fetchOffset} must carry when it may return records
     * below {@code maxOffsetExclusive} (the last stable offset). Kafka bounds the search by the end of
     * the segment read; bounding it by the read's limit instead is never smaller than what the read
     * returns, even when the read skips an empty end of a segment (after compaction) into the next.
     */
    static List<AbortedTxn> abortedTransactionsForRead(PartitionLog log, long fetchOffset, long maxOffsetExclusive) {
        return collectAbortedTransactions(log, fetchOffset, maxOffsetExclusive);
    }

    /** Every aborted transaction indexed, in marker order. */
    static List<AbortedTxn> allAbortedTransactions(PartitionLog log) {
        List<AbortedTxn> out = new ArrayList<>();
        for (LogSegment s : log.segments.values()) {
            out.addAll(s.txnIndex().entries());
        }
        return out;
    }
}
