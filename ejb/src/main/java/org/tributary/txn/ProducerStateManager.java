package org.tributary.txn;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.TransactionCoordinatorFencedException;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * Producer state of one partition (KIP-98): per producer id the epoch and the last batches
 * written, and the partition's transactions. Before an append, {@link #validate} finds duplicates
 * and rejects gaps and old epochs ({@link #validateMarker} checks a transaction marker); after it,
 * {@link #record} remembers the batch. A producer's first transactional batch opens a transaction
 * (its first offset joins the ongoing set); its COMMIT or ABORT marker completes it, and a completed
 * transaction still counts as unstable until the high watermark passes its marker
 * ({@link #onHighWatermarkUpdated}), as in Kafka, so a leader change cannot reopen a transaction a
 * consumer already read past. {@link #firstUnstableOffset} is the earliest of both: the last
 * stable offset is it capped by the high watermark. Survives restarts and truncations through
 * snapshots ({@link ProducerSnapshots}, one per segment) plus a scan of the log written after the
 * one loaded ({@link #recover}).
 *
 * <p>Not thread-safe: callers hold the partition's append lock.
 */
public final class ProducerStateManager {

    private final Map<Long, ProducerEntry> producers = new HashMap<>();
    /** Open transactions: first offset to producer id. */
    private final TreeMap<Long, Long> ongoing = new TreeMap<>();
    /** Completed transactions whose marker is not below the high watermark yet, by first offset. */
    private final TreeMap<Long, CompletedTxn> unreplicated = new TreeMap<>();
    private long mapEndOffset;
    private boolean dirty;
    private long batchesReplayed;

    /** The outcome of validating one batch. */
    public record Check(Optional<BatchMetadata> duplicate) {
        static final Check OK = new Check(Optional.empty());
    }

    /**
     * Checks one batch against the state. Returns the original placement of a duplicate; throws
     * {@link InvalidProducerEpochException} for an older epoch and
     * {@link OutOfOrderSequenceException} for a sequence gap. Batches without a producer id pass.
     */
    public Check validate(RecordBatch batch) {
        return validate(batch, producers.get(batch.producerId()));
    }

    /**
     * Validates the batches of one append in order, each against the state the earlier ones would
     * leave. A duplicate is reported when the append's first batch is one (clients send one batch
     * per partition); later batches must then be duplicates too or in sequence.
     */
    public Check validateAll(List<? extends RecordBatch> batches) {
        Map<Long, ProducerEntry> staged = new HashMap<>();
        Check first = null;
        for (RecordBatch b : batches) {
            if (!b.hasProducerId()) {
                if (first == null) {
                    first = Check.OK;
                }
                continue;
            }
            ProducerEntry e = staged.computeIfAbsent(b.producerId(), id -> {
                ProducerEntry cur = producers.get(id);
                return cur == null ? null : cur.copy();
            });
            Check c = validate(b, e);
            if (first == null) {
                first = c;
            }
            if (c.duplicate().isEmpty()) {
                ProducerEntry target = e != null ? e : new ProducerEntry(b.producerId(), b.producerEpoch());
                target.add(b.producerEpoch(), new BatchMetadata(b.baseSequence(), b.lastSequence(), -1, -1, -1));
                if (b.isTransactional() && target.currentTxnFirstOffset() < 0) {
                    target.beginTxn(Long.MAX_VALUE); // open from here on (the offset is not known before the append)
                }
                staged.put(b.producerId(), target);
            }
        }
        return first == null ? Check.OK : first;
    }

    /**
     * Checks batches a coordinator writes for producers (transactional offset commits): only the
     * epoch (an older one is {@link InvalidProducerEpochException}), no sequence numbers, as Kafka
     * does for appends of coordinator origin.
     */
    public void validateEpochs(List<? extends RecordBatch> batches) {
        for (RecordBatch b : batches) {
            ProducerEntry e = b.hasProducerId() ? producers.get(b.producerId()) : null;
            if (e != null && b.producerEpoch() < e.epoch()) {
                throw new InvalidProducerEpochException("Producer " + b.producerId() + " epoch " + b.producerEpoch()
                        + " is older than the current epoch " + e.epoch());
            }
        }
    }

    private static Check validate(RecordBatch batch, ProducerEntry entry) {
        if (!batch.hasProducerId()) {
            return Check.OK;
        }
        long pid = batch.producerId();
        short epoch = batch.producerEpoch();
        int firstSeq = batch.baseSequence();
        int lastSeq = batch.lastSequence();
        if (entry == null) {
            return Check.OK; // unknown producer (new, or its state was removed with old data): accept
        }
        if (epoch < entry.epoch()) {
            throw new InvalidProducerEpochException("Producer " + pid + " epoch " + epoch
                    + " is older than the current epoch " + entry.epoch());
        }
        if (!batch.isTransactional() && entry.currentTxnFirstOffset() >= 0) {
            throw new InvalidTxnStateException("Expected a transactional write from producer " + pid
                    + ": its transaction opened at offset " + entry.currentTxnFirstOffset() + " is not complete");
        }
        Optional<BatchMetadata> dup = entry.findDuplicate(epoch, firstSeq, lastSeq);
        if (dup.isPresent()) {
            return new Check(dup);
        }
        if (epoch > entry.epoch()) {
            if (firstSeq != 0) {
                throw new OutOfOrderSequenceException("Invalid sequence number for new epoch of producer " + pid
                        + ": " + epoch + " (request epoch), " + firstSeq + " (seq. number), expected 0");
            }
            return Check.OK;
        }
        int last = entry.lastSeq();
        if (last == -1 ? firstSeq != 0 : !inSequence(last, firstSeq)) {
            throw new OutOfOrderSequenceException("Out of order sequence number for producer " + pid + " at epoch "
                    + epoch + ": " + firstSeq + " (incoming seq. number), " + last + " (current end sequence number)");
        }
        return Check.OK;
    }

    private static boolean inSequence(int last, int next) {
        return next == last + 1 || (next == 0 && last == Integer.MAX_VALUE);
    }

    /**
     * Checks a transaction marker the coordinator asks to write (Kafka's rules for a coordinator
     * append): its epoch must not be older than the producer's ({@code transactionVersion} 2 and
     * later: strictly newer, unless it repeats the marker that ended the last transaction), and its
     * coordinator epoch not older than the one of the producer's last marker.
     *
     * @throws InvalidProducerEpochException a marker from an older producer epoch
     * @throws TransactionCoordinatorFencedException a marker from an older coordinator
     */
    public void validateMarker(long producerId, short producerEpoch, int coordinatorEpoch, int transactionVersion) {
        ProducerEntry e = producers.get(producerId);
        if (e == null) {
            return;
        }
        short current = e.epoch();
        boolean invalid = transactionVersion >= 2 ? producerEpoch <= current : producerEpoch < current;
        boolean repeatedMarker = transactionVersion >= 2 && producerEpoch == current && e.currentTxnFirstOffset() < 0;
        if (invalid && !repeatedMarker) {
            throw new InvalidProducerEpochException("Marker epoch " + producerEpoch + " of producer " + producerId + " is "
                    + (transactionVersion >= 2 ? "not newer than" : "older than") + " its current epoch " + current);
        }
        if (coordinatorEpoch < e.coordinatorEpoch()) {
            throw new TransactionCoordinatorFencedException("Coordinator epoch " + coordinatorEpoch + " of the marker for producer "
                    + producerId + " is older than " + e.coordinatorEpoch() + ", the epoch of its last marker");
        }
    }

    /**
     * Remembers a batch written at {@code firstOffset..lastOffset}: a transactional batch may open a
     * transaction; a marker completes the producer's open one and returns it (to be indexed when
     * aborted, then passed to {@link #completeTxn}); a marker of a producer with nothing open returns
     * nothing.
     */
    public Optional<CompletedTxn> record(RecordBatch batch, long firstOffset, long lastOffset) {
        Optional<CompletedTxn> completed = Optional.empty();
        if (batch.hasProducerId()) {
            long pid = batch.producerId();
            ProducerEntry e = producers.computeIfAbsent(pid, id -> new ProducerEntry(id, batch.producerEpoch()));
            if (batch.isControlBatch()) {
                EndTransactionMarker marker = marker(batch);
                if (marker != null) {
                    long open = e.currentTxnFirstOffset();
                    if (open >= 0) {
                        completed = Optional.of(new CompletedTxn(pid, open, firstOffset, marker.controlType() == ControlRecordType.ABORT));
                    }
                    e.onMarker(batch.producerEpoch(), marker.coordinatorEpoch(), batch.maxTimestamp());
                }
            } else {
                e.add(batch.producerEpoch(), new BatchMetadata(batch.baseSequence(), batch.lastSequence(),
                        firstOffset, lastOffset, batch.maxTimestamp()));
                if (batch.isTransactional() && e.currentTxnFirstOffset() < 0) {
                    e.beginTxn(firstOffset);
                    ongoing.put(firstOffset, pid);
                }
            }
            dirty = true;
        }
        mapEndOffset = Math.max(mapEndOffset, lastOffset + 1);
        return completed;
    }

    /** The transaction marker in a control batch; null for an empty one (its transaction was cleaned away) or another type. */
    private static EndTransactionMarker marker(RecordBatch batch) {
        java.util.Iterator<Record> it = batch.iterator();
        if (!it.hasNext()) {
            return null;
        }
        Record r = it.next();
        ControlRecordType type = ControlRecordType.parse(r.key());
        return type == ControlRecordType.COMMIT || type == ControlRecordType.ABORT ? EndTransactionMarker.deserialize(r) : null;
    }

    /**
     * The last stable offset to record with {@code txn} in the transaction index: the first offset
     * of the earliest transaction of another producer still open, else one past the marker.
     */
    public long lastStableOffset(CompletedTxn txn) {
        for (Map.Entry<Long, Long> e : ongoing.entrySet()) {
            if (e.getValue() != txn.producerId()) {
                return e.getKey();
            }
        }
        return txn.lastOffset() + 1;
    }

    /** Moves {@code txn} from the open ones to the completed ones waiting for the high watermark. */
    public void completeTxn(CompletedTxn txn) {
        ongoing.remove(txn.firstOffset());
        unreplicated.put(txn.firstOffset(), txn);
    }

    /** Completed transactions whose marker is now below {@code highWatermark} stop counting as unstable. */
    public void onHighWatermarkUpdated(long highWatermark) {
        unreplicated.values().removeIf(t -> t.lastOffset() < highWatermark);
    }

    /** The first offset of the earliest open (or completed but unreplicated) transaction, -1 when none. */
    public long firstUnstableOffset() {
        long first = Long.MAX_VALUE;
        if (!ongoing.isEmpty()) {
            first = ongoing.firstKey();
        }
        if (!unreplicated.isEmpty()) {
            first = Math.min(first, unreplicated.firstKey());
        }
        return first == Long.MAX_VALUE ? -1L : first;
    }

    /** Open transactions by first offset (producer id values), for tests and DescribeProducers. */
    public Map<Long, Long> ongoingTransactions() {
        return java.util.Collections.unmodifiableMap(ongoing);
    }

    /** Every producer known, for DescribeProducers. */
    public List<ProducerEntry> entries() {
        return List.copyOf(producers.values());
    }

    /**
     * Forgets producers whose last batch is older than {@code expirationMs} (Kafka's
     * {@code producer.id.expiration.ms}); returns how many were removed.
     */
    public int removeExpired(long nowMs, long expirationMs) {
        int before = producers.size();
        producers.values().removeIf(e -> {
            List<BatchMetadata> b = e.batches();
            if (e.currentTxnFirstOffset() >= 0) {
                return false; // an open transaction keeps its producer (Kafka expires only idle producers)
            }
            long last = b.isEmpty() ? e.lastTimestamp() : Math.max(e.lastTimestamp(), b.get(b.size() - 1).timestamp());
            return nowMs - last > expirationMs;
        });
        int removed = before - producers.size();
        if (removed > 0) {
            dirty = true;
        }
        return removed;
    }

    /**
     * The log holds nothing between the last batch applied and {@code offset} (a segment rolled
     * there; a follower's next batch may start past the log end where its leader compacted):
     * the state is as of {@code offset}, as Kafka moves its map end offset at a roll.
     */
    public void advanceMapEndOffset(long offset) {
        mapEndOffset = Math.max(mapEndOffset, offset);
    }

    /** The offset up to which (exclusive) the log has been applied. */
    public long mapEndOffset() {
        return mapEndOffset;
    }

    public Optional<ProducerEntry> entry(long producerId) {
        return Optional.ofNullable(producers.get(producerId));
    }

    public int producerCount() {
        return producers.size();
    }

    public boolean dirty() {
        return dirty;
    }

    /**
     * Rebuilds the state for a log holding [{@code logStartOffset}, {@code logEndOffset}) (at open, or
     * after a truncation): snapshots above the log end (records a truncation removed) and below the
     * log start (records retention or DeleteRecords removed) are deleted; the latest readable one at
     * or below {@code loadBound} (capped by the log end) is loaded, and only the batches from its
     * offset to the log end are applied. Every transaction completed by a replayed marker is passed
     * to {@code completed} (with {@link #lastStableOffset} still answering for the moment it
     * completed), so the caller can restore its transaction index.
     *
     * <p>The caller passes its high watermark as {@code loadBound}: a snapshot does not hold the
     * transactions completed before it whose marker is not below the high watermark yet (Kafka's
     * unreplicated transactions), so one above the high watermark could report a stable offset past
     * such a transaction; from one at or below it the result equals a replay of the whole log.
     */
    public void recover(ProducerSnapshots snapshots, long logStartOffset, long logEndOffset, long loadBound,
            BatchSource batchesFrom, Consumer<CompletedTxn> completed) throws IOException {
        producers.clear();
        ongoing.clear();
        unreplicated.clear();
        mapEndOffset = logStartOffset;
        snapshots.deleteAbove(logEndOffset);
        snapshots.deleteBelow(logStartOffset);
        boolean hadSnapshot = snapshots.latestOffset().isPresent();
        Optional<ProducerSnapshotFile.Loaded> loaded = snapshots.loadLatestAtOrBelow(Math.min(loadBound, logEndOffset));
        if (loaded.isPresent()) {
            loaded.get().producers().forEach(e -> producers.put(e.producerId(), e));
            mapEndOffset = Math.max(loaded.get().mapEndOffset(), logStartOffset);
            for (ProducerEntry e : producers.values()) {
                if (e.currentTxnFirstOffset() >= 0) {
                    ongoing.put(e.currentTxnFirstOffset(), e.producerId());
                }
            }
        }
        if (mapEndOffset < logEndOffset) {
            long from = mapEndOffset;
            for (RecordBatch b : batchesFrom.batchesFrom(from)) {
                if (b.lastOffset() < from) {
                    continue;
                }
                if (b.baseOffset() >= logEndOffset) {
                    break;
                }
                batchesReplayed++;
                Optional<CompletedTxn> done = record(b, b.baseOffset(), b.lastOffset());
                if (done.isPresent()) {
                    completed.accept(done.get());
                    completeTxn(done.get());
                }
            }
        }
        mapEndOffset = Math.max(mapEndOffset, logEndOffset);
        // no snapshot, nothing replayed, no producer (a partition just created): a snapshot would say what its
        // absence says, so writing one (two fsyncs) for each of thousands of new partitions is skipped; a
        // snapshot already at the log end needs no rewrite either
        dirty = !snapshots.contains(mapEndOffset) && (hadSnapshot || !producers.isEmpty() || mapEndOffset != logStartOffset);
    }

    /**
     * Forgets everything (the log was emptied and restarts at {@code offset}) and deletes every
     * snapshot, as Kafka does when a follower's whole log is behind its leader's log start.
     */
    public void truncateFullyAndStartAt(ProducerSnapshots snapshots, long offset) throws IOException {
        producers.clear();
        ongoing.clear();
        unreplicated.clear();
        snapshots.deleteAll();
        mapEndOffset = offset;
        dirty = false;
    }

    /** Batches applied from the log by {@link #recover} since this manager was made (tests: replay is bounded). */
    public long batchesReplayed() {
        return batchesReplayed;
    }

    /** Reads the log from an offset (whole batches, the first one containing the offset). */
    @FunctionalInterface
    public interface BatchSource {
        Iterable<? extends RecordBatch> batchesFrom(long offset) throws IOException;
    }

    /**
     * Writes the snapshot of the state as of {@link #mapEndOffset()}; see
     * {@link ProducerSnapshots#write} for {@code sync} and the returned work.
     */
    public ProducerSnapshots.Flush writeSnapshot(ProducerSnapshots snapshots, boolean sync) throws IOException {
        ProducerSnapshots.Flush flush = snapshots.write(mapEndOffset, producers.values(), sync);
        dirty = false;
        return flush;
    }
}
