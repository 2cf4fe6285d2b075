package org.tributary.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.tributary.metadata.PartitionRegistration;

/**
 * Automatic leader balancing ({@code auto.leader.rebalance.enable}) as Kafka's KRaft controller
 * does it: each round gives every partition not led by its preferred replica back to that replica
 * once it is unfenced and in the ISR, whatever share of a broker's partitions is affected, at most
 * a capped number per round.
 */
class LeaderBalancingTest {
    final ControllerHarness h = new ControllerHarness();

    @BeforeEach
    void threeBrokersThreePartitionsEachPreferringAnother() {
        h.start(1, null);
        h.start(2, null);
        h.start(3, null);
        h.run(h.controller.createTopic(h.image, new CreateTopicRequest("t", -1, (short) -1,
                List.of(List.of(1, 2, 3), List.of(2, 3, 1), List.of(3, 1, 2), List.of(1, 3, 2)), null)));
    }

    private List<Integer> leaders() {
        List<Integer> l = new ArrayList<>();
        for (int p = 0; p < 4; p++) {
            l.add(h.partition("t", p).leader());
        }
        return l;
    }

    private boolean round(int max) {
        return h.run(h.controller.balancePartitionLeaders(h.image, max));
    }

    /** Broker {@code id}'s ISR membership back on every partition (what its leaders' AlterPartition asks once it caught up). */
    private void rejoinIsr(int id) {
        for (int p = 0; p < 4; p++) {
            PartitionRegistration part = h.partition("t", p);
            if (part.isr().contains(id)) {
                continue;
            }
            int leader = part.leader();
            List<AlterPartitionRequest.IsrMember> isr = new ArrayList<>();
            for (int r : part.isr()) {
                isr.add(new AlterPartitionRequest.IsrMember(r, h.epoch(r)));
            }
            isr.add(new AlterPartitionRequest.IsrMember(id, h.epoch(id)));
            AlterPartitionRequest expand = new AlterPartitionRequest(leader, h.epoch(leader), List.of(new AlterPartitionRequest.PartitionIsr(
                    h.image.topic("t").orElseThrow().id(), p, part.leaderEpoch(), part.partitionEpoch(), isr)));
            assertEquals(Errors.NONE, h.run(h.controller.alterPartition(h.image, expand)).partitions().get(0).error().error());
        }
    }

    @Test
    void leadershipReturnsToThePreferredReplicaOnlyOnceItIsBackInTheIsr() {
        assertEquals(List.of(1, 2, 3, 1), leaders());
        h.run(h.controller.brokerLeft(h.image, 1, null, h.time.milliseconds()));
        assertEquals(List.of(2, 2, 3, 3), leaders(), "broker 1's leaderships moved to the next in-sync replica");
        assertFalse(round(ControllerServer.MAX_ELECTIONS_PER_REBALANCE));
        assertEquals(List.of(2, 2, 3, 3), leaders(), "a fenced preferred replica does not lead");
        h.register(1, null);
        h.heartbeat(1);
        assertFalse(round(ControllerServer.MAX_ELECTIONS_PER_REBALANCE));
        assertEquals(List.of(2, 2, 3, 3), leaders(), "an unfenced preferred replica outside the ISR does not lead");
        rejoinIsr(1);
        long epochBefore = h.partition("t", 0).leaderEpoch();
        assertFalse(round(ControllerServer.MAX_ELECTIONS_PER_REBALANCE));
        assertEquals(List.of(1, 2, 3, 1), leaders(), "both of broker 1's partitions are balanced (half its share would do in Kafka 3's ZK rule)");
        assertEquals(epochBefore + 1, h.partition("t", 0).leaderEpoch());
        assertEquals(List.of(1, 2, 3), h.partition("t", 0).isr().stream().sorted().toList());
        long offset = h.image.offset();
        assertFalse(round(ControllerServer.MAX_ELECTIONS_PER_REBALANCE));
        assertEquals(offset, h.image.offset(), "a balanced cluster writes nothing");
    }

    @Test
    void aRoundMakesAtMostTheCappedNumberOfElectionsAndSaysMoreRemain() {
        h.run(h.controller.brokerLeft(h.image, 1, null, h.time.milliseconds()));
        h.register(1, null);
        h.heartbeat(1);
        rejoinIsr(1);
        assertEquals(List.of(2, 2, 3, 3), leaders());
        assertTrue(round(1), "one of two elections made");
        assertEquals(List.of(1, 2, 3, 3), leaders());
        assertFalse(round(1));
        assertEquals(List.of(1, 2, 3, 1), leaders());
    }
}
