package org.tributary.metadata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;
import org.tributary.metadata.MetadataRecord.ConfigRecord;
import org.tributary.metadata.MetadataRecord.ControlledShutdownRecord;
import org.tributary.metadata.MetadataRecord.FenceBrokerRecord;
import org.tributary.metadata.MetadataRecord.NoOpRecord;
import org.tributary.metadata.MetadataRecord.PartitionChangeRecord;
import org.tributary.metadata.MetadataRecord.PartitionRecord;
import org.tributary.metadata.MetadataRecord.ProducerIdsRecord;
import org.tributary.metadata.MetadataRecord.RegisterBrokerRecord;
import org.tributary.metadata.MetadataRecord.RemoveTopicRecord;
import org.tributary.metadata.MetadataRecord.ResourceType;
import org.tributary.metadata.MetadataRecord.TopicRecord;
import org.tributary.metadata.MetadataRecord.UnfenceBrokerRecord;

class MetadataDeltaTest {
    static final Uuid A = Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAQ");
    static final Uuid B = Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAg");

    static RegisterBrokerRecord register(int id) {
        return new RegisterBrokerRecord(id, new Uuid(0, id + 1), MetadataRecord.EPOCH_OF_ENTRY, "h" + id, 9092, 8080, null, true, true);
    }

    static MetadataImage threeBrokersAndTopicA() {
        MetadataImage img = MetadataDelta.apply(MetadataImage.EMPTY, List.of(register(1), register(2), register(3)), 10, 1);
        img = MetadataDelta.apply(img, List.of(new UnfenceBrokerRecord(1, 10), new UnfenceBrokerRecord(2, 10),
                new UnfenceBrokerRecord(3, 10)), 11, 1);
        return MetadataDelta.apply(img, List.of(new TopicRecord("a", A),
                new ConfigRecord(ResourceType.TOPIC, "a", "retention.ms", "5"),
                new PartitionRecord(A, 0, List.of(1, 2, 3), List.of(1, 2, 3), 1, 0, 0),
                new PartitionRecord(A, 1, List.of(2, 3, 1), List.of(2, 3, 1), 2, 0, 0)), 12, 2);
    }

    @Test
    void registrationTakesTheEntryOffsetAsBrokerEpochAndStartsFenced() {
        MetadataImage img = MetadataDelta.apply(MetadataImage.EMPTY, List.of(register(5)), 41, 3);
        BrokerRegistration b = img.broker(5).orElseThrow();
        assertEquals(41, b.epoch());
        assertTrue(b.fenced());
        assertEquals(41, img.offset());
        assertEquals(3, img.epoch());
        assertEquals(42, img.version());
        MetadataImage unfenced = MetadataDelta.apply(img, List.of(new UnfenceBrokerRecord(5, 41)), 42, 3);
        assertFalse(unfenced.broker(5).orElseThrow().fenced());
        MetadataImage shutting = MetadataDelta.apply(unfenced, List.of(new ControlledShutdownRecord(5, 41)), 43, 3);
        assertTrue(shutting.broker(5).orElseThrow().inControlledShutdown());
        MetadataImage fenced = MetadataDelta.apply(shutting, List.of(new FenceBrokerRecord(5, 41)), 44, 3);
        assertTrue(fenced.broker(5).orElseThrow().fenced());
        assertFalse(fenced.broker(5).orElseThrow().inControlledShutdown());
    }

    @Test
    void fencingWithAStaleBrokerEpochIsRefused() {
        MetadataImage img = MetadataDelta.apply(MetadataImage.EMPTY, List.of(register(5)), 41, 3);
        assertThrows(IllegalStateException.class, () -> MetadataDelta.apply(img, List.of(new FenceBrokerRecord(5, 40)), 42, 3));
        assertThrows(IllegalStateException.class, () -> MetadataDelta.apply(img, List.of(new UnfenceBrokerRecord(6, 41)), 42, 3));
    }

    @Test
    void partitionChangeBumpsPartitionEpochAlwaysAndLeaderEpochOnlyWithALeader() {
        MetadataImage img = threeBrokersAndTopicA();
        MetadataImage shrunk = MetadataDelta.apply(img, List.of(
                new PartitionChangeRecord(A, 0, List.of(1, 2), MetadataRecord.NO_LEADER_CHANGE, null)), 13, 2);
        PartitionRegistration p = shrunk.topic(A).orElseThrow().partition(0);
        assertEquals(List.of(1, 2), p.isr());
        assertEquals(1, p.leader());
        assertEquals(0, p.leaderEpoch());
        assertEquals(1, p.partitionEpoch());
        MetadataImage moved = MetadataDelta.apply(shrunk, List.of(new PartitionChangeRecord(A, 0, List.of(2), 2, null)), 14, 2);
        p = moved.topic("a").orElseThrow().partition(0);
        assertEquals(List.of(2), p.isr());
        assertEquals(2, p.leader());
        assertEquals(1, p.leaderEpoch());
        assertEquals(2, p.partitionEpoch());
        assertEquals(List.of(1, 2, 3), p.replicas());
    }

    @Test
    void unchangedTopicsAreSharedWithTheBaseImage() {
        MetadataImage img = MetadataDelta.apply(threeBrokersAndTopicA(), List.of(new TopicRecord("b", B),
                new PartitionRecord(B, 0, List.of(1), List.of(1), 1, 0, 0)), 13, 2);
        MetadataImage next = MetadataDelta.apply(img, List.of(
                new PartitionChangeRecord(B, 0, null, MetadataRecord.NO_LEADER, null)), 14, 2);
        assertSame(img.topic("a").orElseThrow(), next.topic("a").orElseThrow());
        assertEquals(MetadataRecord.NO_LEADER, next.topic("b").orElseThrow().partition(0).leader());
    }

    @Test
    void aBatchWithABadRecordChangesNothing() {
        MetadataImage img = threeBrokersAndTopicA();
        MetadataImage copy = MetadataSnapshot.load(MetadataSnapshot.records(img), img.offset(), img.epoch());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> MetadataDelta.apply(img, List.of(
                new RemoveTopicRecord(A),
                new PartitionChangeRecord(A, 0, List.of(1), MetadataRecord.NO_LEADER_CHANGE, null)), 13, 2));
        assertTrue(e.getMessage().contains("record 2"), e.getMessage());
        assertEquals(copy, img);
        assertTrue(img.topic("a").isPresent());
    }

    @Test
    void inconsistentPartitionsAreRefused() {
        MetadataImage img = threeBrokersAndTopicA();
        List<List<MetadataRecord>> bad = List.of(
                List.of(new PartitionRecord(A, 3, List.of(1), List.of(1), 1, 0, 0)), // gap
                List.of(new PartitionRecord(B, 0, List.of(1), List.of(1), 1, 0, 0)), // unknown topic
                List.of(new PartitionChangeRecord(A, 0, List.of(4), MetadataRecord.NO_LEADER_CHANGE, null)), // ISR outside replicas
                List.of(new PartitionChangeRecord(A, 0, List.of(), MetadataRecord.NO_LEADER_CHANGE, null)), // empty ISR
                List.of(new PartitionChangeRecord(A, 0, List.of(2, 3), MetadataRecord.NO_LEADER_CHANGE, null)), // leader out of ISR
                List.of(new PartitionChangeRecord(A, 2, null, 1, null)), // unknown partition
                List.of(new TopicRecord("a", B)), // name taken
                List.of(new TopicRecord("c", A))); // id taken
        for (List<MetadataRecord> batch : bad) {
            assertThrows(IllegalStateException.class, () -> MetadataDelta.apply(img, batch, 13, 2), batch.toString());
        }
    }

    @Test
    void configsAreSetAndDeletedAndGoWithTheirTopic() {
        MetadataImage img = MetadataDelta.apply(threeBrokersAndTopicA(), List.of(
                new ConfigRecord(ResourceType.TOPIC, "a", "retention.ms", null),
                new ConfigRecord(ResourceType.TOPIC, "a", "cleanup.policy", "compact"),
                new ConfigRecord(ResourceType.BROKER, "", "unclean.leader.election.enable", "true"),
                new ConfigRecord(ResourceType.BROKER, "2", "x", "y")), 13, 2);
        assertEquals(Map.of("cleanup.policy", "compact"), img.topic("a").orElseThrow().configs());
        assertEquals(Map.of("unclean.leader.election.enable", "true"), img.brokerConfig(""));
        MetadataImage after = MetadataDelta.apply(img, List.of(new ConfigRecord(ResourceType.BROKER, "2", "x", null),
                new RemoveTopicRecord(A), new TopicRecord("a", B)), 14, 2);
        assertEquals(Map.of(), after.topic("a").orElseThrow().configs());
        assertEquals(B, after.topic("a").orElseThrow().id());
        assertTrue(after.topic(A).isEmpty());
        assertFalse(after.brokerConfigs().containsKey("2"));
        assertThrows(IllegalStateException.class, () -> MetadataDelta.apply(after, List.of(
                new ConfigRecord(ResourceType.TOPIC, "nope", "k", "v")), 15, 2));
    }

    @Test
    void producerIdsOnlyGoForward() {
        MetadataImage img = MetadataDelta.apply(MetadataImage.EMPTY, List.of(new ProducerIdsRecord(1, 0, 1000)), 0, 1);
        assertEquals(1000, img.nextProducerId());
        assertThrows(IllegalStateException.class, () -> MetadataDelta.apply(img, List.of(new ProducerIdsRecord(1, 0, 1000)), 1, 1));
        assertThrows(IllegalStateException.class, () -> MetadataDelta.apply(img, List.of(new ProducerIdsRecord(1, 0, 999)), 1, 1));
    }

    @Test
    void offsetsAndEpochsMustMoveForward() {
        MetadataImage img = MetadataDelta.apply(MetadataImage.EMPTY, List.of(new NoOpRecord()), 5, 2);
        assertThrows(IllegalStateException.class, () -> MetadataDelta.apply(img, List.of(new NoOpRecord()), 5, 2));
        assertThrows(IllegalStateException.class, () -> MetadataDelta.apply(img, List.of(new NoOpRecord()), 6, 1));
    }

    @Test
    void legacyTopicImagesGetFirstReplicaAsLeaderAndFullIsr() {
        TopicImage t = new TopicImage("x", A, List.of(List.of(2, 1), List.of(1, 2)), Map.of());
        assertEquals(new PartitionRegistration(List.of(2, 1), List.of(2, 1), 2, 0, 0), t.partition(0));
        assertEquals(List.of(List.of(2, 1), List.of(1, 2)), t.assignment());
        assertEquals(2, t.replicationFactor());
        TopicImage grown = MetadataDelta.apply(threeBrokersAndTopicA(), List.of(
                new PartitionChangeRecord(A, 0, List.of(1), MetadataRecord.NO_LEADER_CHANGE, null)), 13, 2).topic(A).orElseThrow();
        TopicImage reassigned = grown.withAssignment(List.of(List.of(1, 2, 3), List.of(3, 1, 2), List.of(1, 2, 3)));
        assertSame(grown.partition(0), reassigned.partition(0));
        assertEquals(PartitionRegistration.initial(List.of(3, 1, 2)), reassigned.partition(1));
    }

    @Test
    void partitionChangesSetAndClearAReassignmentAndBadReassignmentStateIsRefused() {
        MetadataImage img = MetadataDelta.apply(MetadataImage.EMPTY, List.of(new TopicRecord("r", A),
                new PartitionRecord(A, 0, List.of(0, 1, 2), List.of(0, 1, 2), 0, 0, 0)), 0, 1);
        img = MetadataDelta.apply(img, List.of(new PartitionChangeRecord(A, 0, null, MetadataRecord.NO_LEADER_CHANGE,
                List.of(1, 2, 3, 0), List.of(0), List.of(3))), 1, 1);
        assertEquals(new PartitionRegistration(List.of(1, 2, 3, 0), List.of(0, 1, 2), 0, 0, 1, List.of(0), List.of(3)),
                img.topic("r").orElseThrow().partition(0));
        MetadataImage reassigning = img;
        MetadataImage done = MetadataDelta.apply(img, List.of(new PartitionChangeRecord(A, 0, List.of(1, 2, 3), 1, List.of(1, 2, 3),
                List.of(), List.of())), 2, 1);
        assertEquals(new PartitionRegistration(List.of(1, 2, 3), List.of(1, 2, 3), 1, 1, 2),
                done.topic("r").orElseThrow().partition(0));
        for (PartitionChangeRecord bad : List.of(
                new PartitionChangeRecord(A, 0, null, MetadataRecord.NO_LEADER_CHANGE, null, null, List.of(7)),
                new PartitionChangeRecord(A, 0, null, MetadataRecord.NO_LEADER_CHANGE, null, List.of(3), null),
                new PartitionChangeRecord(A, 0, null, MetadataRecord.NO_LEADER_CHANGE, null, List.of(1, 1), null),
                new PartitionChangeRecord(A, 0, null, MetadataRecord.NO_LEADER_CHANGE, null, List.of(0, 1, 2, 3), List.of()))) {
            assertThrows(IllegalStateException.class, () -> MetadataDelta.apply(reassigning, List.of(bad), 2, 1), bad.toString());
        }
    }
}
