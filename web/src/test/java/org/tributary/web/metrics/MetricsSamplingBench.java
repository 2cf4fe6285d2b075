package org.tributary.web.metrics;

import java.lang.management.ManagementFactory;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.tributary.ee.BrokerService;
import org.tributary.ee.PartitionInfo;
import org.tributary.ee.TopicInfo;
import org.tributary.metrics.Meter;
import org.tributary.metrics.MetricsSnapshot;

/**
 * Figures, not a check (run with {@code -Dtributary.bench=true}): the sampler's cost per period
 * with {@code -Dbench.topics} topics (3,000) of {@code -Dbench.partitions} partitions (10), none of
 * them changing, as on an idle broker: {@link BrokerStats#sample} and {@link KafkaMetrics#update}
 * timed apart over {@code -Dbench.samples} samples (50) after as many to warm up, printing the
 * median time and bytes allocated of each. The broker is a stub returning the same views every
 * time, so its own cost is not in the figures; with {@code -Dbench.changing=true} every partition's
 * log end offset grows between samples (as on a broker producing to all of them) and the stub's
 * building of the views is in the sample's figures.
 */
@EnabledIfSystemProperty(named = "tributary.bench", matches = "true")
class MetricsSamplingBench {

    @Test
    void sampleAnIdleBrokerWithManyPartitions() {
        int topics = Integer.getInteger("bench.topics", 3_000);
        int partitions = Integer.getInteger("bench.partitions", 10);
        int samples = Integer.getInteger("bench.samples", 50);
        BrokerStats stats = new BrokerStats();
        stats.setBroker(broker(topics, partitions, Boolean.getBoolean("bench.changing")));
        KafkaMetrics metrics = new KafkaMetrics();
        metrics.setRegistry(registry());
        StatsSnapshot prev = StatsSnapshot.empty();
        long[] sampleNs = new long[samples];
        long[] updateNs = new long[samples];
        long[] sampleBytes = new long[samples];
        long[] updateBytes = new long[samples];
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (int i = -samples; i < samples; i++) {
            long b0 = threads.getCurrentThreadAllocatedBytes();
            long t0 = System.nanoTime();
            StatsSnapshot s = stats.sample(prev);
            long t1 = System.nanoTime();
            long a0 = threads.getCurrentThreadAllocatedBytes();
            metrics.update(s);
            long a1 = threads.getCurrentThreadAllocatedBytes();
            long t2 = System.nanoTime();
            prev = s;
            if (i >= 0) {
                sampleNs[i] = t1 - t0;
                updateNs[i] = t2 - t1;
                sampleBytes[i] = a0 - b0;
                updateBytes[i] = a1 - a0;
            }
        }
        System.err.println("BENCH metricsSampling partitions=" + topics * partitions + " changing=" + Boolean.getBoolean("bench.changing")
                + " registrations=" + metrics.registrations()
                + " medianSampleUs=" + median(sampleNs) / 1_000 + " medianUpdateUs=" + median(updateNs) / 1_000
                + " medianSampleBytes=" + median(sampleBytes) + " medianUpdateBytes=" + median(updateBytes));
    }

    private static long median(long[] v) {
        long[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private static BrokerService broker(int topics, int partitions, boolean changing) {
        List<TopicInfo> ts = new ArrayList<>();
        Map<String, MetricsSnapshot.TopicCounters> counters = new LinkedHashMap<>();
        for (int i = 0; i < topics; i++) {
            List<PartitionInfo> ps = new ArrayList<>();
            for (int p = 0; p < partitions; p++) {
                ps.add(new PartitionInfo(p, 1, 0, List.of(1, 2, 3), List.of(1, 2, 3), 0, 100 + p, 100 + p, 4096, List.of(), List.of()));
            }
            String name = String.format("topic-%05d", i);
            ts.add(new TopicInfo(name, "id-" + i, partitions, 3, 0, 0, 4096L * partitions, 100L * partitions, Map.of(), ps));
            counters.put(name, new MetricsSnapshot.TopicCounters(100, 4096, 50, 2048, 10, 5, 0, 0));
        }
        MetricsSnapshot m = new MetricsSnapshot(0, MetricsSnapshot.TopicCounters.ZERO, counters, List.of(), Meter.Rates.ZERO,
                Meter.Rates.ZERO, 0);
        return (BrokerService) Proxy.newProxyInstance(MetricsSamplingBench.class.getClassLoader(), new Class<?>[] {BrokerService.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "topics" -> changing ? grown(ts) : ts;
                    case "metrics" -> m;
                    case "groups", "brokers" -> List.of();
                    case "controllerId", "brokerId" -> 1;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    /** The topics with every partition's log end offset one higher, in place of the old ones. */
    private static List<TopicInfo> grown(List<TopicInfo> ts) {
        for (int i = 0; i < ts.size(); i++) {
            TopicInfo t = ts.get(i);
            List<PartitionInfo> ps = new ArrayList<>();
            for (PartitionInfo p : t.partitions()) {
                ps.add(new PartitionInfo(p.partition(), p.leader(), p.leaderEpoch(), p.replicas(), p.isr(), p.logStartOffset(),
                        p.logEndOffset() + 1, p.highWatermark() + 1, p.sizeBytes(), p.adding(), p.removing()));
            }
            ts.set(i, new TopicInfo(t.name(), t.topicId(), t.partitionCount(), t.replicationFactor(), t.underReplicated(), t.offline(),
                    t.sizeBytes(), t.messages(), t.configs(), ps));
        }
        return ts;
    }

    /** A registry that accepts every registration and keeps nothing. */
    private static MetricRegistry registry() {
        return (MetricRegistry) Proxy.newProxyInstance(MetricsSamplingBench.class.getClassLoader(), new Class<?>[] {MetricRegistry.class},
                (proxy, method, args) -> method.getReturnType() == boolean.class ? Boolean.TRUE : null);
    }
}
