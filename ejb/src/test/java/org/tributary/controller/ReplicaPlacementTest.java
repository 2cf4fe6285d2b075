package org.tributary.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;
import org.tributary.metadata.BrokerRegistration;
import org.tributary.metadata.TopicImage;

class ReplicaPlacementTest {
    final ControllerHarness h = new ControllerHarness();

    @Test
    void replicasOfAPartitionSitOnDistinctRacksWhileRacksAllow() {
        for (int id = 1; id <= 6; id++) {
            h.start(id, "rack-" + (char) ('a' + (id - 1) % 3));
        }
        h.createTopic("t", 30, 3);
        TopicImage t = h.image.topic("t").orElseThrow();
        for (List<Integer> replicas : t.assignment()) {
            Set<String> racks = new HashSet<>();
            replicas.forEach(b -> racks.add(h.broker(b).rack()));
            assertEquals(3, racks.size(), "replicas " + replicas);
        }
    }

    @Test
    void unevenRacksStillSpreadAndFallBackOnceEveryRackIsUsed() {
        h.start(1, "a");
        h.start(2, "a");
        h.start(3, "a");
        h.start(4, "b");
        h.createTopic("t", 12, 3);
        for (List<Integer> replicas : h.image.topic("t").orElseThrow().assignment()) {
            assertEquals(3, new HashSet<>(replicas).size());
            assertTrue(replicas.contains(4), "rack b must hold a replica of " + replicas);
        }
    }

    @Test
    void leadersAndReplicasAreBalancedAcrossBrokers() {
        for (int id = 1; id <= 4; id++) {
            h.start(id, null);
        }
        h.createTopic("t", 12, 3);
        Map<Integer, Integer> leaders = new HashMap<>();
        Map<Integer, Integer> replicas = new HashMap<>();
        for (List<Integer> r : h.image.topic("t").orElseThrow().assignment()) {
            leaders.merge(r.get(0), 1, Integer::sum);
            r.forEach(b -> replicas.merge(b, 1, Integer::sum));
        }
        assertEquals(Map.of(1, 3, 2, 3, 3, 3, 4, 3), leaders);
        assertEquals(Map.of(1, 9, 2, 9, 3, 9, 4, 9), replicas);
        h.createTopic("u", 1, 1);
        h.createTopic("v", 1, 1);
        assertTrue(h.partition("u", 0).leader() != h.partition("v", 0).leader(), "successive topics continue the round");
    }

    @Test
    void placementIsDeterministicForTheSameBrokersAndStart() {
        List<BrokerRegistration> brokers = List.of(
                new BrokerRegistration(3, new org.apache.kafka.common.Uuid(0, 3), 1, "h", 1, 1, "x", false, false, true),
                new BrokerRegistration(1, new org.apache.kafka.common.Uuid(0, 1), 1, "h", 1, 1, "y", false, false, true),
                new BrokerRegistration(2, new org.apache.kafka.common.Uuid(0, 2), 1, "h", 1, 1, "x", false, false, true));
        assertEquals(ReplicaPlacer.place(brokers, 5, 10, 2), ReplicaPlacer.place(List.of(brokers.get(2), brokers.get(0),
                brokers.get(1)), 5, 10, 2));
        // racks in turn: x:2, y:1, x:3
        assertEquals(List.of(List.of(2, 1), List.of(1, 3), List.of(3, 1)), ReplicaPlacer.place(brokers, 0, 3, 2));
    }

    @Test
    void fencedAndShuttingDownBrokersGetNoNewReplicasAndTooFewBrokersAreRefused() {
        h.start(1, null);
        h.start(2, null);
        h.register(3, null);
        CreateTopicResponse r = h.run(h.controller.createTopic(h.image, CreateTopicRequest.of("t", 1, 3)));
        assertEquals(Errors.INVALID_REPLICATION_FACTOR, r.error().error());
        assertTrue(r.error().message().contains("only 2 broker(s)"), r.error().message());
        h.createTopic("t", 6, 2);
        h.heartbeat(2, false, true);
        assertEquals(Errors.INVALID_REPLICATION_FACTOR,
                h.run(h.controller.createPartitions(h.image, "t", 8, null)).error());
        assertEquals(ApiError.NONE, h.run(h.controller.createTopic(h.image, CreateTopicRequest.of("u", 2, 1))).error());
        assertEquals(List.of(List.of(1), List.of(1)), h.image.topic("u").orElseThrow().assignment());
    }
}
