package org.tributary.group;

import java.util.OptionalLong;
import org.apache.kafka.common.TopicPartition;

/**
 * The group coordinator's storage: the partitions of {@code __consumer_offsets} (the shared
 * {@link org.tributary.coordinator.CoordinatorLog}), plus the log end offsets of user partitions
 * for lag. Implemented over the broker's partitions in the protocol layer, in memory in tests.
 */
public interface CoordinatorLog extends org.tributary.coordinator.CoordinatorLog {
    /** The log end offset (high watermark) of a user partition, if this broker holds it. */
    OptionalLong endOffset(TopicPartition tp);
}
