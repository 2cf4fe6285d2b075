package org.tributary.web.metrics;

import java.util.List;
import java.util.Map;
import org.tributary.metrics.Meter;

/**
 * One sample of the broker with per-second rates since the previous sample. Message and byte
 * totals are the broker's own counters since it started ({@code MetricsSnapshot}): "in" is what
 * producers appended, "out" what fetches sent. Log sizes, ISR and lag come from the engine's views;
 * "messages consumed" is the growth of the groups' committed offsets. ISR shrinks and expands are
 * totals since start and Kafka's meter rates ({@code IsrShrinksPerSec}, {@code IsrExpandsPerSec}).
 */
public record StatsSnapshot(long atMillis, int brokers, int controllerId, boolean activeController, int topicCount,
        int partitionCount, int underReplicated, int offline, Flow flow, long messagesConsumedTotal,
        double messagesConsumedPerSec, long isrShrinks, long isrExpands, Meter.Rates isrShrinkRates, Meter.Rates isrExpandRates,
        Map<String, TopicStat> topics, Map<String, GroupStat> groups, List<ApiStat> requests, long replicaMaxLag) {

    /** Totals since start and rates over the last sample period, for one topic or all of them. */
    public record Flow(long messagesIn, long bytesIn, long messagesOut, long bytesOut, long produceRequests,
            long failedProduceRequests, long fetchRequests, long failedFetchRequests, double messagesInPerSec,
            double bytesInPerSec, double messagesOutPerSec, double bytesOutPerSec) {
        static final Flow ZERO = new Flow(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    }

    public record TopicStat(String topic, long sizeBytes, Flow flow, List<PartitionStat> partitions) {
    }

    public record PartitionStat(int partition, long logEndOffset, long sizeBytes, int isrSize) {
    }

    public record GroupStat(String groupId, long committedTotal, long totalLag, Map<String, Long> lagByPartition) {
    }

    /**
     * One API: requests since start and per second, requests that failed as a whole, and total
     * time percentiles (ms) over the last minute.
     */
    public record ApiStat(String api, long requests, double requestsPerSec, long errors, long recentCount, double p50Ms,
            double p75Ms, double p95Ms, double p98Ms, double p99Ms, double p999Ms, double maxMs) {
    }

    static StatsSnapshot empty() {
        return new StatsSnapshot(System.currentTimeMillis(), 0, -1, false, 0, 0, 0, 0, Flow.ZERO, 0, 0, 0, 0, Meter.Rates.ZERO,
                Meter.Rates.ZERO, Map.of(),
                Map.of(), List.of(), 0);
    }
}
