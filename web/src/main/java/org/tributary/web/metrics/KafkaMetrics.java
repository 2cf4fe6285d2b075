package org.tributary.web.metrics;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.MetricUnits;
import org.eclipse.microprofile.metrics.Tag;
import org.tributary.metrics.Meter;

/**
 * The broker's metrics in the application registry, named after Kafka's MBeans
 * ({@code kafka.server.BrokerTopicMetrics.MessagesInPerSec}, {@code kafka.network.RequestMetrics.TotalTimeMs},
 * ...). All are gauges over the latest {@link StatsSnapshot}: totals since start ({@code ...Total},
 * for Prometheus' {@code rate()}), per-second rates over the last sample period, request time
 * percentiles over the last minute ({@code quantile} tag), and Kafka's meters as one gauge per JMX
 * attribute ({@code kafka.server.ReplicaManager.IsrShrinksPerSec.OneMinuteRate}, ...). Per-topic,
 * per-partition, per-API and per-group gauges come and go with what they describe: registered once
 * when it first appears in a sample, removed when a sample no longer has it, as Kafka's broker does;
 * in between a sample only replaces the snapshot they read.
 */
@ApplicationScoped
public class KafkaMetrics {
    private static final String BTM = "kafka.server.BrokerTopicMetrics.";
    private static final String RM = "kafka.network.RequestMetrics.";
    private static final String GROUP_LAG = "kafka.consumer.ConsumerGroupLag";
    private static final String PARTITION_LAG = "kafka.consumer.ConsumerLag";
    private static final Map<String, Function<StatsSnapshot.ApiStat, Double>> QUANTILES = quantiles();

    @Inject
    private MetricRegistry registry;

    private GaugeRegistrar registrar;
    private volatile StatsSnapshot snap = StatsSnapshot.empty();
    /** The gauges of each topic and its partitions; created with the registrar, at the first update. */
    private PerTopicGauges topics;
    private final Map<String, List<Registered>> apis = new HashMap<>();
    private final Map<String, GroupGauges> groups = new HashMap<>();
    private final Map<String, Metadata> metadata = new HashMap<>();
    private boolean fixedRegistered;

    /**
     * Makes {@code s} the snapshot every gauge reads, registers the gauges of what appeared since
     * the previous one and removes those of what went away. What is unchanged costs a map look-up
     * per topic, API and group: a topic whose partition list is the previous one's (the same
     * object, as {@link BrokerStats} keeps it while nothing in it changed) is not looked into, and
     * otherwise only its partition numbers are compared; nothing is built per unchanged partition.
     */
    synchronized void update(StatsSnapshot s) {
        snap = s;
        if (registrar == null) {
            registrar = new GaugeRegistrar(registry);
            topics = new PerTopicGauges(this, registrar);
        }
        if (!fixedRegistered) {
            registerFixed();
            fixedRegistered = true;
        }
        topics.update(s.topics());
        updateApis(s.requests());
        updateGroups(s.groups());
    }

    private void updateApis(List<StatsSnapshot.ApiStat> now) {
        for (StatsSnapshot.ApiStat a : now) {
            if (!apis.containsKey(a.api())) {
                apis.put(a.api(), registerApi(a.api()));
            }
        }
        if (apis.size() > now.size()) { // one entry per API in a sample: some went away
            for (Iterator<Map.Entry<String, List<Registered>>> it = apis.entrySet().iterator(); it.hasNext();) {
                Map.Entry<String, List<Registered>> e = it.next();
                if (now.stream().noneMatch(a -> a.api().equals(e.getKey()))) {
                    remove(e.getValue());
                    it.remove();
                }
            }
        }
    }

    private List<Registered> registerApi(String api) {
        List<Registered> r = new ArrayList<>();
        Tag rt = new Tag("request", api);
        gauge(r, RM + "RequestsTotal", "Requests received since start", "requests", x -> api(x, api, StatsSnapshot.ApiStat::requests), rt);
        gauge(r, RM + "RequestsPerSec", "Requests per second over the last sample period", "requests/s",
                x -> api(x, api, StatsSnapshot.ApiStat::requestsPerSec), rt);
        gauge(r, RM + "ErrorsTotal",
                "Requests that failed as a whole (unsupported version, malformed, broker failure) since start", "requests",
                x -> api(x, api, StatsSnapshot.ApiStat::errors), rt);
        for (Map.Entry<String, Function<StatsSnapshot.ApiStat, Double>> q : QUANTILES.entrySet()) {
            Function<StatsSnapshot.ApiStat, Double> f = q.getValue();
            gauge(r, RM + "TotalTimeMs", "Time from a request's arrival until its response is handed to the network, "
                    + "percentile over the last minute", "ms", x -> api(x, api, f), rt, new Tag("quantile", q.getKey()));
        }
        gauge(r, RM + "TotalTimeMsMax", "Longest request time over the last minute", "ms",
                x -> api(x, api, StatsSnapshot.ApiStat::maxMs), rt);
        return r;
    }

    private void updateGroups(Map<String, StatsSnapshot.GroupStat> now) {
        for (StatsSnapshot.GroupStat gs : now.values()) {
            String group = gs.groupId();
            GroupGauges g = groups.get(group);
            if (g == null) {
                g = new GroupGauges(group);
                groups.put(group, g);
                gauge(GROUP_LAG, "Total lag of the group over its committed partitions", "messages",
                        x -> x.groups().containsKey(group) ? x.groups().get(group).totalLag() : 0L, g.tag);
            }
            Map<String, Long> lag = gs.lagByPartition();
            for (String tp : lag.keySet()) {
                if (!g.partitions.containsKey(tp)) {
                    int dash = tp.lastIndexOf('-');
                    Tag[] tags = {g.tag, new Tag("topic", tp.substring(0, dash)), new Tag("partition", tp.substring(dash + 1))};
                    g.partitions.put(tp, tags);
                    gauge(PARTITION_LAG, "Lag of the group on one partition", "messages",
                            x -> x.groups().containsKey(group) ? x.groups().get(group).lagByPartition().getOrDefault(tp, 0L) : 0L,
                            tags);
                }
            }
            if (g.partitions.size() > lag.size()) { // every key of lag is in partitions: some went away
                removeLagGone(g, lag);
            }
        }
        if (groups.size() > now.size()) {
            for (Iterator<GroupGauges> it = groups.values().iterator(); it.hasNext();) {
                GroupGauges g = it.next();
                if (!now.containsKey(g.group)) {
                    registrar.remove(GROUP_LAG, g.tag);
                    removeLagGone(g, Map.of());
                    it.remove();
                }
            }
        }
    }

    private void removeLagGone(GroupGauges g, Map<String, Long> lag) {
        for (Iterator<Map.Entry<String, Tag[]>> it = g.partitions.entrySet().iterator(); it.hasNext();) {
            Map.Entry<String, Tag[]> e = it.next();
            if (!lag.containsKey(e.getKey())) {
                registrar.remove(PARTITION_LAG, e.getValue());
                it.remove();
            }
        }
    }

    /** Kafka's BrokerTopicMetrics for one topic ({@code prefix} empty) or all of them ({@code "AllTopics"}). */
    static void flowGauges(String prefix, Function<StatsSnapshot, StatsSnapshot.Flow> flow, GaugeSink sink) {
        String n = BTM + prefix;
        flowGauge(sink, n + "MessagesInTotal", "Messages appended by producers since start", "messages", flow, StatsSnapshot.Flow::messagesIn);
        flowGauge(sink, n + "BytesInTotal", "Record batch bytes appended by producers since start", "bytes", flow, StatsSnapshot.Flow::bytesIn);
        flowGauge(sink, n + "MessagesOutTotal", "Messages sent to fetching clients since start", "messages", flow, StatsSnapshot.Flow::messagesOut);
        flowGauge(sink, n + "BytesOutTotal", "Record bytes sent to fetching clients since start", "bytes", flow, StatsSnapshot.Flow::bytesOut);
        flowGauge(sink, n + "MessagesInPerSec", "Messages in per second over the last sample period", "messages/s", flow,
                StatsSnapshot.Flow::messagesInPerSec);
        flowGauge(sink, n + "BytesInPerSec", "Bytes in per second over the last sample period", "bytes/s", flow,
                StatsSnapshot.Flow::bytesInPerSec);
        flowGauge(sink, n + "MessagesOutPerSec", "Messages out per second over the last sample period", "messages/s", flow,
                StatsSnapshot.Flow::messagesOutPerSec);
        flowGauge(sink, n + "BytesOutPerSec", "Bytes out per second over the last sample period", "bytes/s", flow,
                StatsSnapshot.Flow::bytesOutPerSec);
        flowGauge(sink, n + "TotalProduceRequestsTotal", "Partition produce requests since start", "requests", flow,
                StatsSnapshot.Flow::produceRequests);
        flowGauge(sink, n + "FailedProduceRequestsTotal", "Partition produce requests answered with an error since start", "requests",
                flow, StatsSnapshot.Flow::failedProduceRequests);
        flowGauge(sink, n + "TotalFetchRequestsTotal", "Partition fetch requests since start", "requests", flow,
                StatsSnapshot.Flow::fetchRequests);
        flowGauge(sink, n + "FailedFetchRequestsTotal", "Partition fetch requests answered with an error since start", "requests",
                flow, StatsSnapshot.Flow::failedFetchRequests);
    }

    private static void flowGauge(GaugeSink sink, String name, String description, String unit,
            Function<StatsSnapshot, StatsSnapshot.Flow> flow, Function<StatsSnapshot.Flow, ? extends Number> value) {
        sink.gauge(name, description, unit, x -> value.apply(flow.apply(x)));
    }

    private void registerFixed() {
        flowGauges("AllTopics", StatsSnapshot::flow, this::fixed);
        fixed(BTM + "AllTopicsMessagesConsumedPerSec", "Growth of committed offsets per second, all groups", "messages/s",
                StatsSnapshot::messagesConsumedPerSec);
        fixed("kafka.server.ReplicaManager.PartitionCount", "Partitions of all topics", "partitions", StatsSnapshot::partitionCount);
        fixed("kafka.server.ReplicaManager.UnderReplicatedPartitions", "Partitions whose ISR is smaller than their replica set",
                "partitions", StatsSnapshot::underReplicated);
        fixed("kafka.server.ReplicaManager.IsrShrinksTotal", "ISR shrinks since start", "events", StatsSnapshot::isrShrinks);
        fixed("kafka.server.ReplicaManager.IsrExpandsTotal", "ISR expands since start", "events", StatsSnapshot::isrExpands);
        meter("kafka.server.ReplicaManager.IsrShrinksPerSec", "ISR shrinks", StatsSnapshot::isrShrinkRates);
        meter("kafka.server.ReplicaManager.IsrExpandsPerSec", "ISR expands", StatsSnapshot::isrExpandRates);
        fixed("kafka.controller.KafkaController.ActiveControllerCount", "1 when this broker is the active controller", "brokers",
                x -> x.activeController() ? 1 : 0);
        fixed("kafka.controller.KafkaController.OfflinePartitionsCount", "Partitions without a leader", "partitions",
                StatsSnapshot::offline);
        fixed("kafka.server.ReplicaFetcherManager.MaxLag", "Largest lag in offsets behind its leader's high watermark of a partition this broker follows",
                "offsets", StatsSnapshot::replicaMaxLag);
        fixed("kafka.server.KafkaServer.LiveBrokers", "Brokers alive in the cluster", "brokers", StatsSnapshot::brokers);
    }

    /**
     * Kafka's meter {@code name} (a Yammer meter in JMX): one gauge per attribute, named
     * {@code name.Count}, {@code name.MeanRate}, {@code name.OneMinuteRate}, {@code name.FiveMinuteRate}
     * and {@code name.FifteenMinuteRate}; rates per second, moving ones exponentially weighted.
     */
    private void meter(String name, String events, Function<StatsSnapshot, Meter.Rates> rates) {
        fixed(name + ".Count", events + " since start", "events", x -> rates.apply(x).count());
        fixed(name + ".MeanRate", events + " per second since start", "events/s", x -> rates.apply(x).meanRate());
        fixed(name + ".OneMinuteRate", events + " per second, exponentially weighted over one minute", "events/s",
                x -> rates.apply(x).oneMinuteRate());
        fixed(name + ".FiveMinuteRate", events + " per second, exponentially weighted over five minutes", "events/s",
                x -> rates.apply(x).fiveMinuteRate());
        fixed(name + ".FifteenMinuteRate", events + " per second, exponentially weighted over fifteen minutes", "events/s",
                x -> rates.apply(x).fifteenMinuteRate());
    }

    private void fixed(String name, String description, String unit, Function<StatsSnapshot, ? extends Number> f) {
        registry.gauge(metadata(name, description, unit), () -> f.apply(snap));
    }

    void gauge(String name, String description, String unit, Function<StatsSnapshot, ? extends Number> f, Tag... tags) {
        registrar.gauge(meta(name, description, unit), () -> f.apply(snap), tags);
    }

    /** Registers a gauge and notes it in {@code registered}, to remove it later. */
    private void gauge(List<Registered> registered, String name, String description, String unit,
            Function<StatsSnapshot, ? extends Number> f, Tag... tags) {
        gauge(name, description, unit, f, tags);
        registered.add(new Registered(name, tags));
    }

    private void remove(List<Registered> registered) {
        for (Registered r : registered) {
            registrar.remove(r.name(), r.tags());
        }
    }

    /** Gauges registered since start (tests). */
    synchronized long registrations() {
        return registrar == null ? 0 : registrar.registrations();
    }

    /** Gauges removed since start (tests). */
    synchronized long removals() {
        return registrar == null ? 0 : registrar.removals();
    }

    /** For tests: a registry without injection. */
    void setRegistry(MetricRegistry registry) {
        this.registry = registry;
    }

    /** The metadata of gauge {@code name}, built once per name (every gauge of a name has the same). */
    private Metadata meta(String name, String description, String unit) {
        return metadata.computeIfAbsent(name, n -> metadata(n, description, unit));
    }

    private static Metadata metadata(String name, String description, String unit) {
        return Metadata.builder().withName(name).withDescription(description + " (" + unit + ")").withUnit(MetricUnits.NONE).build();
    }

    private static Map<String, Function<StatsSnapshot.ApiStat, Double>> quantiles() {
        Map<String, Function<StatsSnapshot.ApiStat, Double>> q = new LinkedHashMap<>();
        q.put("0.5", StatsSnapshot.ApiStat::p50Ms);
        q.put("0.75", StatsSnapshot.ApiStat::p75Ms);
        q.put("0.95", StatsSnapshot.ApiStat::p95Ms);
        q.put("0.98", StatsSnapshot.ApiStat::p98Ms);
        q.put("0.99", StatsSnapshot.ApiStat::p99Ms);
        q.put("0.999", StatsSnapshot.ApiStat::p999Ms);
        return q;
    }

    private static Number api(StatsSnapshot s, String api, Function<StatsSnapshot.ApiStat, ? extends Number> f) {
        for (StatsSnapshot.ApiStat a : s.requests()) {
            if (a.api().equals(api)) {
                return f.apply(a);
            }
        }
        return 0;
    }

    /** Where gauges are registered: the fixed ones or those of one topic. */
    @FunctionalInterface
    interface GaugeSink {
        void gauge(String name, String description, String unit, Function<StatsSnapshot, ? extends Number> f);
    }

    /** A gauge registered under {@code name} and {@code tags}. */
    private record Registered(String name, Tag[] tags) {
    }

    /** A group's gauges: its total lag, and its lag per partition by "topic-partition" with that gauge's tags. */
    private static final class GroupGauges {
        final String group;
        final Tag tag;
        final Map<String, Tag[]> partitions = new HashMap<>();

        GroupGauges(String group) {
            this.group = group;
            this.tag = new Tag("group", group);
        }
    }
}
