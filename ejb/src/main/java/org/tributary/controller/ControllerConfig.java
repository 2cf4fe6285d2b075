package org.tributary.controller;

/**
 * The controller's settings: broker session timeout (Kafka's {@code broker.session.timeout.ms}),
 * the defaults for topics created without a partition count or replication factor
 * ({@code num.partitions}, {@code default.replication.factor}) and a bound on partitions per topic.
 */
public record ControllerConfig(long sessionTimeoutMs, int defaultPartitions, short defaultReplicationFactor, int maxPartitionsPerTopic) {
    /** Producer ids handed out per block, as Kafka. */
    public static final int PRODUCER_ID_BLOCK_SIZE = 1000;

    public ControllerConfig {
        if (sessionTimeoutMs <= 0 || defaultPartitions < 1 || defaultReplicationFactor < 1 || maxPartitionsPerTopic < 1) {
            throw new IllegalArgumentException("invalid controller config " + sessionTimeoutMs + "/" + defaultPartitions + "/"
                    + defaultReplicationFactor + "/" + maxPartitionsPerTopic);
        }
    }

    public static ControllerConfig defaults() {
        return new ControllerConfig(9000, 1, (short) 1, 10_000);
    }
}
