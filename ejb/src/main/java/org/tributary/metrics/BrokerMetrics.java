package org.tributary.metrics;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * One broker's counters. The request path records into it (lock-free adders and histograms);
 * {@link #snapshot()} reads them. Topic counters exist only for topics that exist: callers pass
 * names from the metadata image, never a client's unchecked input, and {@link #retainTopics}
 * drops deleted ones.
 */
public final class BrokerMetrics {
    private final LongSupplier clockMillis;
    private final LongSupplier monotonicMillis;
    private final TopicMetrics all = new TopicMetrics(null);
    private final Map<String, TopicMetrics> topics = new ConcurrentHashMap<>();
    /** Per API key, created at its first request (a histogram is about 30 KiB). */
    private final AtomicReferenceArray<ApiMetrics> apis;
    /** Kafka's {@code ReplicaManager} {@code IsrShrinksPerSec} and {@code IsrExpandsPerSec} meters. */
    private final Meter isrShrinks;
    private final Meter isrExpands;

    private static final class ApiMetrics {
        final ApiKeys key;
        final LongAdder requests = new LongAdder();
        final LongAdder errors = new LongAdder();
        final LatencyHistogram totalTime;

        ApiMetrics(ApiKeys key, LongSupplier clockMillis) {
            this.key = key;
            this.totalTime = LatencyHistogram.lastMinute(clockMillis);
        }
    }

    /** One clock for both: tests with a clock of their own. */
    public BrokerMetrics(LongSupplier clockMillis) {
        this(clockMillis, clockMillis);
    }

    /**
     * {@code clockMillis} stamps snapshots (wall time); {@code monotonicMillis} measures the meters'
     * intervals and the latency windows, so a wall clock stepped by NTP or by hand neither stalls
     * nor decays the rates.
     */
    public BrokerMetrics(LongSupplier clockMillis, LongSupplier monotonicMillis) {
        this.clockMillis = clockMillis;
        this.monotonicMillis = monotonicMillis;
        this.isrShrinks = new Meter(monotonicMillis);
        this.isrExpands = new Meter(monotonicMillis);
        int max = 0;
        for (ApiKeys k : ApiKeys.values()) {
            max = Math.max(max, k.id);
        }
        apis = new AtomicReferenceArray<>(max + 1);
    }

    /** Counters of an existing topic. */
    public TopicMetrics topic(String name) {
        return topics.computeIfAbsent(name, n -> new TopicMetrics(all));
    }

    /** Forgets the counters of topics not in {@code existing} (deleted topics). */
    public void retainTopics(Collection<String> existing) {
        topics.keySet().retainAll(existing instanceof java.util.Set<?> ? existing : new java.util.HashSet<>(existing));
    }

    /** One request answered (or closed) {@code totalNanos} after it arrived. */
    public void request(ApiKeys key, long totalNanos, boolean failed) {
        if (key.id < 0 || key.id >= apis.length()) {
            return;
        }
        ApiMetrics m = apis.get(key.id);
        if (m == null) {
            apis.compareAndSet(key.id, null, new ApiMetrics(key, monotonicMillis));
            m = apis.get(key.id);
        }
        m.requests.increment();
        if (failed) {
            m.errors.increment();
        }
        m.totalTime.recordNanos(totalNanos);
    }

    private volatile java.util.function.LongSupplier replicaMaxLag = () -> 0L;

    /** Where the largest follower lag (in offsets, over the partitions this broker leads) comes from. */
    public void replicaMaxLag(java.util.function.LongSupplier source) {
        this.replicaMaxLag = source;
    }

    /** A partition this broker leads dropped replicas from its ISR. */
    public void isrShrunk() {
        isrShrinks.mark();
    }

    /** A partition this broker leads took replicas back into its ISR. */
    public void isrExpanded() {
        isrExpands.mark();
    }

    /** The counters now; APIs that never saw a request are left out. */
    public MetricsSnapshot snapshot() {
        Map<String, MetricsSnapshot.TopicCounters> byTopic = new HashMap<>();
        topics.forEach((name, t) -> byTopic.put(name, t.snapshot()));
        List<MetricsSnapshot.RequestStats> requests = new ArrayList<>();
        for (int i = 0; i < apis.length(); i++) {
            ApiMetrics m = apis.get(i);
            if (m != null && m.requests.sum() > 0) {
                requests.add(new MetricsSnapshot.RequestStats(m.key.name, m.key.id, m.requests.sum(), m.errors.sum(),
                        m.totalTime.snapshot()));
            }
        }
        return new MetricsSnapshot(clockMillis.getAsLong(), all.snapshot(), byTopic, requests, isrShrinks.rates(), isrExpands.rates(),
                replicaMaxLag.getAsLong());
    }
}
