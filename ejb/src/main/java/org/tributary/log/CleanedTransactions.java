package org.tributary.log;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * What the compactor knows about transactions while it walks batches in offset order (Kafka's
 * {@code CleanedTransactionMetadata}): which batches belong to aborted transactions (they are
 * dropped, and never count as a key's latest value), and which markers may go. A marker may go
 * once no batch of its transaction was met in this pass (its data is gone: it was cleaned or never
 * existed); an ABORT marker whose data was still met is kept, and its aborted transaction goes
 * into the cleaned segment's transaction index ({@link #drainCleanedIndex}). Whether a removable
 * marker is really removed is the caller's decision (Kafka waits for {@code delete.retention.ms}).
 *
 * <p>Not thread-safe: one instance per pass (or per key-map scan).
 */
final class CleanedTransactions {
    private final Deque<AbortedTxn> aborted;
    private final Map<Long, AbortedTxn> ongoingAborted = new HashMap<>();
    private final Set<Long> abortedWithData = new HashSet<>();
    private final Set<Long> ongoingCommitted = new HashSet<>();
    private final List<AbortedTxn> cleanedIndex = new ArrayList<>();

    /** {@code abortedTxns}: the aborted transactions overlapping the range to be walked. */
    CleanedTransactions(List<AbortedTxn> abortedTxns) {
        List<AbortedTxn> sorted = new ArrayList<>(abortedTxns);
        sorted.sort(Comparator.comparingLong(AbortedTxn::firstOffset));
        this.aborted = new ArrayDeque<>(sorted);
    }

    private void consumeAbortedUpTo(long offset) {
        while (!aborted.isEmpty() && aborted.peekFirst().firstOffset() <= offset) {
            AbortedTxn t = aborted.pollFirst();
            ongoingAborted.put(t.producerId(), t);
        }
    }

    /** A data batch: true when it belongs to an aborted transaction (drop it). */
    boolean onDataBatch(RecordBatch batch) {
        consumeAbortedUpTo(batch.lastOffset());
        if (!batch.isTransactional()) {
            return false;
        }
        if (ongoingAborted.containsKey(batch.producerId())) {
            abortedWithData.add(batch.producerId());
            return true;
        }
        ongoingCommitted.add(batch.producerId());
        return false;
    }

    /** A control batch: true when the marker may be removed (no data of its transaction was met). */
    boolean onControlBatch(RecordBatch batch) {
        consumeAbortedUpTo(batch.lastOffset());
        Iterator<Record> it = batch.iterator();
        if (!it.hasNext()) {
            return true; // an empty control batch: already cleaned
        }
        ControlRecordType type = ControlRecordType.parse(it.next().key());
        long pid = batch.producerId();
        if (type == ControlRecordType.ABORT) {
            AbortedTxn txn = ongoingAborted.remove(pid);
            boolean hadData = abortedWithData.remove(pid);
            if (txn != null && hadData) {
                cleanedIndex.add(txn);
                return false;
            }
            return true;
        }
        if (type == ControlRecordType.COMMIT) {
            return !ongoingCommitted.remove(pid);
        }
        return false;
    }

    /** The aborted transactions whose marker was kept with data since the last call, in marker order. */
    List<AbortedTxn> drainCleanedIndex() {
        List<AbortedTxn> out = new ArrayList<>(cleanedIndex);
        cleanedIndex.clear();
        return out;
    }
}
