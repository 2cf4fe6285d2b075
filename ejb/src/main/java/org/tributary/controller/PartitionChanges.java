package org.tributary.controller;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.IntPredicate;
import org.apache.kafka.common.Uuid;
import org.tributary.metadata.MetadataRecord;
import org.tributary.metadata.MetadataRecord.PartitionChangeRecord;
import org.tributary.metadata.PartitionRegistration;

/**
 * Builds the change of one partition towards a target ISR (and, for reassignments, target
 * replicas), electing a leader with Kafka's rules (facts from Kafka's
 * {@code PartitionChangeBuilder}, without ELR):
 * <ul>
 * <li>ONLINE: keep the current leader if it is in the target ISR and acceptable; otherwise the
 * first replica (in target replica order) that is in the target ISR and acceptable; otherwise none (-1).
 * <li>PREFERRED: the first replica if it is in the target ISR and acceptable; otherwise as ONLINE.
 * <li>UNCLEAN: as ONLINE; when that finds none, the first acceptable replica, and the ISR becomes
 * just it (this can lose acknowledged records).
 * </ul>
 * An empty target ISR is never written: the ISR keeps its last member (the partition is then
 * offline until that member returns, or an unclean election). The leader field is set only when
 * the leader changes, so the leader epoch bumps exactly then; any change bumps the partition epoch.
 *
 * <p>Reassignment (KIP-455): while replicas are being added or removed, every change first checks
 * whether the reassignment can complete: when every target replica (the replicas not being removed)
 * is in the target ISR, the change also sets replicas = the target, ISR = ISR without the removed
 * replicas, and clears the adding and removing replicas; a leader that was being removed is then
 * no longer in the ISR, so a new one is elected from the target.
 *
 * <p>Stateless.
 */
final class PartitionChanges {
    enum Election {
        ONLINE, PREFERRED, UNCLEAN
    }

    /** Where a partition should go: ISR, replicas and the reassignment's removing and adding replicas. */
    record Target(List<Integer> isr, List<Integer> replicas, List<Integer> removing, List<Integer> adding) {
        /** The partition as it is, with {@code isr} as the target ISR. */
        static Target isr(PartitionRegistration current, List<Integer> isr) {
            return new Target(isr, current.replicas(), current.removingReplicas(), current.addingReplicas());
        }
    }

    /** A reassignment's replicas (Kafka's rules): target first, then the current ones not in it; adding and removing sorted. */
    record Reassignment(List<Integer> replicas, List<Integer> removing, List<Integer> adding) {
        static Reassignment of(List<Integer> current, List<Integer> target) {
            TreeSet<Integer> removing = new TreeSet<>(current);
            removing.removeAll(target);
            TreeSet<Integer> adding = new TreeSet<>(target);
            adding.removeAll(current);
            List<Integer> replicas = new ArrayList<>(target);
            replicas.addAll(removing);
            return new Reassignment(replicas, List.copyOf(removing), List.copyOf(adding));
        }
    }

    private PartitionChanges() {
    }

    static Optional<PartitionChangeRecord> build(Uuid topicId, int partition, PartitionRegistration current, List<Integer> targetIsr,
            IntPredicate acceptable, Election election) {
        return build(topicId, partition, current, Target.isr(current, targetIsr), acceptable, election);
    }

    static Optional<PartitionChangeRecord> build(Uuid topicId, int partition, PartitionRegistration current, Target wanted,
            IntPredicate acceptable, Election election) {
        Target target = completeReassignmentIfPossible(wanted);
        List<Integer> targetIsr = target.isr();
        List<Integer> targetReplicas = target.replicas();
        int leader = current.leader();
        boolean unclean = false;
        IntPredicate valid = r -> targetIsr.contains(r) && acceptable.test(r);
        int elected = MetadataRecord.NO_LEADER;
        if (election == Election.PREFERRED && !targetReplicas.isEmpty() && valid.test(targetReplicas.get(0))) {
            elected = targetReplicas.get(0);
        } else if (leader != MetadataRecord.NO_LEADER && valid.test(leader)) {
            elected = leader;
        } else {
            elected = targetReplicas.stream().filter(valid::test).findFirst().orElse(MetadataRecord.NO_LEADER);
            if (elected == MetadataRecord.NO_LEADER && election == Election.UNCLEAN) {
                elected = targetReplicas.stream().filter(acceptable::test).findFirst().orElse(MetadataRecord.NO_LEADER);
                unclean = elected != MetadataRecord.NO_LEADER;
            }
        }
        int newLeader = MetadataRecord.NO_LEADER_CHANGE;
        List<Integer> newIsr = null;
        if (elected != leader) {
            newLeader = elected;
            if (unclean) {
                newIsr = List.of(elected);
                // the ISR is now just the elected replica: a reassignment whose target it is completes with it
                target = completeReassignmentIfPossible(new Target(newIsr, target.replicas(), target.removing(), target.adding()));
                targetReplicas = target.replicas();
            }
        }
        if (newIsr == null && !targetIsr.isEmpty() && !targetIsr.equals(current.isr())) {
            newIsr = targetIsr;
        }
        List<Integer> newReplicas = !targetReplicas.isEmpty() && !targetReplicas.equals(current.replicas()) ? targetReplicas : null;
        List<Integer> newRemoving = target.removing().equals(current.removingReplicas()) ? null : target.removing();
        List<Integer> newAdding = target.adding().equals(current.addingReplicas()) ? null : target.adding();
        if (newLeader == MetadataRecord.NO_LEADER_CHANGE && newIsr == null && newReplicas == null && newRemoving == null
                && newAdding == null) {
            return Optional.empty();
        }
        return Optional.of(new PartitionChangeRecord(topicId, partition, newIsr, newLeader, newReplicas, newRemoving, newAdding));
    }

    /**
     * The target with its reassignment completed when every target replica is in the target ISR:
     * replicas and ISR without the removed replicas, nothing adding or removing. Otherwise as it is.
     */
    static Target completeReassignmentIfPossible(Target t) {
        if (t.removing().isEmpty() && t.adding().isEmpty()) {
            return t;
        }
        List<Integer> isr = t.isr().stream().filter(r -> !t.removing().contains(r)).toList();
        List<Integer> replicas = t.replicas().stream().filter(r -> !t.removing().contains(r)).toList();
        if (isr.isEmpty() || replicas.isEmpty() || !isr.containsAll(replicas)) {
            return t;
        }
        return new Target(isr, replicas, List.of(), List.of());
    }
}
