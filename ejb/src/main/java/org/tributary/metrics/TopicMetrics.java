package org.tributary.metrics;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one topic (or of all topics together), as Kafka's {@code BrokerTopicMetrics}: what
 * producers appended and what consumers were sent. A topic's counters also count into the
 * all-topics counters, which outlive deleted topics.
 */
public final class TopicMetrics {
    private final TopicMetrics all;
    private final LongAdder messagesIn = new LongAdder();
    private final LongAdder bytesIn = new LongAdder();
    private final LongAdder messagesOut = new LongAdder();
    private final LongAdder bytesOut = new LongAdder();
    private final LongAdder produceRequests = new LongAdder();
    private final LongAdder fetchRequests = new LongAdder();
    private final LongAdder failedProduce = new LongAdder();
    private final LongAdder failedFetch = new LongAdder();

    TopicMetrics(TopicMetrics all) {
        this.all = all;
    }

    /** One partition's append of {@code messages} records in {@code bytes} of batches. */
    public void appended(long messages, long bytes) {
        messagesIn.add(messages);
        bytesIn.add(bytes);
        produceRequests.increment();
        if (all != null) {
            all.appended(messages, bytes);
        }
    }

    /** One partition's produce that was refused (bad records, not leader, storage error...). */
    public void produceFailed() {
        produceRequests.increment();
        failedProduce.increment();
        if (all != null) {
            all.produceFailed();
        }
    }

    /** One partition's fetch answered with {@code bytes} holding {@code messages} offsets at or after the fetch offset. */
    public void fetched(long messages, long bytes) {
        messagesOut.add(messages);
        bytesOut.add(bytes);
        fetchRequests.increment();
        if (all != null) {
            all.fetched(messages, bytes);
        }
    }

    /** One partition's fetch answered with an error. */
    public void fetchFailed() {
        fetchRequests.increment();
        failedFetch.increment();
        if (all != null) {
            all.fetchFailed();
        }
    }

    MetricsSnapshot.TopicCounters snapshot() {
        return new MetricsSnapshot.TopicCounters(messagesIn.sum(), bytesIn.sum(), messagesOut.sum(), bytesOut.sum(),
                produceRequests.sum(), fetchRequests.sum(), failedProduce.sum(), failedFetch.sum());
    }
}
