package org.tributary.metadata;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.Collections;
import org.apache.kafka.common.Uuid;

/**
 * One topic as the cluster knows it: name, id, replica assignment per partition (index = partition
 * number; each list names broker ids, the first being the preferred leader) and topic config
 * overrides (topic config names). Immutable.
 */
public record TopicImage(String name, Uuid id, List<List<Integer>> assignment, Map<String, String> configs) {

    public TopicImage {
        assignment = List.copyOf(assignment.stream().map(List::copyOf).toList());
        configs = Collections.unmodifiableMap(new TreeMap<>(configs));
    }

    public int partitionCount() {
        return assignment.size();
    }

    public short replicationFactor() {
        return (short) (assignment.isEmpty() ? 0 : assignment.get(0).size());
    }

    public List<Integer> replicas(int partition) {
        return assignment.get(partition);
    }

    public TopicImage withAssignment(List<List<Integer>> newAssignment) {
        return new TopicImage(name, id, newAssignment, configs);
    }

    public TopicImage withConfigs(Map<String, String> newConfigs) {
        return new TopicImage(name, id, assignment, newConfigs);
    }
}
