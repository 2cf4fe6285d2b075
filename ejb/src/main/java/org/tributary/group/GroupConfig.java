package org.tributary.group;

import org.tributary.config.BrokerConfig;

/**
 * Broker settings of the group coordinator, with Kafka's names and defaults.
 *
 * @param initialRebalanceDelayMs {@code group.initial.rebalance.delay.ms}: how long the first
 *        rebalance of an empty group waits for more members (extended while members keep coming)
 * @param offsetsRetentionMs {@code offsets.retention.minutes} in milliseconds
 * @param offsetCommitTimeoutMs {@code offsets.commit.timeout.ms}: how long a write to the offsets
 *        topic waits for every in-sync replica before it is answered with an error
 */
public record GroupConfig(int initialRebalanceDelayMs, int minSessionTimeoutMs, int maxSessionTimeoutMs, int maxSize,
        int offsetsTopicPartitions, short offsetsTopicReplicationFactor, long offsetsRetentionMs,
        long offsetsRetentionCheckIntervalMs, int offsetMetadataMaxBytes, long offsetCommitTimeoutMs) {

    /** With Kafka's default {@code offsets.commit.timeout.ms} (5 s). */
    public GroupConfig(int initialRebalanceDelayMs, int minSessionTimeoutMs, int maxSessionTimeoutMs, int maxSize,
            int offsetsTopicPartitions, short offsetsTopicReplicationFactor, long offsetsRetentionMs,
            long offsetsRetentionCheckIntervalMs, int offsetMetadataMaxBytes) {
        this(initialRebalanceDelayMs, minSessionTimeoutMs, maxSessionTimeoutMs, maxSize, offsetsTopicPartitions,
                offsetsTopicReplicationFactor, offsetsRetentionMs, offsetsRetentionCheckIntervalMs, offsetMetadataMaxBytes, 5_000L);
    }

    public static GroupConfig defaults() {
        return from(BrokerConfig.of(java.util.Map.of()));
    }

    public static GroupConfig from(BrokerConfig c) {
        return new GroupConfig(
                c.getInt("group.initial.rebalance.delay.ms", 3000, 0, Integer.MAX_VALUE),
                c.getInt("group.min.session.timeout.ms", 6000, 0, Integer.MAX_VALUE),
                c.getInt("group.max.session.timeout.ms", 1_800_000, 0, Integer.MAX_VALUE),
                c.getInt("group.max.size", Integer.MAX_VALUE, 1, Integer.MAX_VALUE),
                c.getInt("offsets.topic.num.partitions", 50, 1, 10_000),
                (short) c.getInt("offsets.topic.replication.factor", 3, 1, Short.MAX_VALUE),
                c.getLong("offsets.retention.minutes", 10_080L) * 60_000L,
                c.getLong("offsets.retention.check.interval.ms", 600_000L),
                c.getInt("offset.metadata.max.bytes", 4096, 0, Integer.MAX_VALUE),
                c.getInt("offsets.commit.timeout.ms", 5_000, 1, Integer.MAX_VALUE));
    }

    public GroupConfig withInitialRebalanceDelayMs(int ms) {
        return new GroupConfig(ms, minSessionTimeoutMs, maxSessionTimeoutMs, maxSize, offsetsTopicPartitions,
                offsetsTopicReplicationFactor, offsetsRetentionMs, offsetsRetentionCheckIntervalMs, offsetMetadataMaxBytes,
                offsetCommitTimeoutMs);
    }
}
