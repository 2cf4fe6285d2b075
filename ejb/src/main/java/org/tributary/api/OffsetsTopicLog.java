package org.tributary.api;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;
import org.tributary.group.CoordinatorLog;
import org.tributary.group.GroupConfig;
import org.tributary.metadata.MetadataStore;
import org.tributary.metadata.TopicImage;
import org.tributary.partition.Partition;
import org.tributary.partition.ReplicaManager;

/**
 * The group coordinator's storage over the broker's own partitions: {@code __consumer_offsets}
 * is created on first use (compacted, {@code offsets.topic.num.partitions} partitions,
 * {@code offsets.topic.replication.factor} replicas capped by the brokers serving, and the broker's
 * {@code min.insync.replicas} as for any topic: Kafka has no separate key for it), records are
 * appended as leader with acks=all and replayed from the log when this broker becomes a partition's leader.
 */
public final class OffsetsTopicLog implements CoordinatorLog {
    public static final String TOPIC = Topic.GROUP_METADATA_TOPIC_NAME;

    private final MetadataStore metadata;
    private final ReplicaManager replicas;
    private final TopicAdmin topics;
    private final GroupConfig config;
    private final Time time;

    public OffsetsTopicLog(MetadataStore metadata, ReplicaManager replicas, TopicAdmin topics, GroupConfig config, Time time) {
        this.metadata = metadata;
        this.replicas = replicas;
        this.topics = topics;
        this.config = config;
        this.time = time;
    }

    private TopicImage topic(boolean create) {
        TopicImage t = metadata.image().topic(TOPIC).orElse(null);
        if (t == null && create) {
            short rf = (short) Math.max(1, Math.min(config.offsetsTopicReplicationFactor(), topics.servingBrokers().size()));
            try {
                t = topics.create(TOPIC, config.offsetsTopicPartitions(), rf, null,
                        Map.of("cleanup.policy", "compact", "compression.type", "producer", "segment.bytes", "104857600"), false);
            } catch (TopicExistsException e) {
                t = metadata.image().topic(TOPIC).orElseThrow();
            }
        }
        return t;
    }

    @Override
    public int partitionCount() {
        TopicImage t = topic(false);
        return t == null ? config.offsetsTopicPartitions() : t.partitionCount();
    }

    @Override
    public void createIfMissing() {
        topic(true);
    }

    @Override
    public int leaderEpoch(int partition) {
        return replicas.partition(new TopicPartition(TOPIC, partition)).map(Partition::leaderEpoch).orElse(-1);
    }

    private Partition leader(TopicPartition tp) {
        return replicas.partition(tp).orElseThrow(() -> new NotLeaderOrFollowerException("this broker does not lead " + tp));
    }

    /** acks=all, as Kafka's coordinators write: refused while the ISR is below min.insync.replicas. */
    @Override
    public Appended append(int partition, List<Entry> entries) throws IOException {
        TopicPartition tp = new TopicPartition(TOPIC, partition);
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

    @Override
    public CompletableFuture<Errors> awaitCommitted(int partition, long offset, int leaderEpoch, long timeoutMs) {
        return replicas.awaitReplication(new TopicPartition(TOPIC, partition), offset, leaderEpoch, timeoutMs);
    }

    /** Reads up to the log end, as Kafka's coordinator loader does; stops early if the leadership moves. */
    @Override
    public long replay(int partition, Replay replay) throws IOException {
        TopicPartition tp = new TopicPartition(TOPIC, partition);
        Partition p = leader(tp);
        int epoch = p.leaderEpoch();
        long end = p.log().logStartOffset();
        replay.begin(p.highWatermark(), epoch);
        for (RecordBatch batch : p.log().batchesFrom(end)) {
            if (!p.isLeader() || p.leaderEpoch() != epoch) {
                throw new NotLeaderOrFollowerException("this broker stopped leading " + tp + " in leader epoch " + epoch);
            }
            if (!batch.isControlBatch()) {
                for (org.apache.kafka.common.record.internal.Record r : batch) {
                    replay.record(r.offset(), r.hasKey() ? Utils.toArray(r.key()) : null, r.hasValue() ? Utils.toArray(r.value()) : null);
                }
            }
            end = batch.nextOffset();
        }
        return end;
    }

    @Override
    public OptionalLong endOffset(TopicPartition tp) {
        return replicas.partition(tp).map(p -> OptionalLong.of(p.highWatermark())).orElse(OptionalLong.empty());
    }
}
