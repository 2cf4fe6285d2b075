package org.tributary.metadata;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.apache.kafka.common.Uuid;

/**
 * One topic as the cluster knows it: name, id, the registration of each partition (index =
 * partition number: replicas with the preferred leader first, ISR, leader, epochs) and the topic's
 * config overrides (topic config names). {@link #assignment()} is derived from the replicas.
 * Immutable; equality is by value.
 */
public final class TopicImage {
    private final String name;
    private final Uuid id;
    private final List<PartitionRegistration> partitions;
    private final List<List<Integer>> assignment;
    private final Map<String, String> configs;

    /**
     * A topic from a replica assignment alone (the single-broker file store): every partition has
     * its first replica as leader, all replicas in sync, epochs 0.
     */
    public TopicImage(String name, Uuid id, List<List<Integer>> assignment, Map<String, String> configs) {
        this(name, id, assignment.stream().map(PartitionRegistration::initial).toList(), configs, true);
    }

    private TopicImage(String name, Uuid id, List<PartitionRegistration> partitions, Map<String, String> configs, boolean unused) {
        this.name = Objects.requireNonNull(name, "name");
        this.id = Objects.requireNonNull(id, "id");
        this.partitions = List.copyOf(partitions);
        this.assignment = this.partitions.stream().map(PartitionRegistration::replicas).toList();
        this.configs = Collections.unmodifiableMap(new TreeMap<>(configs));
    }

    /** A topic with full partition registrations. */
    public static TopicImage of(String name, Uuid id, List<PartitionRegistration> partitions, Map<String, String> configs) {
        return new TopicImage(name, id, partitions, configs, true);
    }

    public String name() {
        return name;
    }

    public Uuid id() {
        return id;
    }

    /** Partition registrations, index = partition number. */
    public List<PartitionRegistration> partitions() {
        return partitions;
    }

    public PartitionRegistration partition(int partition) {
        return partitions.get(partition);
    }

    /** Replica lists per partition (index = partition number; the first replica is the preferred leader). */
    public List<List<Integer>> assignment() {
        return assignment;
    }

    public Map<String, String> configs() {
        return configs;
    }

    public int partitionCount() {
        return partitions.size();
    }

    public short replicationFactor() {
        return (short) (partitions.isEmpty() ? 0 : partitions.get(0).replicas().size());
    }

    public List<Integer> replicas(int partition) {
        return assignment.get(partition);
    }

    /**
     * The topic with a new assignment: partitions whose replicas are unchanged keep their
     * registration; others start afresh (leader = first replica, ISR = replicas).
     */
    public TopicImage withAssignment(List<List<Integer>> newAssignment) {
        List<PartitionRegistration> parts = new ArrayList<>(newAssignment.size());
        for (int p = 0; p < newAssignment.size(); p++) {
            List<Integer> replicas = newAssignment.get(p);
            parts.add(p < partitions.size() && partitions.get(p).replicas().equals(replicas)
                    ? partitions.get(p) : PartitionRegistration.initial(replicas));
        }
        return of(name, id, parts, configs);
    }

    public TopicImage withConfigs(Map<String, String> newConfigs) {
        return of(name, id, partitions, newConfigs);
    }

    /** The topic with partition {@code p} set: replaced when it exists, appended when {@code p == partitionCount()}. */
    public TopicImage withPartition(int p, PartitionRegistration registration) {
        if (p < 0 || p > partitions.size()) {
            throw new IllegalArgumentException("partition " + p + " of topic " + name + " would leave a gap after "
                    + partitions.size() + " partition(s)");
        }
        List<PartitionRegistration> parts = new ArrayList<>(partitions);
        if (p == parts.size()) {
            parts.add(registration);
        } else {
            parts.set(p, registration);
        }
        return of(name, id, parts, configs);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TopicImage t && name.equals(t.name) && id.equals(t.id) && partitions.equals(t.partitions)
                && configs.equals(t.configs);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, id, partitions, configs);
    }

    @Override
    public String toString() {
        return "TopicImage[name=" + name + ", id=" + id + ", partitions=" + partitions + ", configs=" + configs + "]";
    }
}
