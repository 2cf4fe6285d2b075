package org.tributary.web.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricID;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.Tag;
import org.junit.jupiter.api.Test;
import org.tributary.metrics.Meter;

/**
 * A sample costs what changed: unchanged topics, partitions, APIs and groups register nothing,
 * remove nothing and call nothing on the registry, while their gauges read the newest sample; what
 * appears is registered once, what goes away removed, and each partition's gauges keep reading
 * their own partition however the sample orders them.
 */
class KafkaMetricsSamplingTest {
    /** The registry's gauges by name and tags ({@code name{k=v,...}}). */
    private final Map<String, Supplier<?>> gauges = new LinkedHashMap<>();
    private final List<String> calls = new ArrayList<>();

    private MetricRegistry registry() {
        return (MetricRegistry) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {MetricRegistry.class},
                (proxy, method, args) -> {
                    calls.add(method.getName());
                    switch (method.getName()) {
                        case "gauge" -> {
                            Tag[] tags = args.length > 2 ? (Tag[]) args[2] : new Tag[0];
                            gauges.put(key(((Metadata) args[0]).getName(), tags), (Supplier<?>) args[1]);
                        }
                        case "remove" -> {
                            MetricID id = (MetricID) args[0];
                            gauges.remove(key(id.getName(), id.getTagsAsArray()));
                        }
                        default -> {
                        }
                    }
                    return method.getReturnType() == boolean.class ? Boolean.TRUE : null;
                });
    }

    private static String key(String name, Tag... tags) {
        Map<String, String> sorted = new TreeMap<>();
        for (Tag t : tags) {
            sorted.put(t.getTagName(), t.getTagValue());
        }
        return name + sorted;
    }

    private Object read(String name, String... tagPairs) {
        Map<String, String> sorted = new TreeMap<>();
        for (int i = 0; i < tagPairs.length; i += 2) {
            sorted.put(tagPairs[i], tagPairs[i + 1]);
        }
        Supplier<?> g = gauges.get(name + sorted);
        assertTrue(g != null, name + sorted + " is registered");
        return g.get();
    }

    private static StatsSnapshot.PartitionStat part(int partition, long base) {
        return new StatsSnapshot.PartitionStat(partition, base + partition, 10 * (base + partition), 1);
    }

    private static StatsSnapshot.TopicStat topic(String name, long messagesIn, StatsSnapshot.PartitionStat... ps) {
        StatsSnapshot.Flow f = new StatsSnapshot.Flow(messagesIn, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        return new StatsSnapshot.TopicStat(name, 0, f, List.of(ps));
    }

    private static StatsSnapshot snapshot(List<StatsSnapshot.TopicStat> topics, List<StatsSnapshot.GroupStat> groups,
            List<StatsSnapshot.ApiStat> apis) {
        Map<String, StatsSnapshot.TopicStat> t = new LinkedHashMap<>();
        topics.forEach(x -> t.put(x.topic(), x));
        Map<String, StatsSnapshot.GroupStat> g = new LinkedHashMap<>();
        groups.forEach(x -> g.put(x.groupId(), x));
        return new StatsSnapshot(0, 1, 1, true, t.size(), 0, 0, 0, StatsSnapshot.Flow.ZERO, 0, 0, 0, 0, Meter.Rates.ZERO,
                Meter.Rates.ZERO, t, g, apis, 0);
    }

    private static StatsSnapshot topics(StatsSnapshot.TopicStat... topics) {
        return snapshot(List.of(topics), List.of(), List.of());
    }

    private static StatsSnapshot.ApiStat api(String name, long requests) {
        return new StatsSnapshot.ApiStat(name, requests, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7);
    }

    @Test
    void aSampleOfUnchangedPartitionsRegistersNothingAndTheGaugesReadItsValues() {
        KafkaMetrics m = new KafkaMetrics();
        m.setRegistry(registry());
        m.update(topics(topic("a", 5, part(0, 100), part(1, 100)), topic("b", 7, part(0, 200))));
        long registered = m.registrations();
        assertEquals(2 * 12 + 3 * 2, registered, "12 flow gauges per topic, 2 per partition");
        assertEquals(1000L, read("kafka.log.Log.Size", "topic", "a", "partition", "0"));
        calls.clear();

        m.update(topics(topic("a", 6, part(0, 300), part(1, 300)), topic("b", 8, part(0, 400))));
        assertEquals(registered, m.registrations(), "the same partitions: nothing registered");
        assertEquals(0, m.removals(), "nothing removed");
        assertEquals(List.of(), calls, "the registry is not called at all");
        assertEquals(301L, read("kafka.log.Log.LogEndOffset", "topic", "a", "partition", "1"), "the new sample's value");
        assertEquals(3010L, read("kafka.log.Log.Size", "topic", "a", "partition", "1"));
        assertEquals(400L, read("kafka.log.Log.LogEndOffset", "topic", "b", "partition", "0"));
        assertEquals(8L, read("kafka.server.BrokerTopicMetrics.MessagesInTotal", "topic", "b"));
    }

    @Test
    void partitionsAddedReorderedAndRemovedKeepEachGaugeOnItsOwnPartition() {
        KafkaMetrics m = new KafkaMetrics();
        m.setRegistry(registry());
        m.update(topics(topic("t", 0, part(0, 0), part(1, 0), part(2, 0))));
        long registered = m.registrations();

        m.update(topics(topic("t", 0, part(2, 50), part(0, 50), part(3, 50), part(1, 50))));
        assertEquals(registered + 2, m.registrations(), "only partition 3's two gauges are new");
        assertEquals(0, m.removals());
        for (int p = 0; p < 4; p++) {
            assertEquals(50L + p, read("kafka.log.Log.LogEndOffset", "topic", "t", "partition", String.valueOf(p)),
                    "partition " + p + " read from its own place in the new order");
        }

        m.update(topics(topic("t", 0, part(3, 70), part(0, 70))));
        assertEquals(4, m.removals(), "partitions 1 and 2: two gauges each");
        assertFalse(gauges.containsKey(key("kafka.log.Log.Size", new Tag("topic", "t"), new Tag("partition", "1"))));
        assertEquals(73L, read("kafka.log.Log.LogEndOffset", "topic", "t", "partition", "3"));
        assertEquals(700L, read("kafka.log.Log.Size", "topic", "t", "partition", "0"));

        m.update(topics());
        assertEquals(4 + 12 + 4, m.removals(), "the topic gone: its flow gauges and its two partitions' gauges");
        assertTrue(gauges.keySet().stream().noneMatch(k -> k.contains("topic=t")), gauges.keySet().toString());
    }

    @Test
    void groupLagAndApiGaugesAreRegisteredOnceAndRemovedWithWhatTheyDescribe() {
        KafkaMetrics m = new KafkaMetrics();
        m.setRegistry(registry());
        StatsSnapshot.GroupStat g1 = new StatsSnapshot.GroupStat("g", 0, 5, Map.of("orders-0", 2L, "orders-1", 3L));
        m.update(snapshot(List.of(), List.of(g1), List.of(api("Produce", 10), api("Fetch", 20))));
        long registered = m.registrations();
        assertEquals(1 + 2 + 2 * 10, registered, "group total, two partitions' lag, ten gauges per API");

        StatsSnapshot.GroupStat g2 = new StatsSnapshot.GroupStat("g", 0, 9, Map.of("orders-0", 4L, "orders-1", 5L));
        calls.clear();
        m.update(snapshot(List.of(), List.of(g2), List.of(api("Fetch", 21), api("Produce", 11))));
        assertEquals(registered, m.registrations());
        assertEquals(List.of(), calls, "nothing new, nothing gone");
        assertEquals(9L, read("kafka.consumer.ConsumerGroupLag", "group", "g"));
        assertEquals(5L, read("kafka.consumer.ConsumerLag", "group", "g", "topic", "orders", "partition", "1"));
        assertEquals(11L, read("kafka.network.RequestMetrics.RequestsTotal", "request", "Produce"));
        assertEquals(6.0, read("kafka.network.RequestMetrics.TotalTimeMs", "request", "Fetch", "quantile", "0.999"));

        StatsSnapshot.GroupStat g3 = new StatsSnapshot.GroupStat("g", 0, 1, Map.of("orders-1", 1L, "my-topic-7", 0L));
        m.update(snapshot(List.of(), List.of(g3), List.of(api("Fetch", 22))));
        assertEquals(registered + 1, m.registrations(), "the group's new partition");
        assertEquals(1 + 10, m.removals(), "the partition the group left, the API gone");
        assertEquals(0L, read("kafka.consumer.ConsumerLag", "group", "g", "topic", "my-topic", "partition", "7"));
        assertTrue(gauges.keySet().stream().noneMatch(k -> k.contains("request=Produce") || k.contains("partition=0, topic=orders")),
                gauges.keySet().toString());

        m.update(snapshot(List.of(), List.of(), List.of(api("Fetch", 22))));
        assertEquals(1 + 10 + 1 + 2, m.removals(), "the group gone: its total and its two partitions");
        assertTrue(gauges.keySet().stream().noneMatch(k -> k.contains("group=g")), gauges.keySet().toString());
    }

    /** 3,000 topics of 10 partitions, every partition's values moved by {@code base}. */
    private static StatsSnapshot large(long base) {
        List<StatsSnapshot.TopicStat> ts = new ArrayList<>();
        for (int i = 0; i < 3_000; i++) {
            StatsSnapshot.PartitionStat[] ps = new StatsSnapshot.PartitionStat[10];
            for (int p = 0; p < ps.length; p++) {
                ps[p] = part(p, base);
            }
            ts.add(topic("t-" + i, base, ps));
        }
        return topics(ts.toArray(StatsSnapshot.TopicStat[]::new));
    }

    @Test
    void thirtyThousandUnchangedPartitionsAreSampledWithoutRegistrationsOrAllocationPerPartition() {
        assumeTrue(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t
                && t.isThreadAllocatedMemorySupported() && t.isThreadAllocatedMemoryEnabled(), "allocation counted per thread");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        KafkaMetrics m = new KafkaMetrics();
        m.setRegistry(registry());
        m.update(large(0));
        long registered = m.registrations();
        assertEquals(3_000 * 12 + 30_000 * 2, registered);
        calls.clear();
        long[] bytes = new long[6];
        for (int i = 0; i < bytes.length; i++) {
            StatsSnapshot s = large(i + 1); // new partition lists with new values, the same partitions
            long before = threads.getCurrentThreadAllocatedBytes();
            m.update(s);
            m.update(s); // and the same lists again, as BrokerStats hands them on while nothing changed
            bytes[i] = threads.getCurrentThreadAllocatedBytes() - before;
        }
        assertEquals(registered, m.registrations(), "no registration after the first sample");
        assertEquals(0, m.removals());
        assertEquals(List.of(), calls, "no call on the registry");
        assertEquals(6L, read("kafka.log.Log.LogEndOffset", "topic", "t-2999", "partition", "0"), "the last sample's value");
        // a MetricID and its tags per partition and sample were kilobytes per partition; allow far less than one object
        long perSample = Arrays.stream(bytes).sorted().toArray()[bytes.length / 2] / 2;
        assertTrue(perSample < 30_000 * 4, "bytes allocated by a sample of 30,000 unchanged partitions: " + perSample);
    }
}
