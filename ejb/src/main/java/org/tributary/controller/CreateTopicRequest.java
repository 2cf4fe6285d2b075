package org.tributary.controller;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Create one topic: a partition count and replication factor (-1 = the controller's default), or a
 * manual assignment (replica lists per partition; then both counts must be -1), and config
 * overrides. To validate only, send the request and drop the records.
 */
public record CreateTopicRequest(String name, int numPartitions, short replicationFactor, List<List<Integer>> assignment,
        Map<String, String> configs) {
    public CreateTopicRequest {
        assignment = assignment == null ? List.of() : assignment.stream().map(List::copyOf).toList();
        configs = Map.copyOf(Objects.requireNonNullElse(configs, Map.of()));
    }

    public static CreateTopicRequest of(String name, int numPartitions, int replicationFactor) {
        return new CreateTopicRequest(name, numPartitions, (short) replicationFactor, List.of(), Map.of());
    }
}
