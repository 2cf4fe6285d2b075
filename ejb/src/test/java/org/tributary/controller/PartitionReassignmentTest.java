package org.tributary.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.tributary.controller.AlterPartitionRequest.IsrMember;
import org.tributary.controller.AlterPartitionRequest.PartitionIsr;
import org.tributary.metadata.MetadataRecord.ResourceType;
import org.tributary.metadata.PartitionRegistration;

/** AlterPartitionReassignments and ListPartitionReassignments with Kafka's (KIP-455) rules. */
class PartitionReassignmentTest {
    static final TopicPartition T0 = new TopicPartition("t", 0);
    final ControllerHarness h = new ControllerHarness();

    @BeforeEach
    void fourBrokersOnePartitionOn012() {
        for (int b = 0; b < 4; b++) {
            h.start(b, null);
        }
        h.run(h.controller.createTopic(h.image, new CreateTopicRequest("t", -1, (short) -1, List.of(List.of(0, 1, 2)), null)));
    }

    ApiError reassign(TopicPartition tp, Integer... target) {
        return reassign(tp, target == null ? null : Arrays.asList(target), true);
    }

    ApiError reassign(TopicPartition tp, List<Integer> target, boolean allowRfChange) {
        long before = h.image.offset();
        List<ApiError> r = h.run(h.controller.alterPartitionReassignments(h.image, java.util.Collections.singletonList(
                new PartitionReassignment(tp, target)), allowRfChange));
        assertEquals(1, r.size());
        if (!r.get(0).isSuccess()) {
            assertEquals(before, h.image.offset(), "a refused reassignment writes nothing");
        }
        return r.get(0);
    }

    ApiError cancel(TopicPartition tp) {
        return reassign(tp, (Integer[]) null);
    }

    /** The leader asks for {@code isr}, as AlterPartition. */
    AlterPartitionResponse.PartitionResult alterIsr(int... isr) {
        PartitionRegistration p = h.partition("t", 0);
        List<IsrMember> members = new ArrayList<>();
        for (int id : isr) {
            members.add(new IsrMember(id, h.epoch(id)));
        }
        AlterPartitionResponse r = h.run(h.controller.alterPartition(h.image, new AlterPartitionRequest(p.leader(), h.epoch(p.leader()),
                List.of(new PartitionIsr(h.image.topic("t").orElseThrow().id(), 0, p.leaderEpoch(), p.partitionEpoch(), members)))));
        assertEquals(ApiError.NONE, r.error());
        return r.partitions().get(0);
    }

    static PartitionRegistration reg(List<Integer> replicas, List<Integer> isr, int leader, int leaderEpoch, int partitionEpoch,
            List<Integer> removing, List<Integer> adding) {
        return new PartitionRegistration(replicas, isr, leader, leaderEpoch, partitionEpoch, removing, adding);
    }

    @Test
    void startingAReassignmentAddsTheTargetFirstThenTheRemovingReplicasAndLeavesTheIsrAlone() {
        assertEquals(ApiError.NONE, reassign(T0, 1, 2, 3));
        assertEquals(reg(List.of(1, 2, 3, 0), List.of(0, 1, 2), 0, 0, 1, List.of(0), List.of(3)), h.partition("t", 0));
    }

    @Test
    void theNewReplicaJoiningTheIsrCompletesItAndALeaderBeingRemovedHandsOverToTheTarget() {
        assertEquals(ApiError.NONE, reassign(T0, 1, 2, 3));
        AlterPartitionResponse.PartitionResult r = alterIsr(0, 1, 2, 3);
        assertEquals(Errors.NONE, r.error().error());
        // one change: replicas = target, ISR = ISR ∩ target, nothing adding or removing, 0 no longer leads
        PartitionRegistration done = h.partition("t", 0);
        assertEquals(reg(List.of(1, 2, 3), List.of(1, 2, 3), 1, 1, 2, List.of(), List.of()), done);
        assertEquals(done, r.registration());
        assertEquals(Map.of(), ClusterController.listPartitionReassignments(h.image, null));
    }

    @Test
    void aLeaderInTheTargetKeepsLeadingWithoutAnEpochBump() {
        assertEquals(ApiError.NONE, reassign(T0, 0, 1, 3));
        assertEquals(reg(List.of(0, 1, 3, 2), List.of(0, 1, 2), 0, 0, 1, List.of(2), List.of(3)), h.partition("t", 0));
        alterIsr(0, 1, 2, 3);
        assertEquals(reg(List.of(0, 1, 3), List.of(0, 1, 3), 0, 0, 2, List.of(), List.of()), h.partition("t", 0));
    }

    @Test
    void anIsrChangeThatLeavesATargetReplicaOutDoesNotComplete() {
        assertEquals(ApiError.NONE, reassign(T0, 1, 2, 3));
        alterIsr(0, 1); // a shrink: 2 and 3 are not in sync
        assertEquals(reg(List.of(1, 2, 3, 0), List.of(0, 1), 0, 0, 2, List.of(0), List.of(3)), h.partition("t", 0));
        alterIsr(0, 1, 3);
        assertTrue(h.partition("t", 0).isReassigning(), "2 is a target replica not in sync yet");
        alterIsr(0, 1, 3, 2);
        assertEquals(reg(List.of(1, 2, 3), List.of(1, 3, 2), 1, 1, 4, List.of(), List.of()), h.partition("t", 0));
    }

    @Test
    void aReorderOrShrinkWhoseTargetIsAlreadyInSyncCompletesAtOnce() {
        assertEquals(ApiError.NONE, reassign(T0, 2, 1, 0));
        assertEquals(reg(List.of(2, 1, 0), List.of(0, 1, 2), 0, 0, 1, List.of(), List.of()), h.partition("t", 0));
        assertEquals(ApiError.NONE, reassign(T0, 2, 1));
        // 0 was leading and is removed: the first target replica in sync leads
        assertEquals(reg(List.of(2, 1), List.of(1, 2), 2, 1, 2, List.of(), List.of()), h.partition("t", 0));
        assertEquals(ApiError.NONE, reassign(T0, 2, 1), "the same target again changes nothing");
        assertEquals(2, h.partition("t", 0).partitionEpoch());
    }

    @Test
    void cancellingRevertsToTheOriginalReplicasAndDropsTheAddedOnesFromTheIsr() {
        assertEquals(ApiError.NONE, reassign(T0, 3, 1, 2));
        alterIsr(0, 1, 2); // no change
        PartitionRegistration p = h.partition("t", 0);
        assertEquals(List.of(3, 1, 2, 0), p.replicas());
        assertEquals(ApiError.NONE, cancel(T0));
        // Kafka's revert: the replicas without the adding ones, in their current order
        assertEquals(reg(List.of(1, 2, 0), List.of(0, 1, 2), 0, 0, 2, List.of(), List.of()), h.partition("t", 0));
        assertEquals(Errors.NO_REASSIGNMENT_IN_PROGRESS, cancel(T0).error());
        assertEquals("No partition reassignment is in progress.", cancel(T0).message());
    }

    @Test
    void cancellingWhenAnAddedReplicaLeadsElectsAnOriginalOne() {
        assertEquals(ApiError.NONE, reassign(T0, 3, 1, 2));
        alterIsr(0, 1, 3); // 3 caught up, 2 fell behind: not complete
        h.run(h.controller.brokerLeft(h.image, 0, null, h.time.milliseconds()));
        assertEquals(reg(List.of(3, 1, 2, 0), List.of(1, 3), 3, 1, 3, List.of(0), List.of(3)), h.partition("t", 0));
        assertEquals(ApiError.NONE, cancel(T0));
        assertEquals(reg(List.of(1, 2, 0), List.of(1), 1, 2, 4, List.of(), List.of()), h.partition("t", 0));
    }

    @Test
    void cancellingWhenOnlyAddedReplicasAreInSyncNeedsUncleanElection() {
        assertEquals(ApiError.NONE, reassign(T0, 0, 3, 1, 2));
        assertEquals(reg(List.of(0, 3, 1, 2), List.of(0, 1, 2), 0, 0, 1, List.of(), List.of(3)), h.partition("t", 0));
        alterIsr(0, 3);
        // 0 leaves: only 3 (being added) stays in sync and leads
        h.run(h.controller.brokerLeft(h.image, 0, null, h.time.milliseconds()));
        PartitionRegistration p = h.partition("t", 0);
        assertEquals(List.of(3), p.isr());
        assertEquals(3, p.leader());
        ApiError e = cancel(T0);
        assertEquals(Errors.INVALID_REPLICA_ASSIGNMENT, e.error());
        assertEquals("Unable to revert partition assignment for t:0 because it would require an unclean leader election.", e.message());
        h.run(h.controller.alterConfigs(h.image, ResourceType.TOPIC, "t", List.of(new ConfigChange(ReplicationControl.UNCLEAN_KEY,
                "true"))));
        assertEquals(ApiError.NONE, cancel(T0));
        p = h.partition("t", 0);
        assertEquals(List.of(0, 1, 2), p.replicas());
        assertEquals(List.of(1), p.isr(), "an unclean election of the first acceptable original replica (0 is fenced)");
        assertEquals(1, p.leader());
        assertTrue(!p.isReassigning());
    }

    @Test
    void aNewTargetDuringAReassignmentStartsFromTheCurrentReplicaSet() {
        assertEquals(ApiError.NONE, reassign(T0, 1, 2, 3));
        assertEquals(ApiError.NONE, reassign(T0, 0, 1, 2));
        // the current set [1,2,3,0] to [0,1,2]: only 3 is removed, and the ISR already has the whole target
        assertEquals(reg(List.of(0, 1, 2), List.of(0, 1, 2), 0, 0, 2, List.of(), List.of()), h.partition("t", 0));
    }

    @Test
    void invalidTargetsAreRefusedWithKafkasCodesAndMessages() {
        ApiError e = reassign(T0, List.of(), true);
        assertEquals(Errors.INVALID_REPLICA_ASSIGNMENT, e.error());
        assertEquals("The manual partition assignment includes an empty replica list.", e.message());
        e = reassign(T0, 1, 2, 1);
        assertEquals(Errors.INVALID_REPLICA_ASSIGNMENT, e.error());
        assertEquals("The manual partition assignment includes the broker 1 more than once.", e.message());
        e = reassign(T0, 1, 2, 7);
        assertEquals(Errors.INVALID_REPLICA_ASSIGNMENT, e.error());
        assertEquals("The manual partition assignment includes broker 7, but no such broker is registered.", e.message());
        e = reassign(T0, -1, 2);
        assertEquals(Errors.INVALID_REPLICA_ASSIGNMENT, e.error());
        e = reassign(new TopicPartition("nope", 0), 1, 2, 3);
        assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION, e.error());
        assertEquals("Unable to find a topic named nope.", e.message());
        e = reassign(new TopicPartition("t", 1), 1, 2, 3);
        assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION, e.error());
        assertEquals("Unable to find partition t:1.", e.message());
        e = cancel(new TopicPartition("t", 1));
        assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION, e.error());
        e = reassign(T0, List.of(1, 2), false);
        assertEquals(Errors.INVALID_REPLICATION_FACTOR, e.error());
        assertEquals("The replication factor is changed from 3 to 2", e.message());
        assertEquals(ApiError.NONE, reassign(T0, List.of(1, 2, 3), false));
        assertEquals(List.of(1, 2, 0), h.partition("t", 0).originalReplicas());
    }

    @Test
    void oneRequestDecidesEachPartitionInOrder() {
        h.run(h.controller.createPartitions(h.image, "t", 2, List.of(List.of(1, 2, 3))));
        List<ApiError> r = h.run(h.controller.alterPartitionReassignments(h.image, List.of(
                new PartitionReassignment(T0, List.of(1, 2, 3)), new PartitionReassignment(new TopicPartition("t", 1), null),
                new PartitionReassignment(new TopicPartition("t", 1), List.of(0, 1, 2))), true));
        assertEquals(List.of(Errors.NONE, Errors.NO_REASSIGNMENT_IN_PROGRESS, Errors.NONE), r.stream().map(ApiError::error).toList());
        assertEquals(List.of(1, 2, 3, 0), h.partition("t", 0).replicas());
        assertEquals(List.of(0, 1, 2, 3), h.partition("t", 1).replicas());
        assertEquals(List.of(0), h.partition("t", 1).addingReplicas());
        assertEquals(List.of(3), h.partition("t", 1).removingReplicas());
    }

    @Test
    void listShowsReassigningPartitionsOfAllOrTheNamedTopics() {
        h.run(h.controller.createPartitions(h.image, "t", 2, List.of(List.of(1, 2, 3))));
        assertEquals(Map.of(), ClusterController.listPartitionReassignments(h.image, null));
        reassign(T0, 1, 2, 3);
        PartitionRegistration p = h.partition("t", 0);
        assertEquals(Map.of(T0, p), ClusterController.listPartitionReassignments(h.image, null));
        assertEquals(Map.of(T0, p), ClusterController.listPartitionReassignments(h.image, List.of(T0, new TopicPartition("t", 1),
                new TopicPartition("t", 9), new TopicPartition("nope", 0))));
        assertEquals(Map.of(), ClusterController.listPartitionReassignments(h.image, List.of(new TopicPartition("t", 1))));
    }

    @Test
    void fencingARemovingReplicaShrinksTheIsrButNeverCompletesWithoutTheNewOnes() {
        reassign(T0, 1, 2, 3);
        h.run(h.controller.brokerLeft(h.image, 0, null, h.time.milliseconds()));
        PartitionRegistration p = h.partition("t", 0);
        assertEquals(List.of(1, 2), p.isr());
        assertEquals(1, p.leader());
        assertTrue(p.isReassigning(), "3 has not caught up");
        alterIsr(1, 2, 3);
        assertEquals(reg(List.of(1, 2, 3), List.of(1, 2, 3), 1, 1, 3, List.of(), List.of()), h.partition("t", 0));
    }
}
