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
    private final Map<String, java.util.function.Supplier<?>> fixedGauges = new LinkedHashMap<>();

    private MetricRegistry registry() {
        return (MetricRegistry) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {MetricRegistry.class},
                (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "gauge" -> {
                            calls.add("gauge " + ((Metadata) args[0]).getName());
                            if (args.length > 1 && args[1] instanceof java.util.function.Supplier<?> g) {
                                fixedGauges.put(((Metadata) args[0]).getName(), g);
                            }
                        }
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
        return new StatsSnapshot(0, 1, 1, true, topics, topics * partitions, 0, 0, StatsSnapshot.Flow.ZERO, 0, 0, 0, 0,
                org.tributary.metrics.Meter.Rates.ZERO, org.tributary.metrics.Meter.Rates.ZERO, t, Map.of(),
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

    @Test
    void isrShrinksAndExpandsAreKafkasMetersWithTheirTotalsKept() {
        KafkaMetrics m = new KafkaMetrics();
        m.setRegistry(registry());
        StatsSnapshot s = snapshot(1, 1);
        org.tributary.metrics.Meter.Rates shrinks = new org.tributary.metrics.Meter.Rates(60, 0.5, 1.0, 0.9, 0.8);
        org.tributary.metrics.Meter.Rates expands = new org.tributary.metrics.Meter.Rates(3, 0.01, 0.02, 0.03, 0.04);
        m.update(new StatsSnapshot(s.atMillis(), 1, 1, true, 1, 1, 0, 0, StatsSnapshot.Flow.ZERO, 0, 0, 60, 3, shrinks, expands,
                s.topics(), Map.of(), List.of(), 0));
        String rm = "kafka.server.ReplicaManager.";
        assertEquals(60L, fixedGauges.get(rm + "IsrShrinksTotal").get(), "the old name stays for existing dashboards");
        assertEquals(60L, fixedGauges.get(rm + "IsrShrinksPerSec.Count").get());
        assertEquals(0.5, fixedGauges.get(rm + "IsrShrinksPerSec.MeanRate").get());
        assertEquals(1.0, fixedGauges.get(rm + "IsrShrinksPerSec.OneMinuteRate").get());
        assertEquals(0.9, fixedGauges.get(rm + "IsrShrinksPerSec.FiveMinuteRate").get());
        assertEquals(0.8, fixedGauges.get(rm + "IsrShrinksPerSec.FifteenMinuteRate").get());
        assertEquals(3L, fixedGauges.get(rm + "IsrExpandsTotal").get());
        assertEquals(3L, fixedGauges.get(rm + "IsrExpandsPerSec.Count").get());
        assertEquals(0.02, fixedGauges.get(rm + "IsrExpandsPerSec.OneMinuteRate").get());
        assertEquals(0.04, fixedGauges.get(rm + "IsrExpandsPerSec.FifteenMinuteRate").get());
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
