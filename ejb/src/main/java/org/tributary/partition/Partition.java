package org.tributary.partition;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.UnsupportedForMessageFormatException;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.tributary.log.AppendInfo;
import org.tributary.log.PartitionLog;
import org.tributary.txn.BatchMetadata;
import org.tributary.txn.ProducerStateManager;

/**
 * A partition this broker holds: its log, its replica state (leader epoch, replicas, ISR, high
 * watermark) and its idempotent-producer state. With one broker the local replica leads, the ISR
 * is just the leader and the high watermark is the log end offset.
 *
 * <p>Thread-safe: appends are serialized by this object's lock (producer-state check, append and
 * state update happen together); reads go straight to the log.
 */
public final class Partition {
    private final TopicPartition tp;
    private final Uuid topicId;
    private final PartitionLog log;
    private final ProducerStateManager producers = new ProducerStateManager();
    private final Path snapshotFile;
    private volatile int leaderEpoch;
    private volatile List<Integer> replicas;
    private volatile List<Integer> isr;
    private volatile Role role = Role.LEADER;
    private volatile int leader;

    /**
     * This broker's role for the partition, as the latest applied metadata says. LEADER: serves
     * produce and consumer fetches; FOLLOWER: holds a replica and serves no client; OFFLINE: the
     * partition has no leader at all (every broker of its ISR is fenced).
     */
    public enum Role {
        LEADER, FOLLOWER, OFFLINE
    }

    /** Where an append landed; {@code duplicate} when it was a retry already written. */
    public record AppendResult(long firstOffset, long lastOffset, long logAppendTime, long logStartOffset, boolean duplicate) {
    }

    Partition(TopicPartition tp, Uuid topicId, PartitionLog log, Path snapshotFile, int leaderEpoch, List<Integer> replicas) {
        this.tp = tp;
        this.topicId = topicId;
        this.log = log;
        this.snapshotFile = snapshotFile;
        this.leaderEpoch = leaderEpoch;
        this.replicas = List.copyOf(replicas);
        this.isr = List.copyOf(replicas);
        this.leader = replicas.isEmpty() ? -1 : replicas.get(0);
    }

    /** Takes the partition's registration from a new metadata image (role, leader epoch, replicas, ISR). */
    void update(org.tributary.metadata.PartitionRegistration reg, int localBrokerId) {
        this.replicas = List.copyOf(reg.replicas());
        this.isr = List.copyOf(reg.isr());
        this.leader = reg.leader();
        this.leaderEpoch = reg.leaderEpoch();
        this.role = reg.leader() == localBrokerId ? Role.LEADER : reg.leader() < 0 ? Role.OFFLINE : Role.FOLLOWER;
    }

    public Role role() {
        return role;
    }

    public boolean isLeader() {
        return role == Role.LEADER;
    }

    /** The leader's broker id, -1 when offline. */
    public int leader() {
        return leader;
    }

    public TopicPartition topicPartition() {
        return tp;
    }

    public Uuid topicId() {
        return topicId;
    }

    public PartitionLog log() {
        return log;
    }

    public int leaderEpoch() {
        return leaderEpoch;
    }

    public List<Integer> replicas() {
        return replicas;
    }

    public List<Integer> isr() {
        return isr;
    }

    /** With a single in-sync replica every appended record is committed at once. */
    public long highWatermark() {
        return log.logEndOffset();
    }

    /** No transactions yet: the last stable offset is the high watermark. */
    public long lastStableOffset() {
        return highWatermark();
    }

    /**
     * Appends as leader. Idempotent batches are checked first: a duplicate returns where the
     * original landed without writing; a gap or an old epoch throws the matching Kafka error.
     */
    public synchronized AppendResult appendAsLeader(MemoryRecords records) throws IOException {
        if (role != Role.LEADER) {
            throw new org.apache.kafka.common.errors.NotLeaderOrFollowerException("Broker is not the leader of " + tp
                    + " (leader " + leader + ", leader epoch " + leaderEpoch + ")");
        }
        List<MutableRecordBatch> batches = new ArrayList<>();
        for (MutableRecordBatch b : records.batches()) {
            if (b.magic() < RecordBatch.MAGIC_VALUE_V2) {
                throw new UnsupportedForMessageFormatException("Record batches of magic " + b.magic()
                        + " are not supported; use magic 2 (Kafka 0.11 or later)");
            }
            if (b.isTransactional() || b.isControlBatch()) {
                throw new InvalidRecordException("Transactional record batches are not supported yet");
            }
            batches.add(b);
        }
        ProducerStateManager.Check check = producers.validateAll(batches);
        if (check.duplicate().isPresent()) {
            BatchMetadata d = check.duplicate().get();
            return new AppendResult(d.firstOffset(), d.lastOffset(), -1L, log.logStartOffset(), true);
        }
        AppendInfo info = log.appendAsLeader(records, leaderEpoch);
        long offset = info.firstOffset();
        for (RecordBatch b : batches) {
            long count = b.lastOffset() - b.baseOffset() + 1L;
            producers.record(b, offset, offset + count - 1);
            offset += count;
        }
        return new AppendResult(info.firstOffset(), info.lastOffset(), info.logAppendTime(), info.logStartOffset(), false);
    }

    /** Rebuilds producer state from the snapshot and the log (at open). */
    synchronized void recoverProducerState() throws IOException {
        producers.recover(snapshotFile, log.logStartOffset(), log.logEndOffset(), log::batchesFrom);
    }

    /** Drops idempotent producers idle for longer than {@code expirationMs}. */
    public synchronized int expireProducers(long nowMs, long expirationMs) {
        return producers.removeExpired(nowMs, expirationMs);
    }

    /** Writes the producer-state snapshot if anything changed since the last one. */
    public synchronized void snapshotProducerState() throws IOException {
        if (producers.dirty()) {
            producers.writeSnapshot(snapshotFile);
        }
    }

    Path snapshotFile() {
        return snapshotFile;
    }

    synchronized ProducerStateManager producerState() {
        return producers;
    }

    @Override
    public String toString() {
        return "Partition(" + tp + ", epoch " + leaderEpoch + ")";
    }
}
