package org.tributary.partition;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.tributary.log.AbortedTxn;
import org.tributary.log.AppendInfo;
import org.tributary.log.LogListener;
import org.tributary.log.PartitionLog;
import org.tributary.txn.CompletedTxn;
import org.tributary.txn.ProducerEntry;
import org.tributary.txn.ProducerSnapshots;
import org.tributary.txn.ProducerStateManager;

/**
 * One partition's producer and transaction state: the idempotent producers and their open
 * transactions ({@link ProducerStateManager}, with its per-segment snapshots), the last stable offset
 * derived from them (KIP-98), the COMMIT/ABORT markers that end transactions (an abort goes to the
 * log's transaction index) and the KIP-890 verification guards of transactional appends.
 *
 * <p>Separate from {@link Partition} so that the partition keeps its role, its log and the
 * coordination of both, and the transaction rules live in one place. The partition decides when
 * (role and ISR checks, the high watermark); this class decides what a batch or marker does to the
 * producers and to the last stable offset.
 *
 * <p>Not thread-safe: every method except {@link #lastStableOffset()} (a volatile read, as before
 * the split) is called with the owning partition's lock held.
 */
final class PartitionTxns implements LogListener {
    private static final Logger LOG = Logger.getLogger(PartitionTxns.class.getName());
    private final PartitionLog log;
    /** The single snapshot file of the layout before per-segment snapshots, adopted and deleted at open. */
    private final Path legacySnapshotFile;
    private final ProducerSnapshots snapshots;
    private final ProducerStateManager producers = new ProducerStateManager();
    /** KIP-890 verification of transactional appends. */
    private final TxnVerificationGuards verification = new TxnVerificationGuards(producers);
    /** min(first unstable offset, high watermark); recomputed whenever either changes. */
    private volatile long lastStableOffset;

    PartitionTxns(PartitionLog log, Path legacySnapshotFile, long highWatermark) throws IOException {
        this.log = log;
        this.legacySnapshotFile = legacySnapshotFile;
        this.snapshots = new ProducerSnapshots(log.dir(), !log.createdDirectory());
        this.lastStableOffset = highWatermark;
        log.setListener(this);
    }

    long lastStableOffset() {
        return lastStableOffset;
    }

    /** The high watermark moved to {@code hw}: transactions not replicated before follow it, and the LSO. */
    void onHighWatermark(long hw) {
        producers.onHighWatermarkUpdated(hw);
        updateLastStableOffset(hw);
    }

    /** Recomputes the last stable offset under high watermark {@code hw}. */
    void updateLastStableOffset(long hw) {
        long firstUnstable = producers.firstUnstableOffset();
        // an open transaction whose start went with retention or DeleteRecords holds it at the log start (as Kafka)
        lastStableOffset = firstUnstable >= 0 && firstUnstable < hw ? Math.max(firstUnstable, log.logStartOffset()) : hw;
        log.updateLastStableOffset(lastStableOffset);
    }

    /** {@link TxnVerificationGuards#NONE} when no verification is needed, else the guard the verified append must bring. */
    Object startVerification(long producerId, int sequence, short epoch, long nowMs) {
        return verification.start(producerId, sequence, epoch, nowMs);
    }

    /**
     * Checks the batches of a leader append before it is written: producer epochs only for a
     * coordinator's writes, else epochs and sequences (a duplicate is returned in the check); a
     * non-null {@code guard} is checked against the verification state (with the sequences of a
     * client's batches only).
     */
    ProducerStateManager.Check validateLeaderAppend(List<? extends RecordBatch> batches, boolean coordinator, Object guard) {
        if (coordinator) {
            producers.validateEpochs(batches);
        }
        if (guard != null) {
            verification.check(batches, guard, !coordinator);
        }
        return coordinator ? new ProducerStateManager.Check(Optional.empty()) : producers.validateAll(batches);
    }

    /** Records the batches of a leader append written from {@code firstOffset}; a transactional batch spends its guard. */
    void recordLeaderAppend(List<? extends RecordBatch> batches, long firstOffset) {
        long offset = firstOffset;
        for (RecordBatch b : batches) {
            long count = b.lastOffset() - b.baseOffset() + 1L;
            producers.record(b, offset, offset + count - 1);
            if (b.isTransactional()) {
                verification.clear(b.producerId());
            }
            offset += count;
        }
    }

    /** Records the leader's batches a follower appended as they are; markers among them end their transactions. */
    void recordFollowerAppend(MemoryRecords records) throws IOException {
        for (RecordBatch b : records.batches()) {
            completeIfMarker(producers.record(b, b.baseOffset(), b.lastOffset()));
        }
    }

    /**
     * Validates and writes {@code producerId}'s COMMIT or ABORT marker at the log end in leader epoch
     * {@code leaderEpoch}, ends its open transaction and spends its verification guard.
     */
    AppendInfo writeMarker(long producerId, short producerEpoch, int coordinatorEpoch, boolean commit, int transactionVersion,
            int leaderEpoch, long nowMs) throws IOException {
        producers.validateMarker(producerId, producerEpoch, coordinatorEpoch, transactionVersion);
        EndTransactionMarker marker = new EndTransactionMarker(commit ? ControlRecordType.COMMIT : ControlRecordType.ABORT,
                coordinatorEpoch);
        MemoryRecords records = MemoryRecords.withEndTransactionMarker(log.logEndOffset(), nowMs, leaderEpoch, producerId,
                producerEpoch, marker);
        AppendInfo info = log.appendAsLeader(records, leaderEpoch, true);
        for (RecordBatch b : records.batches()) {
            completeIfMarker(producers.record(b, info.firstOffset(), info.lastOffset()));
        }
        verification.clear(producerId); // a batch verified against the ended transaction must not open a new one
        return info;
    }

    /** A marker completed {@code txn}: an abort goes to the transaction index, then the transaction leaves the open set. */
    private void completeIfMarker(Optional<CompletedTxn> txn) throws IOException {
        if (txn.isPresent()) {
            indexIfAborted(txn.get());
            producers.completeTxn(txn.get());
        }
    }

    private void indexIfAborted(CompletedTxn txn) {
        if (txn.aborted()) {
            try {
                log.recordAbortedTxn(new AbortedTxn(txn.producerId(), txn.firstOffset(), txn.lastOffset(),
                        producers.lastStableOffset(txn)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /**
     * After a truncation to the log end: producer state that reaches past it is rebuilt from the
     * latest snapshot at or below {@code hw} (the high watermark after the truncation) and the log
     * after that snapshot; snapshots past the log end go.
     */
    void afterTruncation(long hw) throws IOException {
        if (producers.mapEndOffset() > log.logEndOffset()) {
            recover(hw);
        }
    }

    /** The log was emptied and restarts at {@code offset}: no producer, no snapshot. */
    void afterFullTruncation(long offset) throws IOException {
        producers.truncateFullyAndStartAt(snapshots, offset);
    }

    /**
     * At open: adopts a snapshot of the single-file layout, rebuilds producer state from the latest
     * snapshot at or below high watermark {@code hw} and the log after it, then takes {@code hw}.
     */
    void recoverAt(long hw) throws IOException {
        snapshots.adoptLegacy(legacySnapshotFile, log.logStartOffset(), log.logEndOffset());
        deleteStraySnapshots();
        recover(hw);
        onHighWatermark(hw);
    }

    private void recover(long hw) throws IOException {
        producers.recover(snapshots, log.logStartOffset(), log.logEndOffset(), hw, log::batchesFrom, this::indexIfAborted);
    }

    /**
     * The log rolled a segment at {@code baseOffset}: the state as of it becomes a snapshot, written
     * now without fsync and fsynced with the rolled segment (Kafka's roll). A failed write or fsync
     * fails the log as any failed write in its directory does ({@link PartitionLog#reportIoFailure}),
     * but not the append that rolled it: it costs a longer replay after the restart.
     */
    @Override
    public LogListener.RollWork onRoll(long baseOffset) {
        if (producers.mapEndOffset() != log.logEndOffset()) {
            return null; // the state does not follow the log (not expected): no snapshot rather than a wrong one
        }
        try {
            producers.advanceMapEndOffset(baseOffset);
            ProducerSnapshots.Flush flush = producers.writeSnapshot(snapshots, false);
            return () -> {
                try {
                    flush.run();
                } catch (IOException e) {
                    log.reportIoFailure("fsync of the producer snapshot at " + baseOffset, e);
                    LOG.warning("TRIB-PART-010 could not fsync the producer snapshot at " + baseOffset + " of "
                            + log.dir().getFileName() + ": " + e.getMessage());
                }
            };
        } catch (IOException | RuntimeException e) {
            log.reportIoFailure("write of the producer snapshot at " + baseOffset, e);
            LOG.warning("TRIB-PART-010 could not write the producer snapshot at " + baseOffset + " of "
                    + log.dir().getFileName() + ": " + e.getMessage());
            return null;
        }
    }

    /** Retention, DeleteRecords or the leader's log start moved the log start: older snapshots go with their records. */
    @Override
    public void onLogStartIncremented(long logStartOffset) {
        try {
            snapshots.deleteBelow(logStartOffset);
        } catch (IOException e) {
            log.reportIoFailure("deletion of producer snapshots below " + logStartOffset, e);
            LOG.warning("TRIB-PART-011 could not delete producer snapshots below " + logStartOffset + " of "
                    + log.dir().getFileName() + ": " + e.getMessage());
        }
    }

    /** The producers this partition knows, for DescribeProducers. */
    List<Partition.ProducerView> activeProducers() {
        List<Partition.ProducerView> out = new ArrayList<>();
        for (ProducerEntry e : producers.entries()) {
            out.add(new Partition.ProducerView(e.producerId(), e.epoch(), e.lastSeq(), e.lastTimestamp(), e.coordinatorEpoch(),
                    e.currentTxnFirstOffset()));
        }
        return out;
    }

    /** Drops verification entries and idempotent producers idle for longer than {@code expirationMs}. */
    int expire(long nowMs, long expirationMs) {
        verification.expire(nowMs, expirationMs);
        return producers.removeExpired(nowMs, expirationMs);
    }

    /**
     * Writes the snapshot at the log end if anything changed since the last one (periodically and at
     * clean shutdown); an earlier such snapshot inside the active segment is superseded and deleted,
     * and so are those at no segment's base (merged by compaction), so a partition keeps one
     * snapshot per segment plus the latest. A failure fails the log ({@link PartitionLog#reportIoFailure});
     * the snapshots of a failed log are left as they are.
     */
    void snapshot() throws IOException {
        if (producers.dirty() && !log.isFailed()) {
            try {
                producers.writeSnapshot(snapshots, true);
                snapshots.deleteBetween(log.activeSegmentBaseOffset(), producers.mapEndOffset());
                deleteStraySnapshots();
            } catch (IOException | RuntimeException e) {
                log.reportIoFailure("producer snapshot write", e);
                throw e;
            }
        }
    }

    private void deleteStraySnapshots() throws IOException {
        snapshots.deleteStray(new java.util.HashSet<>(log.segmentBaseOffsets()), log.activeSegmentBaseOffset());
    }

    Path legacySnapshotFile() {
        return legacySnapshotFile;
    }

    ProducerSnapshots snapshots() {
        return snapshots;
    }

    ProducerStateManager producers() {
        return producers;
    }
}
