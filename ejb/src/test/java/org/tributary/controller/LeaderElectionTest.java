package org.tributary.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.tributary.metadata.MetadataRecord;
import org.tributary.metadata.MetadataRecord.ResourceType;
import org.tributary.metadata.PartitionRegistration;

class LeaderElectionTest {
    final ControllerHarness h = new ControllerHarness();
    final TopicPartition tp = new TopicPartition("t", 0);

    @BeforeEach
    void threeBrokersOnePartitionLedBy1() {
        h.start(1, null);
        h.start(2, null);
        h.start(3, null);
        h.run(h.controller.createTopic(h.image, new CreateTopicRequest("t", -1, (short) -1, List.of(List.of(1, 2, 3)), null)));
    }

    void fence(int id) {
        h.run(h.controller.brokerLeft(h.image, id, null, h.time.milliseconds()));
    }

    @Test
    void fencingTheLeaderElectsTheNextInSyncReplicaAndShrinksTheIsr() {
        fence(1);
        assertEquals(new PartitionRegistration(List.of(1, 2, 3), List.of(2, 3), 2, 1, 1), h.partition("t", 0));
        fence(3);
        assertEquals(new PartitionRegistration(List.of(1, 2, 3), List.of(2), 2, 1, 2), h.partition("t", 0));
    }

    @Test
    void whenTheLastInSyncReplicaIsFencedThePartitionGoesOfflineAndKeepsItInTheIsr() {
        fence(2);
        fence(3);
        fence(1);
        assertEquals(new PartitionRegistration(List.of(1, 2, 3), List.of(1), MetadataRecord.NO_LEADER, 1, 3), h.partition("t", 0));
        h.register(2, null);
        h.heartbeat(2); // an out-of-sync replica coming back does not lead
        assertEquals(MetadataRecord.NO_LEADER, h.partition("t", 0).leader());
        h.register(1, null);
        h.heartbeat(1);
        assertEquals(new PartitionRegistration(List.of(1, 2, 3), List.of(1), 1, 2, 4), h.partition("t", 0));
    }

    @Test
    void withUncleanElectionEnabledTheFirstUnfencedReplicaLeadsAlone() {
        fence(2);
        fence(3);
        h.run(h.controller.alterConfigs(h.image, ResourceType.TOPIC, "t",
                List.of(new ConfigChange(ReplicationControl.UNCLEAN_KEY, "true"))));
        h.register(3, null);
        h.heartbeat(3);
        fence(1);
        PartitionRegistration p = h.partition("t", 0);
        assertEquals(3, p.leader());
        assertEquals(List.of(3), p.isr());
    }

    @Test
    void uncleanElectionOnRequestPicksAnUnfencedReplicaOfAnOfflinePartition() {
        fence(2);
        fence(3);
        fence(1);
        Map<TopicPartition, ApiError> none = h.run(h.controller.electLeaders(h.image, ElectionType.UNCLEAN, List.of(tp)));
        assertEquals(Errors.ELIGIBLE_LEADERS_NOT_AVAILABLE, none.get(tp).error());
        h.register(3, null);
        h.heartbeat(3);
        Map<TopicPartition, ApiError> r = h.run(h.controller.electLeaders(h.image, ElectionType.UNCLEAN, List.of(tp)));
        assertEquals(Errors.NONE, r.get(tp).error());
        assertEquals(new PartitionRegistration(List.of(1, 2, 3), List.of(3), 3, 2, 4), h.partition("t", 0));
        assertEquals(Errors.ELECTION_NOT_NEEDED, h.run(h.controller.electLeaders(h.image, ElectionType.UNCLEAN, List.of(tp)))
                .get(tp).error());
    }

    @Test
    void preferredElectionMovesLeadershipBackToTheFirstReplicaOnceInSync() {
        fence(1);
        assertEquals(2, h.partition("t", 0).leader());
        h.register(1, null);
        h.heartbeat(1);
        assertEquals(Errors.PREFERRED_LEADER_NOT_AVAILABLE,
                h.run(h.controller.electLeaders(h.image, ElectionType.PREFERRED, List.of(tp))).get(tp).error());
        PartitionRegistration p = h.partition("t", 0);
        AlterPartitionRequest expand = new AlterPartitionRequest(2, h.epoch(2), List.of(new AlterPartitionRequest.PartitionIsr(
                h.image.topic("t").orElseThrow().id(), 0, p.leaderEpoch(), p.partitionEpoch(),
                List.of(new AlterPartitionRequest.IsrMember(2, h.epoch(2)), new AlterPartitionRequest.IsrMember(3, -1),
                        new AlterPartitionRequest.IsrMember(1, h.epoch(1))))));
        assertEquals(Errors.NONE, h.run(h.controller.alterPartition(h.image, expand)).partitions().get(0).error().error());
        Map<TopicPartition, ApiError> r = h.run(h.controller.electLeaders(h.image, ElectionType.PREFERRED, null));
        assertEquals(Map.of(tp, ApiError.NONE), r);
        assertEquals(1, h.partition("t", 0).leader());
        assertEquals(2, h.partition("t", 0).leaderEpoch());
        assertEquals(Map.of(), h.run(h.controller.electLeaders(h.image, ElectionType.PREFERRED, null)));
        assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION, h.run(h.controller.electLeaders(h.image, ElectionType.PREFERRED,
                List.of(new TopicPartition("t", 9)))).get(new TopicPartition("t", 9)).error());
    }

    @Test
    void twoFencingsInOneBatchBothApply() {
        h.time.advance(ControllerHarness.SESSION_MS + 1);
        h.heartbeat(3);
        assertEquals(List.of(1, 2), h.run(h.controller.fenceExpiredBrokers(h.image, h.time.milliseconds())));
        assertEquals(new PartitionRegistration(List.of(1, 2, 3), List.of(3), 3, 2, 2), h.partition("t", 0));
    }
}
