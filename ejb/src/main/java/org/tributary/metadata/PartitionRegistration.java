package org.tributary.metadata;

import java.util.List;
import org.tributary.metadata.MetadataRecord.PartitionChangeRecord;

/**
 * One partition as the metadata log knows it: the replicas (the first is the preferred leader),
 * the in-sync replicas, the leader ({@link MetadataRecord#NO_LEADER} when offline), the leader
 * epoch (bumped whenever the leader changes) and the partition epoch (bumped on every change; the
 * compare-and-set version of AlterPartition). Immutable.
 */
public record PartitionRegistration(List<Integer> replicas, List<Integer> isr, int leader, int leaderEpoch, int partitionEpoch) {

    public PartitionRegistration {
        replicas = List.copyOf(replicas);
        isr = List.copyOf(isr);
    }

    /** A new partition: every replica in sync, the first one leads, epochs 0. */
    public static PartitionRegistration initial(List<Integer> replicas) {
        return new PartitionRegistration(replicas, replicas, replicas.isEmpty() ? MetadataRecord.NO_LEADER : replicas.get(0), 0, 0);
    }

    /** The registration after {@code change} (Kafka's rules: see {@link PartitionChangeRecord}). */
    public PartitionRegistration merge(PartitionChangeRecord change) {
        List<Integer> newIsr = change.isr() == null ? isr : change.isr();
        List<Integer> newReplicas = change.replicas() == null ? replicas : change.replicas();
        int newLeader = leader;
        int newLeaderEpoch = leaderEpoch;
        if (change.leader() != MetadataRecord.NO_LEADER_CHANGE) {
            newLeader = change.leader();
            newLeaderEpoch = leaderEpoch + 1;
        }
        return new PartitionRegistration(newReplicas, newIsr, newLeader, newLeaderEpoch, partitionEpoch + 1);
    }

    public boolean hasLeader() {
        return leader != MetadataRecord.NO_LEADER;
    }

    public int preferredLeader() {
        return replicas.get(0);
    }

    public boolean hasPreferredLeader() {
        return leader == preferredLeader();
    }
}
