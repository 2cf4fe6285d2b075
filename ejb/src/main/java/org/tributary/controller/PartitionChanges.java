package org.tributary.controller;

import java.util.List;
import java.util.Optional;
import java.util.function.IntPredicate;
import org.apache.kafka.common.Uuid;
import org.tributary.metadata.MetadataRecord;
import org.tributary.metadata.MetadataRecord.PartitionChangeRecord;
import org.tributary.metadata.PartitionRegistration;

/**
 * Builds the change of one partition towards a target ISR, electing a leader with Kafka's rules
 * (facts from Kafka's {@code PartitionChangeBuilder}, without ELR or reassignment):
 * <ul>
 * <li>ONLINE: keep the current leader if it is in the target ISR and acceptable; otherwise the
 * first replica (in replica order) that is in the target ISR and acceptable; otherwise none (-1).
 * <li>PREFERRED: the first replica if it is in the target ISR and acceptable; otherwise as ONLINE.
 * <li>UNCLEAN: as ONLINE; when that finds none, the first acceptable replica, and the ISR becomes
 * just it (this can lose acknowledged records).
 * </ul>
 * An empty target ISR is never written: the ISR keeps its last member (the partition is then
 * offline until that member returns, or an unclean election). The leader field is set only when
 * the leader changes, so the leader epoch bumps exactly then; any change bumps the partition epoch.
 *
 * <p>Stateless.
 */
final class PartitionChanges {
    enum Election {
        ONLINE, PREFERRED, UNCLEAN
    }

    private PartitionChanges() {
    }

    static Optional<PartitionChangeRecord> build(Uuid topicId, int partition, PartitionRegistration current, List<Integer> targetIsr,
            IntPredicate acceptable, Election election) {
        int leader = current.leader();
        boolean unclean = false;
        IntPredicate valid = r -> targetIsr.contains(r) && acceptable.test(r);
        int elected = MetadataRecord.NO_LEADER;
        if (election == Election.PREFERRED && valid.test(current.preferredLeader())) {
            elected = current.preferredLeader();
        } else if (leader != MetadataRecord.NO_LEADER && valid.test(leader)) {
            elected = leader;
        } else {
            elected = current.replicas().stream().filter(valid::test).findFirst().orElse(MetadataRecord.NO_LEADER);
            if (elected == MetadataRecord.NO_LEADER && election == Election.UNCLEAN) {
                elected = current.replicas().stream().filter(acceptable::test).findFirst().orElse(MetadataRecord.NO_LEADER);
                unclean = elected != MetadataRecord.NO_LEADER;
            }
        }
        int newLeader = MetadataRecord.NO_LEADER_CHANGE;
        List<Integer> newIsr = null;
        if (elected != leader) {
            newLeader = elected;
            if (unclean) {
                newIsr = List.of(elected);
            }
        }
        if (newIsr == null && !targetIsr.isEmpty() && !targetIsr.equals(current.isr())) {
            newIsr = targetIsr;
        }
        if (newLeader == MetadataRecord.NO_LEADER_CHANGE && newIsr == null) {
            return Optional.empty();
        }
        return Optional.of(new PartitionChangeRecord(topicId, partition, newIsr, newLeader, null));
    }
}
