package org.tributary.ee;

import java.util.List;
import java.util.Map;

/** A topic as the admin API shows it; {@code configs} are its overrides only. */
public record TopicInfo(String name, String topicId, int partitionCount, int replicationFactor, int underReplicated,
        int offline, long sizeBytes, long messages, Map<String, String> configs, List<PartitionInfo> partitions) {
}
