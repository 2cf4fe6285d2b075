package org.tributary.web.metrics;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricID;
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
 * per-partition, per-API and per-group gauges come and go with what they describe.
 */
@ApplicationScoped
public class KafkaMetrics {
    private static final String BTM = "kafka.server.BrokerTopicMetrics.";
    private static final String RM = "kafka.network.RequestMetrics.";
    private static final Map<String, Function<StatsSnapshot.ApiStat, Double>> QUANTILES = quantiles();

    @Inject
    private MetricRegistry registry;

    private GaugeRegistrar registrar;
    private volatile StatsSnapshot snap = StatsSnapshot.empty();
    private final Set<MetricID> dynamic = new HashSet<>();
    private boolean fixedRegistered;

    synchronized void update(StatsSnapshot s) {
        snap = s;
        if (registrar == null) {
            registrar = new GaugeRegistrar(registry);
        }
        if (!fixedRegistered) {
            registerFixed();
            fixedRegistered = true;
        }
        Set<MetricID> wanted = new HashSet<>();
        for (StatsSnapshot.TopicStat t : s.topics().values()) {
            String topic = t.topic();
            Tag tt = new Tag("topic", topic);
            flowGauges(wanted, "", x -> x.topics().containsKey(topic) ? x.topics().get(topic).flow() : StatsSnapshot.Flow.ZERO, tt);
            for (StatsSnapshot.PartitionStat p : t.partitions()) {
                int part = p.partition();
                Tag pt = new Tag("partition", String.valueOf(part));
                gauge(wanted, "kafka.log.Log.Size", "Size of the partition's log on disk", "bytes",
                        x -> partition(x, topic, part, StatsSnapshot.PartitionStat::sizeBytes), tt, pt);
                gauge(wanted, "kafka.log.Log.LogEndOffset", "Log end offset of the partition", "offset",
                        x -> partition(x, topic, part, StatsSnapshot.PartitionStat::logEndOffset), tt, pt);
            }
        }
        for (StatsSnapshot.ApiStat a : s.requests()) {
            String api = a.api();
            Tag rt = new Tag("request", api);
            gauge(wanted, RM + "RequestsTotal", "Requests received since start", "requests", x -> api(x, api, StatsSnapshot.ApiStat::requests), rt);
            gauge(wanted, RM + "RequestsPerSec", "Requests per second over the last sample period", "requests/s",
                    x -> api(x, api, StatsSnapshot.ApiStat::requestsPerSec), rt);
            gauge(wanted, RM + "ErrorsTotal",
                    "Requests that failed as a whole (unsupported version, malformed, broker failure) since start", "requests",
                    x -> api(x, api, StatsSnapshot.ApiStat::errors), rt);
            for (Map.Entry<String, Function<StatsSnapshot.ApiStat, Double>> q : QUANTILES.entrySet()) {
                Function<StatsSnapshot.ApiStat, Double> f = q.getValue();
                gauge(wanted, RM + "TotalTimeMs", "Time from a request's arrival until its response is handed to the network, "
                        + "percentile over the last minute", "ms", x -> api(x, api, f), rt, new Tag("quantile", q.getKey()));
            }
            gauge(wanted, RM + "TotalTimeMsMax", "Longest request time over the last minute", "ms",
                    x -> api(x, api, StatsSnapshot.ApiStat::maxMs), rt);
        }
        for (StatsSnapshot.GroupStat g : s.groups().values()) {
            String group = g.groupId();
            Tag gt = new Tag("group", group);
            gauge(wanted, "kafka.consumer.ConsumerGroupLag", "Total lag of the group over its committed partitions", "messages",
                    x -> x.groups().containsKey(group) ? x.groups().get(group).totalLag() : 0L, gt);
            for (String tp : g.lagByPartition().keySet()) {
                int dash = tp.lastIndexOf('-');
                Tag tt = new Tag("topic", tp.substring(0, dash));
                Tag pt = new Tag("partition", tp.substring(dash + 1));
                gauge(wanted, "kafka.consumer.ConsumerLag", "Lag of the group on one partition", "messages",
                        x -> x.groups().containsKey(group) ? x.groups().get(group).lagByPartition().getOrDefault(tp, 0L) : 0L,
                        gt, tt, pt);
            }
        }
        if (dynamic.size() > wanted.size()) { // something went away
            for (java.util.Iterator<MetricID> it = dynamic.iterator(); it.hasNext();) {
                MetricID id = it.next();
                if (!wanted.contains(id)) {
                    registry.remove(id);
                    it.remove();
                }
            }
        }
    }

    /** Kafka's BrokerTopicMetrics for one topic ({@code prefix} empty) or all of them ({@code "AllTopics"}). */
    private void flowGauges(Set<MetricID> wanted, String prefix, Function<StatsSnapshot, StatsSnapshot.Flow> flow, Tag... tags) {
        String n = BTM + prefix;
        flowGauge(wanted, n + "MessagesInTotal", "Messages appended by producers since start", "messages", flow, StatsSnapshot.Flow::messagesIn, tags);
        flowGauge(wanted, n + "BytesInTotal", "Record batch bytes appended by producers since start", "bytes", flow, StatsSnapshot.Flow::bytesIn, tags);
        flowGauge(wanted, n + "MessagesOutTotal", "Messages sent to fetching clients since start", "messages", flow, StatsSnapshot.Flow::messagesOut, tags);
        flowGauge(wanted, n + "BytesOutTotal", "Record bytes sent to fetching clients since start", "bytes", flow, StatsSnapshot.Flow::bytesOut, tags);
        flowGauge(wanted, n + "MessagesInPerSec", "Messages in per second over the last sample period", "messages/s", flow,
                StatsSnapshot.Flow::messagesInPerSec, tags);
        flowGauge(wanted, n + "BytesInPerSec", "Bytes in per second over the last sample period", "bytes/s", flow,
                StatsSnapshot.Flow::bytesInPerSec, tags);
        flowGauge(wanted, n + "MessagesOutPerSec", "Messages out per second over the last sample period", "messages/s", flow,
                StatsSnapshot.Flow::messagesOutPerSec, tags);
        flowGauge(wanted, n + "BytesOutPerSec", "Bytes out per second over the last sample period", "bytes/s", flow,
                StatsSnapshot.Flow::bytesOutPerSec, tags);
        flowGauge(wanted, n + "TotalProduceRequestsTotal", "Partition produce requests since start", "requests", flow,
                StatsSnapshot.Flow::produceRequests, tags);
        flowGauge(wanted, n + "FailedProduceRequestsTotal", "Partition produce requests answered with an error since start", "requests",
                flow, StatsSnapshot.Flow::failedProduceRequests, tags);
        flowGauge(wanted, n + "TotalFetchRequestsTotal", "Partition fetch requests since start", "requests", flow,
                StatsSnapshot.Flow::fetchRequests, tags);
        flowGauge(wanted, n + "FailedFetchRequestsTotal", "Partition fetch requests answered with an error since start", "requests",
                flow, StatsSnapshot.Flow::failedFetchRequests, tags);
    }

    private void flowGauge(Set<MetricID> wanted, String name, String description, String unit,
            Function<StatsSnapshot, StatsSnapshot.Flow> flow, Function<StatsSnapshot.Flow, ? extends Number> value, Tag... tags) {
        Function<StatsSnapshot, ? extends Number> f = x -> value.apply(flow.apply(x));
        if (wanted == null) {
            fixed(name, description, unit, f);
        } else {
            gauge(wanted, name, description, unit, f, tags);
        }
    }

    private void registerFixed() {
        flowGauges(null, "AllTopics", StatsSnapshot::flow);
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
        registry.gauge(meta(name, description, unit), () -> f.apply(snap));
    }

    private void gauge(Set<MetricID> wanted, String name, String description, String unit,
            Function<StatsSnapshot, ? extends Number> f, Tag... tags) {
        MetricID id = new MetricID(name, tags);
        wanted.add(id);
        if (dynamic.add(id)) {
            registrar.gauge(meta(name, description, unit), () -> f.apply(snap), tags);
        }
    }

    /** Gauges registered since start (tests). */
    synchronized long registrations() {
        return registrar == null ? 0 : registrar.registrations();
    }

    /** For tests: a registry without injection. */
    void setRegistry(MetricRegistry registry) {
        this.registry = registry;
    }

    private static Metadata meta(String name, String description, String unit) {
        return Metadata.builder().withName(name).withDescription(description + " (" + unit + ")").withUnit(MetricUnits.NONE).build();
    }

    private static Number partition(StatsSnapshot s, String topic, int partition,
            Function<StatsSnapshot.PartitionStat, ? extends Number> f) {
        StatsSnapshot.TopicStat t = s.topics().get(topic);
        if (t == null) {
            return 0;
        }
        for (StatsSnapshot.PartitionStat p : t.partitions()) {
            if (p.partition() == partition) {
                return f.apply(p);
            }
        }
        return 0;
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
}
