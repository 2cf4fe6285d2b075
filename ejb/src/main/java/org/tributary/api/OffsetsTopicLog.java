package org.tributary.api;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.BiConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.NotCoordinatorException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;
import org.tributary.cluster.ClusterView;
import org.tributary.group.CoordinatorLog;
import org.tributary.group.GroupConfig;
import org.tributary.metadata.MetadataStore;
import org.tributary.metadata.TopicImage;
import org.tributary.partition.Partition;
import org.tributary.partition.ReplicaManager;

/**
 * The group coordinator's storage over the broker's own partitions: {@code __consumer_offsets}
 * is created on first use (compacted, {@code offsets.topic.num.partitions} partitions), records
 * are appended as leader like any produce, and replayed from the log at start.
 */
public final class OffsetsTopicLog implements CoordinatorLog {
    public static final String TOPIC = Topic.GROUP_METADATA_TOPIC_NAME;

    private final MetadataStore metadata;
    private final ReplicaManager replicas;
    private final TopicAdmin topics;
    private final ClusterView cluster;
    private final GroupConfig config;
    private final Time time;

    public OffsetsTopicLog(MetadataStore metadata, ReplicaManager replicas, TopicAdmin topics, ClusterView cluster,
            GroupConfig config, Time time) {
        this.metadata = metadata;
        this.replicas = replicas;
        this.topics = topics;
        this.cluster = cluster;
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
    public boolean isLocalLeader(int partition) {
        TopicImage t = topic(true);
        return partition < t.partitionCount() && t.partition(partition).leader() == cluster.localBrokerId()
                && replicas.partition(new TopicPartition(TOPIC, partition)).isPresent();
    }

    @Override
    public List<Integer> localPartitions() {
        TopicImage t = topic(false);
        List<Integer> out = new ArrayList<>();
        if (t != null) {
            for (int p = 0; p < t.partitionCount(); p++) {
                if (t.partition(p).leader() == cluster.localBrokerId()) {
                    out.add(p);
                }
            }
        }
        return out;
    }

    @Override
    public void append(int partition, List<Entry> entries) throws IOException {
        TopicPartition tp = new TopicPartition(TOPIC, partition);
        Partition p = replicas.partition(tp).orElseThrow(() -> new NotCoordinatorException("not the leader of " + tp));
        long now = time.milliseconds();
        SimpleRecord[] records = new SimpleRecord[entries.size()];
        for (int i = 0; i < records.length; i++) {
            records[i] = new SimpleRecord(now, entries.get(i).key(), entries.get(i).value());
        }
        p.appendAsLeader(MemoryRecords.withRecords(Compression.NONE, records));
        replicas.onAppend(tp);
    }

    @Override
    public void replay(int partition, BiConsumer<byte[], byte[]> consumer) throws IOException {
        Partition p = replicas.partition(new TopicPartition(TOPIC, partition)).orElse(null);
        if (p == null) {
            return;
        }
        for (RecordBatch batch : p.log().batchesFrom(p.log().logStartOffset())) {
            if (batch.isControlBatch()) {
                continue;
            }
            for (org.apache.kafka.common.record.internal.Record r : batch) {
                consumer.accept(r.hasKey() ? Utils.toArray(r.key()) : null, r.hasValue() ? Utils.toArray(r.value()) : null);
            }
        }
    }

    @Override
    public OptionalLong endOffset(TopicPartition tp) {
        return replicas.partition(tp).map(p -> OptionalLong.of(p.highWatermark())).orElse(OptionalLong.empty());
    }
}
