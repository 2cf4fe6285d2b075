package org.tributary.metrics;

import java.util.List;
import java.util.Map;

/**
 * The broker's counters at one moment. Totals count since the broker started; latency
 * percentiles cover the last minute; ISR shrinks and expands are Kafka's meters (count and rates).
 */
public record MetricsSnapshot(long atMillis, TopicCounters allTopics, Map<String, TopicCounters> topics,
        List<RequestStats> requests, Meter.Rates isrShrinks, Meter.Rates isrExpands, long replicaMaxLag) {

    public MetricsSnapshot {
        topics = Map.copyOf(topics);
        requests = List.copyOf(requests);
    }

    /**
     * What producers appended ({@code messagesIn}, {@code bytesIn}: records and batch bytes written,
     * duplicates excluded) and what fetches returned ({@code messagesOut}: offsets from the fetch
     * offset to the last whole batch sent; {@code bytesOut}: bytes of records sent), with the
     * partition-level produce and fetch requests and how many of them failed.
     */
    public record TopicCounters(long messagesIn, long bytesIn, long messagesOut, long bytesOut, long produceRequests,
            long fetchRequests, long failedProduceRequests, long failedFetchRequests) {
        public static final TopicCounters ZERO = new TopicCounters(0, 0, 0, 0, 0, 0, 0, 0);
    }

    /**
     * One API's requests since start, those that failed as a whole (unsupported version, malformed,
     * a broker failure, connection closed), and total time from the request's arrival until its
     * response was handed to the network (including any long-poll wait) over the last minute.
     */
    public record RequestStats(String api, int apiKey, long requests, long errors, Percentiles totalTimeMs) {
    }

    public static MetricsSnapshot empty() {
        return new MetricsSnapshot(0, TopicCounters.ZERO, Map.of(), List.of(), Meter.Rates.ZERO, Meter.Rates.ZERO, 0);
    }
}
