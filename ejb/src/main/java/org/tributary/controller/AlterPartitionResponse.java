package org.tributary.controller;

import java.util.List;
import org.apache.kafka.common.Uuid;
import org.tributary.metadata.PartitionRegistration;

/**
 * A top-level error (STALE_BROKER_EPOCH) or one result per requested partition: its error, or the
 * partition's registration after the change (leader, epochs, ISR).
 */
public record AlterPartitionResponse(ApiError error, List<PartitionResult> partitions) {
    public AlterPartitionResponse {
        partitions = List.copyOf(partitions);
    }

    public record PartitionResult(Uuid topicId, int partition, ApiError error, PartitionRegistration registration) {
    }
}
