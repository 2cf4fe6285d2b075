package org.tributary.controller;

import java.util.List;
import java.util.Objects;
import org.apache.kafka.common.Uuid;

/**
 * A partition leader asks to change ISRs (Kafka's AlterPartition, KIP-497/841/903): for each
 * partition, the leader and partition epochs it acts on (compare-and-set) and the new ISR with each
 * member's broker epoch (-1 = not checked).
 */
public record AlterPartitionRequest(int brokerId, long brokerEpoch, List<PartitionIsr> partitions) {
    public AlterPartitionRequest {
        partitions = List.copyOf(partitions);
    }

    public record PartitionIsr(Uuid topicId, int partition, int leaderEpoch, int partitionEpoch, List<IsrMember> newIsr) {
        public PartitionIsr {
            Objects.requireNonNull(topicId, "topicId");
            newIsr = List.copyOf(newIsr);
        }
    }

    public record IsrMember(int brokerId, long brokerEpoch) {
    }
}
