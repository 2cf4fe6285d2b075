package org.tributary.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicaAssignmentException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.internals.Topic;
import org.tributary.cluster.BrokerInfo;
import org.tributary.cluster.ClusterView;
import org.tributary.config.BrokerConfig;
import org.tributary.log.LogConfig;
import org.tributary.metadata.MetadataImage;
import org.tributary.metadata.MetadataStore;
import org.tributary.metadata.TopicImage;

/**
 * Topic changes shared by CreateTopics, auto-creation, DeleteTopics, CreatePartitions and the
 * config APIs: validation with Kafka's rules and messages, replica placement over the live
 * brokers, and the durable write through the {@link MetadataStore}. Errors are Kafka
 * {@link ApiException}s whose message says why.
 */
public final class TopicAdmin {
    /** A sanity bound so one request cannot create millions of partition directories. */
    static final int MAX_PARTITIONS = 10_000;

    private final MetadataStore store;
    private final ClusterView cluster;
    private final Map<String, String> brokerDefaults;
    private final int defaultPartitions;
    private final short defaultReplicationFactor;

    public TopicAdmin(MetadataStore store, ClusterView cluster, BrokerConfig config) {
        this.store = store;
        this.cluster = cluster;
        this.brokerDefaults = config.explicitValues();
        this.defaultPartitions = config.getInt("num.partitions", 1, 1, MAX_PARTITIONS);
        this.defaultReplicationFactor = (short) config.getInt("default.replication.factor", 1, 1, Short.MAX_VALUE);
    }

    public int defaultPartitions() {
        return defaultPartitions;
    }

    public short defaultReplicationFactor() {
        return defaultReplicationFactor;
    }

    public Map<String, String> brokerDefaults() {
        return brokerDefaults;
    }

    /** Validates a topic name with Kafka's rules (legal characters, length, not "." or ".."). */
    public static void validateName(String name) {
        if (name == null) {
            throw new InvalidTopicException("Topic name is missing");
        }
        Topic.validate(name);
    }

    /**
     * Creates a topic (or only validates when {@code validateOnly}). {@code partitions} / {@code rf}
     * of -1 take the broker defaults; a non-empty {@code manual} assignment fixes the replicas.
     */
    public TopicImage create(String name, int partitions, short rf, List<List<Integer>> manual, Map<String, String> configs,
            boolean validateOnly) {
        validateName(name);
        List<List<Integer>> assignment;
        if (manual != null && !manual.isEmpty()) {
            if (partitions != -1 || rf != -1) {
                throw new org.apache.kafka.common.errors.InvalidRequestException(
                        "Both numPartitions or replicationFactor and replicasAssignments were set; only one is allowed");
            }
            checkAssignment(manual, manual.get(0).size());
            assignment = manual;
        } else {
            int n = partitions == -1 ? defaultPartitions : partitions;
            short r = rf == -1 ? defaultReplicationFactor : rf;
            if (n < 1 || n > MAX_PARTITIONS) {
                throw new InvalidPartitionsException("Number of partitions must be between 1 and " + MAX_PARTITIONS + ", was " + n);
            }
            assignment = place(0, n, r, List.of());
        }
        LogConfig.from(brokerDefaults, configs); // throws InvalidConfigurationException naming the key
        Uuid id = Uuid.randomUuid();
        TopicImage topic = new TopicImage(name, id, assignment, configs);
        if (validateOnly) {
            if (store.image().topic(name).isPresent()) {
                throw new TopicExistsException("Topic '" + name + "' already exists.");
            }
            return topic;
        }
        MetadataImage img = write(current -> {
            if (current.topic(name).isPresent()) {
                throw new TopicExistsException("Topic '" + name + "' already exists.");
            }
            for (TopicImage t : current.topics()) {
                if (Topic.hasCollision(name, t.name())) {
                    throw new InvalidTopicException("Topic '" + name + "' collides with existing topic: " + t.name());
                }
            }
            return current.with(topic);
        });
        return img.topic(name).orElseThrow();
    }

    public void delete(String name) {
        write(current -> {
            if (current.topic(name).isEmpty()) {
                throw new UnknownTopicOrPartitionException("This server does not host this topic: " + name);
            }
            return current.without(name);
        });
    }

    /** Raises the partition count to {@code count}; {@code manual} gives replicas of the new ones. */
    public void createPartitions(String name, int count, List<List<Integer>> manual, boolean validateOnly) {
        TopicImage topic = store.image().topic(name)
                .orElseThrow(() -> new UnknownTopicOrPartitionException("The topic '" + name + "' does not exist."));
        int current = topic.partitionCount();
        if (count < current) {
            throw new InvalidPartitionsException("The topic " + name + " currently has " + current
                    + " partition(s); " + count + " would not be an increase.");
        }
        if (count == current) {
            throw new InvalidPartitionsException("Topic already has " + current + " partition(s).");
        }
        if (count > MAX_PARTITIONS) {
            throw new InvalidPartitionsException("Number of partitions must be at most " + MAX_PARTITIONS);
        }
        List<List<Integer>> added;
        if (manual != null && !manual.isEmpty()) {
            if (manual.size() != count - current) {
                throw new InvalidReplicaAssignmentException("Increasing the number of partitions by " + (count - current)
                        + " but " + manual.size() + " assignments provided.");
            }
            checkAssignment(manual, topic.replicationFactor());
            added = manual;
        } else {
            added = place(current, count - current, topic.replicationFactor(), List.of());
        }
        if (validateOnly) {
            return;
        }
        write(img -> {
            TopicImage t = img.topic(name).orElseThrow(() -> new UnknownTopicOrPartitionException("The topic '" + name + "' does not exist."));
            if (t.partitionCount() != current) {
                throw new InvalidPartitionsException("Topic " + name + " changed concurrently; retry");
            }
            List<List<Integer>> all = new ArrayList<>(t.assignment());
            all.addAll(added);
            return img.with(t.withAssignment(all));
        });
    }

    /** Replaces the topic's config overrides (validated first). */
    public void setConfigs(String name, Map<String, String> overrides, boolean validateOnly) {
        if (store.image().topic(name).isEmpty()) {
            throw new UnknownTopicOrPartitionException("The topic '" + name + "' does not exist.");
        }
        LogConfig.from(brokerDefaults, overrides);
        if (validateOnly) {
            return;
        }
        write(img -> img.with(img.topic(name)
                .orElseThrow(() -> new UnknownTopicOrPartitionException("The topic '" + name + "' does not exist."))
                .withConfigs(overrides)));
    }

    private MetadataImage write(java.util.function.UnaryOperator<MetadataImage> change) {
        try {
            return store.update(change);
        } catch (IOException e) {
            throw new UncheckedIOException("metadata write failed: " + e.getMessage(), e);
        }
    }

    private void checkAssignment(List<List<Integer>> manual, int rf) {
        Set<Integer> live = new HashSet<>();
        servingBrokers().forEach(b -> live.add(b.id()));
        for (List<Integer> replicas : manual) {
            if (replicas.isEmpty() || replicas.size() != rf) {
                throw new InvalidReplicaAssignmentException("All partitions should have the same number of replicas (" + rf + ")");
            }
            if (new HashSet<>(replicas).size() != replicas.size()) {
                throw new InvalidReplicaAssignmentException("Duplicate brokers not allowed in replica assignment: " + replicas);
            }
            for (int b : replicas) {
                if (!live.contains(b)) {
                    throw new InvalidReplicaAssignmentException("Broker " + b + " in replica assignment " + replicas
                            + " is not a live broker");
                }
            }
        }
    }

    /** Round-robin placement over the live brokers from a random start, like Kafka without racks. */
    /**
     * The live brokers that host and answer for the topics of this broker's metadata: this broker
     * alone, since each broker keeps its own topic metadata and no partition is replicated to
     * another broker yet. Metadata responses list exactly these, and partitions are placed on them.
     */
    public List<BrokerInfo> servingBrokers() {
        int self = cluster.localBrokerId();
        return cluster.liveBrokers().stream().filter(b -> b.id() == self).toList();
    }

    private List<List<Integer>> place(int firstPartition, int count, short rf, List<Integer> unused) {
        List<BrokerInfo> brokers = servingBrokers();
        if (rf < 1) {
            throw new InvalidReplicationFactorException("Replication factor must be larger than 0, was " + rf);
        }
        if (rf > brokers.size()) {
            throw new InvalidReplicationFactorException("Unable to replicate the partition " + rf
                    + " time(s): The target replication factor of " + rf + " cannot be reached because only "
                    + brokers.size() + " broker(s) are registered"
                    + (cluster.liveBrokers().size() > brokers.size() ? " for this broker's topics (partitions are not replicated"
                            + " across brokers yet; each broker serves its own topics)." : "."));
        }
        int start = ThreadLocalRandom.current().nextInt(brokers.size());
        List<List<Integer>> out = new ArrayList<>();
        for (int p = 0; p < count; p++) {
            List<Integer> replicas = new ArrayList<>();
            for (int r = 0; r < rf; r++) {
                replicas.add(brokers.get((start + firstPartition + p + r) % brokers.size()).id());
            }
            out.add(replicas);
        }
        return out;
    }
}
