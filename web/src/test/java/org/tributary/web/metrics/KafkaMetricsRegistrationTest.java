package org.tributary.web.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.Metric;
import org.eclipse.microprofile.metrics.MetricID;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.Tag;
import org.junit.jupiter.api.Test;

/**
 * Per-topic and per-partition gauges are registered once and removed with what they describe:
 * a refresh with thousands of unchanged partitions registers nothing.
 */
class KafkaMetricsRegistrationTest {
    private final List<String> calls = new ArrayList<>();

    private MetricRegistry registry() {
        return (MetricRegistry) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {MetricRegistry.class},
                (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "gauge" -> calls.add("gauge " + ((Metadata) args[0]).getName());
                        case "remove" -> calls.add("remove " + ((MetricID) args[0]).getName() + " "
                                + ((MetricID) args[0]).getTags().get("topic"));
                        default -> {
                        }
                    }
                    return method.getReturnType() == boolean.class ? Boolean.TRUE : null;
                });
    }

    private static StatsSnapshot snapshot(int topics, int partitions) {
        Map<String, StatsSnapshot.TopicStat> t = new LinkedHashMap<>();
        for (int i = 0; i < topics; i++) {
            List<StatsSnapshot.PartitionStat> ps = new ArrayList<>();
            for (int p = 0; p < partitions; p++) {
                ps.add(new StatsSnapshot.PartitionStat(p, 0, 0, 1));
            }
            t.put("t-" + i, new StatsSnapshot.TopicStat("t-" + i, 0, StatsSnapshot.Flow.ZERO, ps));
        }
        return new StatsSnapshot(0, 1, 1, true, topics, topics * partitions, 0, 0, StatsSnapshot.Flow.ZERO, 0, 0, 0, 0, t, Map.of(),
                List.of(), 0);
    }

    @Test
    void aRefreshOfUnchangedPartitionsRegistersNothingAndATopicThatWentAwayLosesOnlyItsGauges() {
        KafkaMetrics m = new KafkaMetrics();
        m.setRegistry(registry());
        m.update(snapshot(200, 10));
        long first = m.registrations();
        assertEquals(200 * 12 + 2000 * 2, first, "12 per topic, 2 per partition");
        calls.clear();
        m.update(snapshot(200, 10));
        m.update(snapshot(200, 10));
        assertEquals(first, m.registrations(), "nothing changed: nothing registered");
        assertTrue(calls.isEmpty(), calls.toString());
        m.update(snapshot(201, 10));
        assertEquals(first + 12 + 20, m.registrations(), "one new topic of 10 partitions");
        calls.clear();
        m.update(snapshot(200, 10));
        assertEquals(32, calls.size(), "the topic that went away: its 32 gauges removed");
        assertTrue(calls.stream().allMatch(c -> c.startsWith("remove ") && c.endsWith(" t-200")), calls.toString());
    }

    /** Stands for Payara's registry: it has the direct registration method. */
    abstract static class RegistryWithDirectRegister implements MetricRegistry {
        public abstract <T extends Metric> T register(Metadata metadata, String type, T metric, Tag... tags);
    }

    @Test
    void aRegistryWithADirectRegisterMethodIsUsedThroughIt() {
        assertTrue(GaugeRegistrar.directRegister(RegistryWithDirectRegister.class).isPresent(),
                "Payara's register(Metadata, String, Metric, Tag...) skips the scan of same-named metrics");
        assertFalse(GaugeRegistrar.directRegister(MetricRegistry.class).isPresent());
    }
}
