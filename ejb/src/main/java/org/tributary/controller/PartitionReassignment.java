package org.tributary.controller;

import java.util.List;
import java.util.Objects;
import org.apache.kafka.common.TopicPartition;

/**
 * One partition of an AlterPartitionReassignments request: move it to {@code targetReplicas} (the
 * first is the preferred leader), or cancel its reassignment in progress when that is null.
 */
public record PartitionReassignment(TopicPartition partition, List<Integer> targetReplicas) {
    public PartitionReassignment {
        Objects.requireNonNull(partition, "partition");
        targetReplicas = targetReplicas == null ? null : List.copyOf(targetReplicas);
    }
}
