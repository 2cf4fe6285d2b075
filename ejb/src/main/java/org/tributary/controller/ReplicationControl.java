package org.tributary.controller;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntPredicate;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.tributary.controller.AlterPartitionRequest.IsrMember;
import org.tributary.controller.AlterPartitionRequest.PartitionIsr;
import org.tributary.controller.AlterPartitionResponse.PartitionResult;
import org.tributary.controller.PartitionChanges.Election;
import org.tributary.metadata.BrokerRegistration;
import org.tributary.metadata.MetadataDelta;
import org.tributary.metadata.MetadataImage;
import org.tributary.metadata.MetadataRecord.ControlledShutdownRecord;
import org.tributary.metadata.MetadataRecord.FenceBrokerRecord;
import org.tributary.metadata.MetadataRecord.PartitionChangeRecord;
import org.tributary.metadata.MetadataRecord.UnfenceBrokerRecord;
import org.tributary.metadata.PartitionRegistration;
import org.tributary.metadata.TopicImage;

/**
 * Leaders and ISRs: what fencing, unfencing and controlled shutdown do to partitions, leader
 * elections on request, ISR changes from leaders (AlterPartition) and partition reassignments
 * (KIP-455: AlterPartitionReassignments, ListPartitionReassignments). Works on a
 * {@link Changes}; every rule reads the state including the operation's earlier records.
 *
 * <p>Invariants kept: a leader is in its ISR and is an unfenced broker (or -1); an ISR is a non-empty
 * subset of the replicas; an ISR of more than one member holds no fenced broker; leader epochs bump
 * exactly when the leader changes. Reassignments: adding and removing replicas are disjoint subsets
 * of the replicas, and the replicas are the target followed by the removing ones; starting one never
 * changes the ISR (new replicas join it through AlterPartition once caught up), and it completes
 * only when every target replica is in the ISR, so the ISR after it is the whole target. Stateless.
 */
final class ReplicationControl {
    static final String UNCLEAN_KEY = "unclean.leader.election.enable";

    private ReplicationControl() {
    }

    /** A broker may lead, join an ISR or get a new replica: registered, unfenced, not shutting down. */
    static IntPredicate active(MetadataDelta state) {
        return id -> state.broker(id).map(BrokerRegistration::active).orElse(false);
    }

    static boolean uncleanEnabled(MetadataDelta state, TopicImage topic) {
        String v = topic.configs().get(UNCLEAN_KEY);
        if (v == null) {
            v = state.brokerConfig("").get(UNCLEAN_KEY);
        }
        return "true".equalsIgnoreCase(v);
    }

    /** Removes {@code brokerId} from every ISR that has other members and moves its leaderships, then fences it. */
    static void fence(Changes c, int brokerId) {
        BrokerRegistration b = c.state.broker(brokerId).orElseThrow();
        removeFromIsrs(c, brokerId);
        c.add(new FenceBrokerRecord(brokerId, b.epoch()));
    }

    /** Marks the broker as shutting down, then removes it from ISRs and moves its leaderships as fencing would. */
    static void enterControlledShutdown(Changes c, int brokerId) {
        BrokerRegistration b = c.state.broker(brokerId).orElseThrow();
        if (!b.inControlledShutdown()) {
            c.add(new ControlledShutdownRecord(brokerId, b.epoch()));
        }
        removeFromIsrs(c, brokerId);
    }

    private static void removeFromIsrs(Changes c, int brokerId) {
        IntPredicate active = active(c.state);
        IntPredicate acceptable = r -> r != brokerId && active.test(r);
        for (TopicImage t : c.state.topics()) {
            Election election = uncleanEnabled(c.state, t) ? Election.UNCLEAN : Election.ONLINE;
            for (int p = 0; p < t.partitionCount(); p++) {
                PartitionRegistration part = t.partition(p);
                if (!part.isr().contains(brokerId)) {
                    continue;
                }
                List<Integer> target = new ArrayList<>(part.isr());
                target.remove(Integer.valueOf(brokerId));
                PartitionChanges.build(t.id(), p, part, target, acceptable, election).ifPresent(c::add);
            }
        }
    }

    /** Unfences the broker, then elects leaders for offline partitions it can lead. */
    static void unfence(Changes c, int brokerId) {
        BrokerRegistration b = c.state.broker(brokerId).orElseThrow();
        c.add(new UnfenceBrokerRecord(brokerId, b.epoch()));
        IntPredicate active = active(c.state);
        for (TopicImage t : c.state.topics()) {
            Election election = uncleanEnabled(c.state, t) ? Election.UNCLEAN : Election.ONLINE;
            for (int p = 0; p < t.partitionCount(); p++) {
                PartitionRegistration part = t.partition(p);
                if (!part.hasLeader() && part.replicas().contains(brokerId)) {
                    PartitionChanges.build(t.id(), p, part, part.isr(), active, election).ifPresent(c::add);
                }
            }
        }
    }

    static boolean leadsAny(MetadataDelta state, int brokerId) {
        for (TopicImage t : state.topics()) {
            for (PartitionRegistration p : t.partitions()) {
                if (p.leader() == brokerId) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * {@code auto.leader.rebalance.enable}, as Kafka's KRaft controller does it: every partition
     * whose leader is not its preferred replica (the first) gets a preferred election, which moves
     * leadership only where that replica is live and in the ISR. At most {@code max} changes are
     * made; returns whether more partitions may need one (the caller then asks again at once).
     */
    static boolean balancePartitionLeaders(Changes c, int max) {
        int made = 0;
        IntPredicate active = active(c.state);
        for (TopicImage t : c.state.topics()) {
            for (int p = 0; p < t.partitionCount(); p++) {
                PartitionRegistration part = t.partition(p);
                if (part.hasPreferredLeader()) {
                    continue;
                }
                if (made == max) {
                    return true;
                }
                Optional<PartitionChangeRecord> change = PartitionChanges.build(t.id(), p, part, part.isr(), active, Election.PREFERRED);
                if (change.isPresent()) {
                    c.add(change.get());
                    made++;
                }
            }
        }
        return false;
    }

    /** ElectLeaders: PREFERRED or UNCLEAN for the given partitions, or all when {@code partitions} is null. */
    static Map<TopicPartition, ApiError> electLeaders(Changes c, ElectionType type, Collection<TopicPartition> partitions) {
        Map<TopicPartition, ApiError> out = new LinkedHashMap<>();
        boolean all = partitions == null;
        Collection<TopicPartition> targets = partitions;
        if (all) {
            targets = new ArrayList<>();
            for (TopicImage t : c.state.topics()) {
                for (int p = 0; p < t.partitionCount(); p++) {
                    targets.add(new TopicPartition(t.name(), p));
                }
            }
        }
        for (TopicPartition tp : targets) {
            ApiError e = electLeader(c, type, tp);
            if (!all || e.error() != Errors.ELECTION_NOT_NEEDED) {
                out.put(tp, e);
            }
        }
        return out;
    }

    private static ApiError electLeader(Changes c, ElectionType type, TopicPartition tp) {
        Optional<TopicImage> topic = c.state.topic(tp.topic());
        if (topic.isEmpty() || tp.partition() < 0 || tp.partition() >= topic.get().partitionCount()) {
            return ApiError.of(Errors.UNKNOWN_TOPIC_OR_PARTITION, "No such partition as " + tp);
        }
        TopicImage t = topic.get();
        PartitionRegistration part = t.partition(tp.partition());
        if (type == ElectionType.PREFERRED ? part.hasPreferredLeader() : part.hasLeader()) {
            return ApiError.of(Errors.ELECTION_NOT_NEEDED, null);
        }
        Election election = type == ElectionType.PREFERRED ? Election.PREFERRED : Election.UNCLEAN;
        Optional<PartitionChangeRecord> change = PartitionChanges.build(t.id(), tp.partition(), part, part.isr(), active(c.state),
                election);
        if (change.isEmpty()) {
            return type == ElectionType.PREFERRED
                    ? ApiError.of(Errors.PREFERRED_LEADER_NOT_AVAILABLE, "The preferred leader of " + tp + " is not available")
                    : ApiError.of(Errors.ELIGIBLE_LEADERS_NOT_AVAILABLE, "No replica of " + tp + " is available to lead");
        }
        c.add(change.get());
        return ApiError.NONE;
    }

    /**
     * AlterPartitionReassignments: for each partition in order, start (or replace) a reassignment
     * to {@code targetReplicas}, or cancel the one in progress when it is null. Errors (Kafka's
     * codes and messages): UNKNOWN_TOPIC_OR_PARTITION; INVALID_REPLICA_ASSIGNMENT for an empty
     * list, an unregistered broker or a duplicate; NO_REASSIGNMENT_IN_PROGRESS for cancelling
     * nothing; INVALID_REPLICATION_FACTOR when {@code allowReplicationFactorChange} is false and the
     * target changes it.
     */
    static List<ApiError> alterPartitionReassignments(Changes c, List<PartitionReassignment> reassignments,
            boolean allowReplicationFactorChange) {
        List<ApiError> out = new ArrayList<>(reassignments.size());
        for (PartitionReassignment r : reassignments) {
            out.add(reassign(c, r, allowReplicationFactorChange));
        }
        return out;
    }

    private static ApiError reassign(Changes c, PartitionReassignment r, boolean allowReplicationFactorChange) {
        TopicPartition tp = r.partition();
        Optional<TopicImage> topic = c.state.topic(tp.topic());
        if (topic.isEmpty()) {
            return ApiError.of(Errors.UNKNOWN_TOPIC_OR_PARTITION, "Unable to find a topic named " + tp.topic() + ".");
        }
        TopicImage t = topic.get();
        if (tp.partition() < 0 || tp.partition() >= t.partitionCount()) {
            return ApiError.of(Errors.UNKNOWN_TOPIC_OR_PARTITION, "Unable to find partition " + tp.topic() + ":" + tp.partition() + ".");
        }
        PartitionRegistration part = t.partition(tp.partition());
        boolean unclean = uncleanEnabled(c.state, t);
        Election election = unclean ? Election.UNCLEAN : Election.ONLINE;
        PartitionChanges.Target target;
        if (r.targetReplicas() == null) {
            if (!part.isReassigning()) {
                return ApiError.of(Errors.NO_REASSIGNMENT_IN_PROGRESS, Errors.NO_REASSIGNMENT_IN_PROGRESS.message());
            }
            List<Integer> replicas = part.originalReplicas();
            List<Integer> isr = new ArrayList<>(part.isr());
            isr.removeAll(part.addingReplicas());
            if (isr.isEmpty()) { // only replicas being added are in sync: going back needs an unclean election
                if (!unclean) {
                    return ApiError.of(Errors.INVALID_REPLICA_ASSIGNMENT, "Unable to revert partition assignment for " + tp.topic()
                            + ":" + tp.partition() + " because it would require an unclean leader election.");
                }
                isr.add(replicas.get(0));
            }
            target = new PartitionChanges.Target(isr, replicas, List.of(), List.of());
        } else {
            ApiError e = validateTarget(c.state, r.targetReplicas());
            if (!e.isSuccess()) {
                return e;
            }
            int currentRf = part.originalReplicas().size();
            if (!allowReplicationFactorChange && r.targetReplicas().size() != currentRf) {
                return ApiError.of(Errors.INVALID_REPLICATION_FACTOR, "The replication factor is changed from " + currentRf + " to "
                        + r.targetReplicas().size());
            }
            PartitionChanges.Reassignment re = PartitionChanges.Reassignment.of(part.replicas(), r.targetReplicas());
            target = new PartitionChanges.Target(part.isr(), re.replicas(), re.removing(), re.adding());
        }
        PartitionChanges.build(t.id(), tp.partition(), part, target, active(c.state), election).ifPresent(c::add);
        return ApiError.NONE;
    }

    /** Kafka's checks of a manual assignment: not empty, registered brokers, each once. */
    private static ApiError validateTarget(MetadataDelta state, List<Integer> replicas) {
        if (replicas.isEmpty()) {
            return ApiError.of(Errors.INVALID_REPLICA_ASSIGNMENT, "The manual partition assignment includes an empty replica list.");
        }
        List<Integer> sorted = new ArrayList<>(replicas);
        sorted.sort(Integer::compare);
        Integer previous = null;
        for (Integer b : sorted) {
            if (state.broker(b).isEmpty()) {
                return ApiError.of(Errors.INVALID_REPLICA_ASSIGNMENT, "The manual partition assignment includes broker " + b
                        + ", but no such broker is registered.");
            }
            if (b.equals(previous)) {
                return ApiError.of(Errors.INVALID_REPLICA_ASSIGNMENT, "The manual partition assignment includes the broker " + b
                        + " more than once.");
            }
            previous = b;
        }
        return ApiError.NONE;
    }

    /**
     * ListPartitionReassignments: the partitions with a reassignment in progress, of every topic
     * ({@code partitions} null) or of the given ones (unknown topics and partitions are left out).
     */
    static Map<TopicPartition, PartitionRegistration> listPartitionReassignments(MetadataImage image,
            Collection<TopicPartition> partitions) {
        Map<TopicPartition, PartitionRegistration> out = new LinkedHashMap<>();
        if (partitions == null) {
            for (TopicImage t : image.topics()) {
                for (int p = 0; p < t.partitionCount(); p++) {
                    if (t.partition(p).isReassigning()) {
                        out.put(new TopicPartition(t.name(), p), t.partition(p));
                    }
                }
            }
            return out;
        }
        for (TopicPartition tp : partitions) {
            image.topic(tp.topic()).filter(t -> tp.partition() >= 0 && tp.partition() < t.partitionCount())
                    .map(t -> t.partition(tp.partition())).filter(PartitionRegistration::isReassigning)
                    .ifPresent(reg -> out.put(tp, reg));
        }
        return out;
    }

    /** AlterPartition: compare-and-set ISR changes from partition leaders (Kafka's validation order and codes). */
    static AlterPartitionResponse alterPartition(Changes c, AlterPartitionRequest req) {
        Optional<BrokerRegistration> sender = c.state.broker(req.brokerId());
        if (sender.isEmpty() || sender.get().epoch() != req.brokerEpoch()) {
            return new AlterPartitionResponse(ApiError.of(Errors.STALE_BROKER_EPOCH, "Broker " + req.brokerId() + " epoch "
                    + req.brokerEpoch() + " is not the registered epoch"), List.of());
        }
        List<PartitionResult> results = new ArrayList<>();
        for (PartitionIsr p : req.partitions()) {
            Optional<TopicImage> topic = c.state.topic(p.topicId());
            if (topic.isEmpty()) {
                results.add(new PartitionResult(p.topicId(), p.partition(), ApiError.of(Errors.UNKNOWN_TOPIC_ID, null), null));
                continue;
            }
            TopicImage t = topic.get();
            ApiError e = validate(c.state, req.brokerId(), t, p);
            if (!e.isSuccess()) {
                results.add(new PartitionResult(p.topicId(), p.partition(), e, null));
                continue;
            }
            PartitionRegistration part = t.partition(p.partition());
            List<Integer> target = p.newIsr().stream().map(IsrMember::brokerId).toList();
            Election election = uncleanEnabled(c.state, t) ? Election.UNCLEAN : Election.ONLINE;
            Optional<PartitionChangeRecord> change = PartitionChanges.build(t.id(), p.partition(), part, target, active(c.state),
                    election);
            if (change.isPresent()) {
                c.add(change.get());
                part = part.merge(change.get());
            }
            results.add(new PartitionResult(p.topicId(), p.partition(), ApiError.NONE, part));
        }
        return new AlterPartitionResponse(ApiError.NONE, results);
    }

    private static ApiError validate(MetadataDelta state, int brokerId, TopicImage t, PartitionIsr p) {
        if (p.partition() < 0 || p.partition() >= t.partitionCount()) {
            return ApiError.of(Errors.UNKNOWN_TOPIC_OR_PARTITION, "No partition " + p.partition() + " in " + t.name());
        }
        PartitionRegistration part = t.partition(p.partition());
        String where = t.name() + "-" + p.partition();
        if (p.leaderEpoch() > part.leaderEpoch() || p.partitionEpoch() > part.partitionEpoch()) {
            return ApiError.of(Errors.NOT_CONTROLLER, "The request's epochs for " + where + " are ahead of this controller's");
        }
        if (p.leaderEpoch() < part.leaderEpoch()) {
            return ApiError.of(Errors.FENCED_LEADER_EPOCH, "Leader epoch " + p.leaderEpoch() + " of " + where + " is stale; it is "
                    + part.leaderEpoch());
        }
        if (brokerId != part.leader()) {
            return ApiError.of(Errors.INVALID_REQUEST, "Broker " + brokerId + " is not the leader of " + where + "; "
                    + part.leader() + " is");
        }
        if (p.partitionEpoch() < part.partitionEpoch()) {
            return ApiError.of(Errors.INVALID_UPDATE_VERSION, "Partition epoch " + p.partitionEpoch() + " of " + where
                    + " is stale; it is " + part.partitionEpoch());
        }
        List<Integer> ids = p.newIsr().stream().map(IsrMember::brokerId).toList();
        if (ids.isEmpty() || new HashSet<>(ids).size() != ids.size() || !part.replicas().containsAll(ids)) {
            return ApiError.of(Errors.INVALID_REQUEST, "ISR " + ids + " of " + where + " is not a set of its replicas "
                    + part.replicas());
        }
        if (!ids.contains(part.leader())) {
            return ApiError.of(Errors.INVALID_REQUEST, "ISR " + ids + " of " + where + " does not include the leader");
        }
        List<String> ineligible = new ArrayList<>();
        for (IsrMember m : p.newIsr()) {
            Optional<BrokerRegistration> b = state.broker(m.brokerId());
            if (b.isEmpty()) {
                ineligible.add(m.brokerId() + " (not registered)");
            } else if (b.get().fenced()) {
                ineligible.add(m.brokerId() + " (fenced)");
            } else if (b.get().inControlledShutdown()) {
                ineligible.add(m.brokerId() + " (shutting down)");
            } else if (m.brokerEpoch() != -1 && m.brokerEpoch() != b.get().epoch()) {
                ineligible.add(m.brokerId() + " (broker epoch " + m.brokerEpoch() + ", registered " + b.get().epoch() + ")");
            }
        }
        if (!ineligible.isEmpty()) {
            return ApiError.of(Errors.INELIGIBLE_REPLICA, "Ineligible replicas in the ISR of " + where + ": " + ineligible);
        }
        return ApiError.NONE;
    }
}
