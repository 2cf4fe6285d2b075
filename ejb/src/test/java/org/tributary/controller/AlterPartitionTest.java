package org.tributary.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.tributary.controller.AlterPartitionRequest.IsrMember;
import org.tributary.controller.AlterPartitionRequest.PartitionIsr;
import org.tributary.metadata.PartitionRegistration;

class AlterPartitionTest {
    final ControllerHarness h = new ControllerHarness();
    Uuid topic;

    @BeforeEach
    void threeBrokersOnePartitionLedBy1() {
        h.start(1, null);
        h.start(2, null);
        h.start(3, null);
        h.run(h.controller.createTopic(h.image, new CreateTopicRequest("t", -1, (short) -1, List.of(List.of(1, 2, 3)), null)));
        topic = h.image.topic("t").orElseThrow().id();
    }

    List<IsrMember> members(int... ids) {
        List<IsrMember> out = new ArrayList<>();
        for (int id : ids) {
            out.add(new IsrMember(id, h.epoch(id)));
        }
        return out;
    }

    AlterPartitionResponse.PartitionResult alter(int sender, int leaderEpoch, int partitionEpoch, List<IsrMember> isr) {
        AlterPartitionResponse r = h.run(h.controller.alterPartition(h.image, new AlterPartitionRequest(sender, h.epoch(sender),
                List.of(new PartitionIsr(topic, 0, leaderEpoch, partitionEpoch, isr)))));
        assertEquals(ApiError.NONE, r.error());
        return r.partitions().get(0);
    }

    Errors error(int sender, int leaderEpoch, int partitionEpoch, List<IsrMember> isr) {
        long before = h.image.offset();
        Errors e = alter(sender, leaderEpoch, partitionEpoch, isr).error().error();
        if (e != Errors.NONE) {
            assertEquals(before, h.image.offset(), "a refused change writes nothing");
        }
        return e;
    }

    @Test
    void theLeaderShrinksAndExpandsTheIsrWithCompareAndSetOnThePartitionEpoch() {
        AlterPartitionResponse.PartitionResult shrink = alter(1, 0, 0, members(1, 2));
        assertEquals(new PartitionRegistration(List.of(1, 2, 3), List.of(1, 2), 1, 0, 1), shrink.registration());
        assertEquals(Errors.INVALID_UPDATE_VERSION, error(1, 0, 0, members(1, 2, 3)));
        AlterPartitionResponse.PartitionResult expand = alter(1, 0, 1, members(1, 2, 3));
        assertEquals(new PartitionRegistration(List.of(1, 2, 3), List.of(1, 2, 3), 1, 0, 2), expand.registration());
        assertEquals(expand.registration(), h.partition("t", 0));
    }

    @Test
    void staleOrForeignRequestsAreRefusedWithKafkasCodes() {
        assertEquals(Errors.INVALID_REQUEST, error(2, 0, 0, members(2, 3)));
        assertEquals(Errors.NOT_CONTROLLER, error(1, 1, 0, members(1, 2)));
        assertEquals(Errors.NOT_CONTROLLER, error(1, 0, 1, members(1, 2)));
        assertEquals(Errors.INVALID_REQUEST, error(1, 0, 0, members(2, 3)));
        assertEquals(Errors.INVALID_REQUEST, error(1, 0, 0, List.of(new IsrMember(1, -1), new IsrMember(4, -1))));
        assertEquals(Errors.INVALID_REQUEST, error(1, 0, 0, List.of()));
        h.run(h.controller.brokerLeft(h.image, 1, null, h.time.milliseconds()));
        assertEquals(2, h.partition("t", 0).leader());
        h.register(1, null);
        h.heartbeat(1);
        assertEquals(Errors.FENCED_LEADER_EPOCH, error(1, 0, 1, members(1, 2, 3)));
    }

    @Test
    void fencedShuttingDownOrStaleEpochMembersAreIneligible() {
        h.run(h.controller.brokerLeft(h.image, 3, null, h.time.milliseconds()));
        PartitionRegistration p = h.partition("t", 0);
        assertEquals(Errors.INELIGIBLE_REPLICA, error(1, p.leaderEpoch(), p.partitionEpoch(), members(1, 2, 3)));
        assertEquals(Errors.INELIGIBLE_REPLICA, error(1, p.leaderEpoch(), p.partitionEpoch(),
                List.of(new IsrMember(1, -1), new IsrMember(2, h.epoch(2) - 1))));
        h.register(3, null);
        h.heartbeat(3);
        assertEquals(Errors.NONE, error(1, p.leaderEpoch(), p.partitionEpoch(), members(1, 2, 3)));
    }

    @Test
    void unknownTopicsPartitionsAndSenderEpochsAreRefused() {
        AlterPartitionResponse r = h.run(h.controller.alterPartition(h.image, new AlterPartitionRequest(1, h.epoch(1) + 1,
                List.of(new PartitionIsr(topic, 0, 0, 0, members(1))))));
        assertEquals(Errors.STALE_BROKER_EPOCH, r.error().error());
        r = h.run(h.controller.alterPartition(h.image, new AlterPartitionRequest(1, h.epoch(1), List.of(
                new PartitionIsr(Uuid.randomUuid(), 0, 0, 0, members(1)), new PartitionIsr(topic, 5, 0, 0, members(1))))));
        assertEquals(Errors.UNKNOWN_TOPIC_ID, r.partitions().get(0).error().error());
        assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION, r.partitions().get(1).error().error());
    }
}
