package org.tributary.server;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A read-only view of what this broker serves, for the admin API and console: topics and, for
 * each partition held here, replicas, ISR and log offsets. Values are a snapshot at call time.
 */
public interface BrokerView {

    /** Topics ordered by name. */
    List<TopicSummary> topics();

    Optional<TopicSummary> topic(String name);

    /**
     * The partitions with a reassignment in progress, by topic (topics without one are left out),
     * from the committed metadata alone: no log figures (offsets and size are -1), so a console
     * polling it costs nothing per partition held here.
     */
    List<TopicSummary> reassigning();

    /** One topic; {@code configs} are its overrides only. */
    record TopicSummary(String name, String topicId, int replicationFactor, Map<String, String> configs,
            List<PartitionSummary> partitions) {
    }

    /**
     * One partition; offsets are -1 when this broker does not hold the partition. While a
     * reassignment (KIP-455) is in progress {@code adding} and {@code removing} name the replicas
     * it adds and removes ({@code replicas} holds both); otherwise they are empty.
     */
    record PartitionSummary(int partition, int leader, int leaderEpoch, List<Integer> replicas, List<Integer> isr,
            long logStartOffset, long logEndOffset, long highWatermark, long sizeInBytes, List<Integer> adding,
            List<Integer> removing) {
    }
}
