package org.tributary.web.metrics;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.eclipse.microprofile.metrics.Tag;

/**
 * The gauges of each topic and of its partitions: Kafka's BrokerTopicMetrics of the topic (tag
 * {@code topic}) and {@code kafka.log.Log.Size} and {@code kafka.log.Log.LogEndOffset} of each of its
 * partitions (tags {@code topic} and {@code partition}). A topic has its gauges from the first sample
 * that has it until the first that does not, a partition likewise within its topic's partition list;
 * a topic's partition gauges are kept in the order of {@code seen}, the partition list they were last
 * checked against, so an unchanged list (the same object) is not looked into.
 *
 * <p>Not thread-safe: {@link #update} is called only by {@link KafkaMetrics#update}, under that
 * object's monitor, which guards all the bookkeeping here. The gauges registered run on whichever
 * thread reads the registry and read only the owner's latest snapshot and a partition's place in
 * it, both volatile.
 */
final class PerTopicGauges {
    private static final String LOG_SIZE = "kafka.log.Log.Size";
    private static final String LOG_END_OFFSET = "kafka.log.Log.LogEndOffset";
    /** The names of a topic's BrokerTopicMetrics gauges, to remove them with the topic. */
    private static final List<String> TOPIC_GAUGES = topicGaugeNames();

    private final KafkaMetrics metrics;
    private final GaugeRegistrar registrar;
    private final Map<String, TopicGauges> topics = new HashMap<>();
    private final List<Tag> partitionTags = new ArrayList<>();

    /** Gauges are registered through {@code metrics} (they read its snapshot) and removed from {@code registrar}. */
    PerTopicGauges(KafkaMetrics metrics, GaugeRegistrar registrar) {
        this.metrics = metrics;
        this.registrar = registrar;
    }

    /**
     * Takes a sample's topics: registers the gauges of topics and partitions that appeared and
     * removes those of what went away. An unchanged topic costs a map look-up.
     */
    void update(Map<String, StatsSnapshot.TopicStat> now) {
        for (StatsSnapshot.TopicStat t : now.values()) {
            TopicGauges g = topics.get(t.topic());
            if (g == null) {
                g = registerTopic(t.topic());
                topics.put(t.topic(), g);
            }
            if (t.partitions() != g.seen) {
                updatePartitions(g, t.partitions());
            }
        }
        if (topics.size() > now.size()) { // every topic of now is in topics: some went away
            for (Iterator<TopicGauges> it = topics.values().iterator(); it.hasNext();) {
                TopicGauges g = it.next();
                if (!now.containsKey(g.topic)) {
                    for (String name : TOPIC_GAUGES) {
                        registrar.remove(name, g.tag);
                    }
                    for (PartitionGauges p : g.partitions) {
                        removePartition(g, p);
                    }
                    it.remove();
                }
            }
        }
    }

    private TopicGauges registerTopic(String topic) {
        TopicGauges g = new TopicGauges(topic);
        KafkaMetrics.flowGauges("", x -> {
            StatsSnapshot.TopicStat ts = x.topics().get(topic);
            return ts == null ? StatsSnapshot.Flow.ZERO : ts.flow();
        }, (name, description, unit, f) -> metrics.gauge(name, description, unit, f, g.tag));
        return g;
    }

    /** Registers the gauges of partitions new to the topic and removes those of partitions gone. */
    private void updatePartitions(TopicGauges g, List<StatsSnapshot.PartitionStat> ps) {
        int n = ps.size();
        boolean same = n == g.partitions.length;
        for (int i = 0; same && i < n; i++) {
            same = ps.get(i).partition() == g.partitions[i].partition;
        }
        if (!same) {
            Map<Integer, PartitionGauges> before = new HashMap<>();
            for (PartitionGauges p : g.partitions) {
                before.put(p.partition, p);
            }
            PartitionGauges[] after = new PartitionGauges[n];
            for (int i = 0; i < n; i++) {
                int part = ps.get(i).partition();
                PartitionGauges p = before.remove(part);
                if (p == null) {
                    p = new PartitionGauges(part);
                    registerPartition(g, p);
                }
                p.index = i;
                after[i] = p;
            }
            for (PartitionGauges p : before.values()) {
                removePartition(g, p);
            }
            g.partitions = after;
        }
        g.seen = ps;
    }

    private void registerPartition(TopicGauges g, PartitionGauges p) {
        Tag[] tags = {g.tag, partitionTag(p.partition)};
        String topic = g.topic;
        metrics.gauge(LOG_SIZE, "Size of the partition's log on disk", "bytes",
                x -> partition(x, topic, p, StatsSnapshot.PartitionStat::sizeBytes), tags);
        metrics.gauge(LOG_END_OFFSET, "Log end offset of the partition", "offset",
                x -> partition(x, topic, p, StatsSnapshot.PartitionStat::logEndOffset), tags);
    }

    private void removePartition(TopicGauges g, PartitionGauges p) {
        Tag pt = partitionTag(p.partition);
        registrar.remove(LOG_SIZE, g.tag, pt);
        registrar.remove(LOG_END_OFFSET, g.tag, pt);
    }

    /** The tag {@code partition=n}, built once per partition number and shared by all topics. */
    private Tag partitionTag(int partition) {
        if (partition < 0) {
            return new Tag("partition", String.valueOf(partition));
        }
        while (partitionTags.size() <= partition) {
            partitionTags.add(new Tag("partition", String.valueOf(partitionTags.size())));
        }
        return partitionTags.get(partition);
    }

    private static List<String> topicGaugeNames() {
        List<String> names = new ArrayList<>();
        KafkaMetrics.flowGauges("", x -> StatsSnapshot.Flow.ZERO, (name, description, unit, f) -> names.add(name));
        return List.copyOf(names);
    }

    /** The partition's value in {@code s}, found at the place the gauges last saw it or else by its number; 0 if gone. */
    private static Number partition(StatsSnapshot s, String topic, PartitionGauges p,
            Function<StatsSnapshot.PartitionStat, ? extends Number> f) {
        StatsSnapshot.TopicStat t = s.topics().get(topic);
        if (t == null) {
            return 0;
        }
        List<StatsSnapshot.PartitionStat> ps = t.partitions();
        int i = p.index;
        if (i < ps.size() && ps.get(i).partition() == p.partition) {
            return f.apply(ps.get(i));
        }
        for (StatsSnapshot.PartitionStat x : ps) {
            if (x.partition() == p.partition) {
                return f.apply(x);
            }
        }
        return 0;
    }

    /** A topic's gauges: its flow, and its partitions' in the order of {@code seen}, the partition list they were checked against. */
    private static final class TopicGauges {
        final String topic;
        final Tag tag;
        List<StatsSnapshot.PartitionStat> seen = List.of();
        PartitionGauges[] partitions = new PartitionGauges[0];

        TopicGauges(String topic) {
            this.topic = topic;
            this.tag = new Tag("topic", topic);
        }
    }

    /** A partition with gauges; {@code index} is its place in the latest partition list, read by the gauges as a hint. */
    private static final class PartitionGauges {
        final int partition;
        volatile int index;

        PartitionGauges(int partition) {
            this.partition = partition;
        }
    }
}
