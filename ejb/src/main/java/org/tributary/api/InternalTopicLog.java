package org.tributary.api;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;
import org.tributary.coordinator.CoordinatorLog;
import org.tributary.metadata.MetadataStore;
import org.tributary.metadata.TopicImage;
import org.tributary.partition.Partition;
import org.tributary.partition.ReplicaManager;

/**
 * A coordinator's storage over the broker's own partitions of a compacted internal topic
 * ({@code __consumer_offsets}, {@code __transaction_state}): created on first use with the
 * {@link Spec}'s partitions, replicas (capped by the brokers serving, as Kafka's rule for internal
 * topics here) and topic configs; records appended as leader with acks=all and replayed from the
 * log when this broker becomes a partition's leader.
 */
public class InternalTopicLog implements CoordinatorLog {
    /**
     * How the topic is created: name, partition count, replication factor, its topic configs, and
     * its {@code min.insync.replicas} (0: the broker's; else capped by the replication factor used).
     */
    public record Spec(String topic, int partitions, short replicationFactor, Map<String, String> configs, int minInSyncReplicas) {
    }

    private final Spec spec;
    private final MetadataStore metadata;
    private final ReplicaManager replicas;
    private final TopicAdmin topics;
    private final Time time;

    public InternalTopicLog(Spec spec, MetadataStore metadata, ReplicaManager replicas, TopicAdmin topics, Time time) {
        this.spec = spec;
        this.metadata = metadata;
        this.replicas = replicas;
        this.topics = topics;
        this.time = time;
    }

    public final String topic() {
        return spec.topic();
    }

    /**
     * The topic, created on first use. Its replication factor is the configured one (e.g.
     * {@code offsets.topic.replication.factor}, default 3), lowered only to the number of brokers
     * <em>registered</em> in the cluster, so a one- or two-node cluster works with the defaults. A
     * broker that is down (fenced) still counts: while fewer brokers serve than the factor needs,
     * creation fails and FindCoordinator answers COORDINATOR_NOT_AVAILABLE (the client retries), as
     * Kafka answers; the topic is never created with fewer replicas because a node happened to be
     * down when the first group or transaction arrived.
     */
    private TopicImage topic(boolean create) {
        TopicImage t = metadata.image().topic(spec.topic()).orElse(null);
        if (t == null && create) {
            short rf = (short) Math.max(1, Math.min(spec.replicationFactor(), metadata.image().brokers().size()));
            try {
                Map<String, String> configs = new java.util.HashMap<>(spec.configs());
                if (spec.minInSyncReplicas() > 0) {
                    configs.put("min.insync.replicas", Integer.toString(Math.min(spec.minInSyncReplicas(), rf)));
                }
                t = topics.create(spec.topic(), spec.partitions(), rf, null, configs, false);
            } catch (TopicExistsException e) {
                t = metadata.image().topic(spec.topic()).orElseThrow();
            }
        }
        return t;
    }

    @Override
    public int partitionCount() {
        TopicImage t = topic(false);
        return t == null ? spec.partitions() : t.partitionCount();
    }

    @Override
    public void createIfMissing() {
        topic(true);
    }

    @Override
    public int leaderEpoch(int partition) {
        return replicas.partition(new TopicPartition(spec.topic(), partition)).map(Partition::leaderEpoch).orElse(-1);
    }

    /** The broker leading the partition in the current image, or -1 (no topic yet, no leader). */
    public int leaderOf(int partition) {
        return metadata.image().topic(spec.topic()).filter(t -> partition < t.partitionCount())
                .map(t -> t.partition(partition).leader()).orElse(-1);
    }

    private Partition leader(TopicPartition tp) {
        return replicas.partition(tp).orElseThrow(() -> new NotLeaderOrFollowerException("this broker does not lead " + tp));
    }

    /** acks=all, as Kafka's coordinators write: refused while the ISR is below min.insync.replicas. */
    @Override
    public Appended append(int partition, List<Entry> entries) throws IOException {
        TopicPartition tp = new TopicPartition(spec.topic(), partition);
        Partition p = leader(tp);
        long now = time.milliseconds();
        SimpleRecord[] records = new SimpleRecord[entries.size()];
        for (int i = 0; i < records.length; i++) {
            records[i] = new SimpleRecord(now, entries.get(i).key(), entries.get(i).value());
        }
        Partition.AppendResult r = p.appendAsLeader(MemoryRecords.withRecords(Compression.NONE, records), (short) -1);
        replicas.onAppend(tp);
        return new Appended(r.firstOffset(), r.lastOffset() + 1, r.leaderEpoch());
    }

    /** A transactional batch of the producer, appended with epoch checks only (no sequence), acks=all; unverified. */
    @Override
    public Appended appendTransactional(int partition, List<Entry> entries, long producerId, short producerEpoch) throws IOException {
        return appendTransactional(partition, entries, producerId, producerEpoch, TxnVerification.UNCHECKED);
    }

    /**
     * A transactional batch of the producer, appended with epoch checks (no sequence), acks=all;
     * when {@code verification} is checked, also against the partition's verification guard (KIP-890).
     */
    @Override
    public Appended appendTransactional(int partition, List<Entry> entries, long producerId, short producerEpoch,
            TxnVerification verification) throws IOException {
        TopicPartition tp = new TopicPartition(spec.topic(), partition);
        Partition p = leader(tp);
        long now = time.milliseconds();
        SimpleRecord[] records = new SimpleRecord[entries.size()];
        for (int i = 0; i < records.length; i++) {
            records[i] = new SimpleRecord(now, entries.get(i).key(), entries.get(i).value());
        }
        // sequence 0, as Kafka's coordinator writes (appendAsCoordinator checks no sequence)
        MemoryRecords batch = MemoryRecords.withTransactionalRecords(Compression.NONE, producerId, producerEpoch, 0, records);
        Partition.AppendResult r = verification.checked() ? p.appendAsCoordinator(batch, (short) -1, verification.guard())
                : p.appendAsCoordinator(batch, (short) -1);
        replicas.onAppend(tp);
        return new Appended(r.firstOffset(), r.lastOffset() + 1, r.leaderEpoch());
    }

    @Override
    public CompletableFuture<Errors> awaitCommitted(int partition, long offset, int leaderEpoch, long timeoutMs) {
        return replicas.awaitReplication(new TopicPartition(spec.topic(), partition), offset, leaderEpoch, timeoutMs);
    }

    /** Reads up to the log end, as Kafka's coordinator loader does; stops early if the leadership moves. */
    @Override
    public long replay(int partition, Replay replay) throws IOException {
        TopicPartition tp = new TopicPartition(spec.topic(), partition);
        Partition p = leader(tp);
        int epoch = p.leaderEpoch();
        long end = p.log().logStartOffset();
        replay.begin(p.highWatermark(), epoch);
        for (RecordBatch batch : p.log().batchesFrom(end)) {
            if (!p.isLeader() || p.leaderEpoch() != epoch) {
                throw new NotLeaderOrFollowerException("this broker stopped leading " + tp + " in leader epoch " + epoch);
            }
            if (batch.isControlBatch()) {
                for (org.apache.kafka.common.record.internal.Record r : batch) {
                    ControlRecordType type = ControlRecordType.parse(r.key());
                    if (type == ControlRecordType.COMMIT || type == ControlRecordType.ABORT) {
                        replay.marker(r.offset(), batch.producerId(), type == ControlRecordType.COMMIT);
                    }
                }
            } else {
                for (org.apache.kafka.common.record.internal.Record r : batch) {
                    replay.record(r.offset(), r.hasKey() ? Utils.toArray(r.key()) : null, r.hasValue() ? Utils.toArray(r.value()) : null,
                            batch.producerId(), batch.isTransactional());
                }
            }
            end = batch.nextOffset();
        }
        return end;
    }

    /** The log end offset (high watermark) of a user partition, if this broker holds it. */
    public java.util.OptionalLong endOffset(TopicPartition tp) {
        return replicas.partition(tp).map(p -> java.util.OptionalLong.of(p.highWatermark())).orElse(java.util.OptionalLong.empty());
    }
}
