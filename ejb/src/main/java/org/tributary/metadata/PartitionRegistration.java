package org.tributary.metadata;

import java.util.List;
import org.tributary.metadata.MetadataRecord.PartitionChangeRecord;

/**
 * One partition as the metadata log knows it: the replicas (the first is the preferred leader),
 * the in-sync replicas, the leader ({@link MetadataRecord#NO_LEADER} when offline), the leader
 * epoch (bumped whenever the leader changes) and the partition epoch (bumped on every change; the
 * compare-and-set version of AlterPartition). Immutable.
 *
 * <p>During a reassignment (KIP-455) {@code replicas} is the target replicas followed by those
 * being removed; {@code addingReplicas} are the target replicas that were not replicas before, and
 * {@code removingReplicas} the replicas that are not in the target. Both are empty otherwise.
 */
public record PartitionRegistration(List<Integer> replicas, List<Integer> isr, int leader, int leaderEpoch, int partitionEpoch,
        List<Integer> removingReplicas, List<Integer> addingReplicas) {

    public PartitionRegistration {
        replicas = List.copyOf(replicas);
        isr = List.copyOf(isr);
        removingReplicas = removingReplicas == null ? List.of() : List.copyOf(removingReplicas);
        addingReplicas = addingReplicas == null ? List.of() : List.copyOf(addingReplicas);
    }

    /** A partition without a reassignment in progress. */
    public PartitionRegistration(List<Integer> replicas, List<Integer> isr, int leader, int leaderEpoch, int partitionEpoch) {
        this(replicas, isr, leader, leaderEpoch, partitionEpoch, List.of(), List.of());
    }

    /** A new partition: every replica in sync, the first one leads, epochs 0. */
    public static PartitionRegistration initial(List<Integer> replicas) {
        return new PartitionRegistration(replicas, replicas, replicas.isEmpty() ? MetadataRecord.NO_LEADER : replicas.get(0), 0, 0);
    }

    /** The registration after {@code change} (Kafka's rules: see {@link PartitionChangeRecord}). */
    public PartitionRegistration merge(PartitionChangeRecord change) {
        List<Integer> newIsr = change.isr() == null ? isr : change.isr();
        List<Integer> newReplicas = change.replicas() == null ? replicas : change.replicas();
        List<Integer> newRemoving = change.removingReplicas() == null ? removingReplicas : change.removingReplicas();
        List<Integer> newAdding = change.addingReplicas() == null ? addingReplicas : change.addingReplicas();
        int newLeader = leader;
        int newLeaderEpoch = leaderEpoch;
        if (change.leader() != MetadataRecord.NO_LEADER_CHANGE) {
            newLeader = change.leader();
            newLeaderEpoch = leaderEpoch + 1;
        }
        return new PartitionRegistration(newReplicas, newIsr, newLeader, newLeaderEpoch, partitionEpoch + 1, newRemoving, newAdding);
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

    /** Whether a reassignment is in progress (some replicas are being added or removed). */
    public boolean isReassigning() {
        return !removingReplicas.isEmpty() || !addingReplicas.isEmpty();
    }

    /** The replicas the partition will have once its reassignment completes ({@link #replicas()} when none is in progress). */
    public List<Integer> targetReplicas() {
        return removingReplicas.isEmpty() ? replicas : replicas.stream().filter(r -> !removingReplicas.contains(r)).toList();
    }

    /** The replicas the partition had before its reassignment ({@link #replicas()} when none is in progress). */
    public List<Integer> originalReplicas() {
        return addingReplicas.isEmpty() ? replicas : replicas.stream().filter(r -> !addingReplicas.contains(r)).toList();
    }
}
