package org.tributary.web.metrics;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricID;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.MetricUnits;
import org.eclipse.microprofile.metrics.Tag;

/**
 * The broker's metrics in the application registry, named after Kafka's MBeans
 * ({@code kafka.server.BrokerTopicMetrics.MessagesInPerSec}, ...). All are gauges over the latest
 * {@link StatsSnapshot}; per-topic, per-partition and per-group gauges come and go with what they
 * describe.
 */
@ApplicationScoped
public class KafkaMetrics {
    private static final String BTM = "kafka.server.BrokerTopicMetrics.";

    @Inject
    private MetricRegistry registry;

    private volatile StatsSnapshot snap = StatsSnapshot.empty();
    private final Set<MetricID> dynamic = new HashSet<>();
    private boolean fixedRegistered;

    synchronized void update(StatsSnapshot s) {
        snap = s;
        if (!fixedRegistered) {
            registerFixed();
            fixedRegistered = true;
        }
        Set<MetricID> wanted = new HashSet<>();
        for (StatsSnapshot.TopicStat t : s.topics().values()) {
            String topic = t.topic();
            Tag tt = new Tag("topic", topic);
            gauge(wanted, BTM + "MessagesInTotal", "Messages appended to the topic's logs (sum of log end offsets)", "messages",
                    x -> topic(x, topic, StatsSnapshot.TopicStat::messagesIn), tt);
            gauge(wanted, BTM + "MessagesInPerSec", "Messages in per second over the last sample period", "messages/s",
                    x -> topic(x, topic, StatsSnapshot.TopicStat::messagesInPerSec), tt);
            gauge(wanted, BTM + "BytesInPerSec", "Log bytes added per second over the last sample period", "bytes/s",
                    x -> topic(x, topic, StatsSnapshot.TopicStat::bytesInPerSec), tt);
            for (StatsSnapshot.PartitionStat p : t.partitions()) {
                int part = p.partition();
                Tag pt = new Tag("partition", String.valueOf(part));
                gauge(wanted, "kafka.log.Log.Size", "Size of the partition's log on disk", "bytes",
                        x -> partition(x, topic, part, StatsSnapshot.PartitionStat::sizeBytes), tt, pt);
                gauge(wanted, "kafka.log.Log.LogEndOffset", "Log end offset of the partition", "offset",
                        x -> partition(x, topic, part, StatsSnapshot.PartitionStat::logEndOffset), tt, pt);
            }
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
        for (MetricID id : Set.copyOf(dynamic)) {
            if (!wanted.contains(id)) {
                registry.remove(id);
                dynamic.remove(id);
            }
        }
    }

    private void registerFixed() {
        fixed(BTM + "AllTopicsMessagesInTotal", "Messages appended to all topics' logs", "messages", StatsSnapshot::messagesInTotal);
        fixed(BTM + "AllTopicsMessagesInPerSec", "Messages in per second, all topics", "messages/s", StatsSnapshot::messagesInPerSec);
        fixed(BTM + "AllTopicsBytesInPerSec", "Log bytes added per second, all topics", "bytes/s", StatsSnapshot::bytesInPerSec);
        fixed(BTM + "AllTopicsMessagesConsumedPerSec", "Growth of committed offsets per second, all groups", "messages/s",
                StatsSnapshot::messagesConsumedPerSec);
        fixed("kafka.server.ReplicaManager.PartitionCount", "Partitions of all topics", "partitions", StatsSnapshot::partitionCount);
        fixed("kafka.server.ReplicaManager.UnderReplicatedPartitions", "Partitions whose ISR is smaller than their replica set",
                "partitions", StatsSnapshot::underReplicated);
        fixed("kafka.server.ReplicaManager.IsrShrinksTotal", "ISR shrinks seen since start", "events", StatsSnapshot::isrShrinks);
        fixed("kafka.server.ReplicaManager.IsrExpandsTotal", "ISR expands seen since start", "events", StatsSnapshot::isrExpands);
        fixed("kafka.controller.KafkaController.ActiveControllerCount", "1 when this broker is the active controller", "brokers",
                x -> x.activeController() ? 1 : 0);
        fixed("kafka.controller.KafkaController.OfflinePartitionsCount", "Partitions without a leader", "partitions",
                StatsSnapshot::offline);
        fixed("kafka.server.KafkaServer.LiveBrokers", "Brokers alive in the cluster", "brokers", StatsSnapshot::brokers);
    }

    private void fixed(String name, String description, String unit, Function<StatsSnapshot, ? extends Number> f) {
        registry.gauge(meta(name, description, unit), () -> f.apply(snap));
    }

    private void gauge(Set<MetricID> wanted, String name, String description, String unit,
            Function<StatsSnapshot, ? extends Number> f, Tag... tags) {
        MetricID id = new MetricID(name, tags);
        wanted.add(id);
        if (dynamic.add(id)) {
            registry.gauge(meta(name, description, unit), () -> f.apply(snap), tags);
        }
    }

    private static Metadata meta(String name, String description, String unit) {
        return Metadata.builder().withName(name).withDescription(description + " (" + unit + ")").withUnit(MetricUnits.NONE).build();
    }

    private static Number topic(StatsSnapshot s, String topic, Function<StatsSnapshot.TopicStat, ? extends Number> f) {
        StatsSnapshot.TopicStat t = s.topics().get(topic);
        return t == null ? 0 : f.apply(t);
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

    /** Visible for the stats endpoint. */
    Map<String, StatsSnapshot.TopicStat> topics() {
        return snap.topics();
    }
}
