package org.tributary.partition;

import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;

/**
 * An ISR change a partition leader asks the controller for (Kafka's AlterPartition, KIP-497):
 * compare-and-set on the leader and partition epochs it was decided on, with each member's broker
 * epoch (KIP-903; -1 when not known). {@code fromIsrSize} is the size of the ISR it was decided on,
 * so that its success counts as a shrink or an expansion ({@code IsrShrinksPerSec},
 * {@code IsrExpandsPerSec}) whether the answer or the new metadata reaches the leader first.
 */
public record IsrChange(TopicPartition topicPartition, Uuid topicId, int leaderEpoch, int partitionEpoch, List<Member> newIsr,
        int fromIsrSize) {
    public IsrChange {
        newIsr = List.copyOf(newIsr);
    }

    /** Whether it drops replicas from the ISR it was decided on. */
    public boolean shrinks() {
        return newIsr.size() < fromIsrSize;
    }

    /** Whether it adds replicas to the ISR it was decided on. */
    public boolean expands() {
        return newIsr.size() > fromIsrSize;
    }

    public record Member(int brokerId, long brokerEpoch) {
    }

    public List<Integer> brokerIds() {
        return newIsr.stream().map(Member::brokerId).toList();
    }
}
