package org.tributary.partition;

import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;

/**
 * An ISR change a partition leader asks the controller for (Kafka's AlterPartition, KIP-497):
 * compare-and-set on the leader and partition epochs it was decided on, with each member's broker
 * epoch (KIP-903; -1 when not known).
 */
public record IsrChange(TopicPartition topicPartition, Uuid topicId, int leaderEpoch, int partitionEpoch, List<Member> newIsr) {
    public IsrChange {
        newIsr = List.copyOf(newIsr);
    }

    public record Member(int brokerId, long brokerEpoch) {
    }

    public List<Integer> brokerIds() {
        return newIsr.stream().map(Member::brokerId).toList();
    }
}
