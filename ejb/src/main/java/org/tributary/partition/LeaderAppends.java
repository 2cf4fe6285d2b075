package org.tributary.partition;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.UnsupportedForMessageFormatException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.tributary.log.AppendInfo;
import org.tributary.log.PartitionLog;
import org.tributary.txn.BatchMetadata;
import org.tributary.txn.ProducerStateManager;

/**
 * A partition leader's write path: client and coordinator batches (role and min.insync.replicas
 * checks, batch format checks, then the producer-state check that finds a duplicate or refuses an
 * unverified transactional batch, KIP-890) and transaction markers, each appended in the current
 * leader epoch and followed by the last stable offset and the high watermark; and the acks=all
 * state of an append made earlier.
 *
 * <p>Separate from {@link Partition} so that what an append must pass lives in one place; the
 * partition keeps its role, its committed replica state and the high watermark (read and moved here
 * through it), and {@link PartitionTxns} decides what a batch or marker does to the producers.
 *
 * <p>Not thread-safe: every method is called with the owning partition's lock held.
 */
final class LeaderAppends {
    private final Partition partition;
    private final PartitionLog log;
    private final PartitionTxns txns;
    private final FirstSequenceGuard firstSequences = new FirstSequenceGuard(System::currentTimeMillis);

    LeaderAppends(Partition partition, PartitionLog log, PartitionTxns txns) {
        this.partition = partition;
        this.log = log;
        this.txns = txns;
    }

    /** A new leader term: refusals remembered in an earlier one no longer count. */
    void onBecomeLeader() {
        firstSequences.clear();
    }

    /**
     * Appends client batches ({@code coordinator}: on behalf of producers, sequences unchecked).
     * {@code guard}: null appends unverified (internal writers); else checked by
     * {@link TxnVerificationGuards#check}.
     */
    Partition.AppendResult append(MemoryRecords records, short requiredAcks, boolean coordinator, Object guard) throws IOException {
        try {
            checkLeaderAppend(requiredAcks);
        } catch (NotEnoughReplicasException e) {
            if (!coordinator) {
                List<RecordBatch> refused = new ArrayList<>();
                records.batches().forEach(refused::add);
                firstSequences.refused(refused, this::hasProducerState);
            }
            throw e;
        }
        List<MutableRecordBatch> batches = new ArrayList<>();
        for (MutableRecordBatch b : records.batches()) {
            if (b.magic() < RecordBatch.MAGIC_VALUE_V2) {
                throw new UnsupportedForMessageFormatException("Record batches of magic " + b.magic()
                        + " are not supported; use magic 2 (Kafka 0.11 or later)");
            }
            if (b.isControlBatch()) {
                throw new InvalidRecordException("Control batches cannot be produced by clients");
            }
            batches.add(b);
        }
        int leaderEpoch = partition.leaderEpoch();
        if (!coordinator) {
            firstSequences.check(batches, this::hasProducerState, log.logEndOffset() == 0 && log.logStartOffset() == 0);
        }
        ProducerStateManager.Check check = txns.validateLeaderAppend(batches, coordinator, guard);
        if (check.duplicate().isPresent()) {
            BatchMetadata d = check.duplicate().get();
            return new Partition.AppendResult(d.firstOffset(), d.lastOffset(), -1L, log.logStartOffset(), true, leaderEpoch);
        }
        AppendInfo info = log.appendAsLeader(records, leaderEpoch);
        txns.recordLeaderAppend(batches, info.firstOffset());
        firstSequences.written(batches);
        return afterAppend(info, leaderEpoch);
    }

    private boolean hasProducerState(long producerId) {
        return txns.producers().entry(producerId).isPresent();
    }

    /** Writes a transaction's COMMIT or ABORT marker; see {@link Partition#appendTxnMarker}. */
    Partition.AppendResult appendTxnMarker(long producerId, short producerEpoch, int coordinatorEpoch, boolean commit,
            int transactionVersion, short requiredAcks, long nowMs) throws IOException {
        checkLeaderAppend(requiredAcks);
        int leaderEpoch = partition.leaderEpoch();
        AppendInfo info = txns.writeMarker(producerId, producerEpoch, coordinatorEpoch, commit, transactionVersion, leaderEpoch,
                nowMs);
        return afterAppend(info, leaderEpoch);
    }

    /** The acks=all state of an append; see {@link Partition#acksAllState}. */
    Errors acksAllState(long requiredOffset, int appendEpoch) {
        if (partition.role() != Partition.Role.LEADER || partition.leaderEpoch() != appendEpoch) {
            return Errors.NOT_LEADER_OR_FOLLOWER;
        }
        if (partition.highWatermark() >= requiredOffset) {
            return partition.isr().size() >= partition.minInsyncReplicas() ? Errors.NONE : Errors.NOT_ENOUGH_REPLICAS_AFTER_APPEND;
        }
        return null;
    }

    /** Only a leader appends; with {@code requiredAcks} -1 only with an ISR of at least min.insync.replicas. */
    private void checkLeaderAppend(short requiredAcks) {
        if (partition.role() != Partition.Role.LEADER) {
            throw new NotLeaderOrFollowerException("Broker " + partition.localBrokerId() + " is not the leader of "
                    + partition.topicPartition() + " (leader " + partition.leader() + ", leader epoch " + partition.leaderEpoch() + ")");
        }
        List<Integer> isr = partition.isr();
        if (requiredAcks == -1 && isr.size() < partition.minInsyncReplicas()) {
            throw new NotEnoughReplicasException("The in-sync replicas of " + partition.topicPartition() + " " + isr
                    + " are fewer than min.insync.replicas (" + partition.minInsyncReplicas() + ")");
        }
    }

    /** The appended batches count for the last stable offset and may move the high watermark. */
    private Partition.AppendResult afterAppend(AppendInfo info, int leaderEpoch) {
        txns.updateLastStableOffset(partition.highWatermark());
        partition.maybeIncrementHighWatermark();
        return new Partition.AppendResult(info.firstOffset(), info.lastOffset(), info.logAppendTime(), info.logStartOffset(), false,
                leaderEpoch);
    }
}
