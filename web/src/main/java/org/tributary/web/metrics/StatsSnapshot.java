package org.tributary.web.metrics;

import java.util.List;
import java.util.Map;

/**
 * One sample of the broker's counters with rates since the previous sample. Rates are derived
 * from the engine's views (log end offsets, log sizes, committed offsets), not counted in the
 * request path: "messages in" is the growth of log end offsets, "bytes in" the growth of the
 * logs on disk, "messages consumed" the growth of the groups' committed offsets.
 */
public record StatsSnapshot(long atMillis, int brokers, int controllerId, boolean activeController, int topicCount,
        int partitionCount, int underReplicated, int offline, long messagesInTotal, double messagesInPerSec,
        double bytesInPerSec, long messagesConsumedTotal, double messagesConsumedPerSec, long isrShrinks, long isrExpands,
        Map<String, TopicStat> topics, Map<String, GroupStat> groups) {

    public record TopicStat(String topic, long messagesIn, long sizeBytes, double messagesInPerSec, double bytesInPerSec,
            List<PartitionStat> partitions) {
    }

    public record PartitionStat(int partition, long logEndOffset, long sizeBytes, int isrSize) {
    }

    public record GroupStat(String groupId, long committedTotal, long totalLag, Map<String, Long> lagByPartition) {
    }

    static StatsSnapshot empty() {
        return new StatsSnapshot(System.currentTimeMillis(), 0, -1, false, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, Map.of(), Map.of());
    }
}
