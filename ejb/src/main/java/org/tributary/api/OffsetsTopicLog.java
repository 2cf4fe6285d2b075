package org.tributary.api;

import java.util.Map;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.utils.Time;
import org.tributary.group.CoordinatorLog;
import org.tributary.group.GroupConfig;
import org.tributary.metadata.MetadataStore;
import org.tributary.partition.ReplicaManager;

/**
 * The group coordinator's storage over the broker's own partitions: {@code __consumer_offsets}
 * is created on first use (compacted, {@code offsets.topic.num.partitions} partitions,
 * {@code offsets.topic.replication.factor} replicas capped by the brokers serving, and the broker's
 * {@code min.insync.replicas} as for any topic: Kafka has no separate key for it), records are
 * appended as leader with acks=all and replayed from the log when this broker becomes a partition's leader.
 */
public final class OffsetsTopicLog extends InternalTopicLog implements CoordinatorLog {
    public static final String TOPIC = Topic.GROUP_METADATA_TOPIC_NAME;

    public OffsetsTopicLog(MetadataStore metadata, ReplicaManager replicas, TopicAdmin topics, GroupConfig config, Time time) {
        super(new Spec(TOPIC, config.offsetsTopicPartitions(), config.offsetsTopicReplicationFactor(),
                Map.of("cleanup.policy", "compact", "compression.type", "producer", "segment.bytes", "104857600"), 0),
                metadata, replicas, topics, time);
    }
}
