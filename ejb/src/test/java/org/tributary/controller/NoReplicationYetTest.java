package org.tributary.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tributary.metadata.PartitionRegistration;
import org.tributary.metadata.TopicImage;

/**
 * While followers do not copy their leader's log, a replica other than the leader holds no data:
 * it must never be in the ISR, so the loss of the leader's broker takes the partition offline
 * (leader -1) instead of electing an empty replica, and its return brings the data back.
 */
class NoReplicationYetTest {
    @Test
    void anRf3PartitionHasOnlyItsLeaderInSyncAndGoesOfflineWithIt() {
        ControllerHarness h = new ControllerHarness();
        h.config = new ControllerConfig(ControllerHarness.SESSION_MS, 1, (short) 1, 10_000, false);
        h.controller = h.newController();
        for (int id = 1; id <= 3; id++) {
            h.start(id, null);
        }
        CreateTopicResponse created = h.run(h.controller.createTopic(h.image, new CreateTopicRequest("t", 3, (short) 3, List.of(), Map.of())));
        assertEquals(true, created.error().isSuccess(), created.error().toString());
        TopicImage t = h.image.topic("t").orElseThrow();
        for (PartitionRegistration p : t.partitions()) {
            assertEquals(3, p.replicas().size());
            assertEquals(List.of(p.leader()), p.isr(), "only the leader is in sync");
            assertEquals(p.replicas().get(0), p.leader());
        }
        int leader0 = t.partition(0).leader();
        h.run(h.controller.brokerLeft(h.image, leader0, null, h.time.milliseconds()));
        PartitionRegistration offline = h.image.topic("t").orElseThrow().partition(0);
        assertEquals(-1, offline.leader(), "no empty follower is elected");
        assertEquals(List.of(leader0), offline.isr());
        h.run(h.controller.registerBroker(h.image, new RegisterBrokerRequest(leader0, org.apache.kafka.common.Uuid.randomUuid(),
                "host", 9092, 8080, null, true), h.time.milliseconds()));
        h.heartbeat(leader0);
        assertEquals(leader0, h.image.topic("t").orElseThrow().partition(0).leader(), "its broker's return brings the partition back");
    }
}
