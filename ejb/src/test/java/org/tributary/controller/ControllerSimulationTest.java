package org.tributary.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;
import org.tributary.metadata.BrokerRegistration;
import org.tributary.metadata.MetadataCodec;
import org.tributary.metadata.MetadataImage;
import org.tributary.metadata.MetadataRecord;
import org.tributary.metadata.MetadataRecord.RegisterBrokerRecord;
import org.tributary.metadata.MetadataSnapshot;
import org.tributary.metadata.PartitionRegistration;
import org.tributary.metadata.TopicImage;

/**
 * Random interleavings of every controller operation, clock advances, commits and controller
 * failovers (dropping the uncommitted tail), with the safety invariants checked after every step.
 * A failure names the seed and step; rerun that seed alone with {@code -Dsim.seed=N}.
 */
class ControllerSimulationTest {
    static final int SEEDS = Integer.getInteger("sim.seeds", 200);
    static final int STEPS = Integer.getInteger("sim.steps", 300);

    @Test
    void controllerKeepsItsSafetyInvariantsUnderRandomOperationsAndFailovers() {
        Long only = Long.getLong("sim.seed");
        long failovers = 0;
        long entries = 0;
        Map<String, Integer> outcomes = new java.util.TreeMap<>();
        for (long seed = only == null ? 0 : only; seed < (only == null ? SEEDS : only + 1); seed++) {
            SimulatedCluster sim = new SimulatedCluster(seed);
            Checker checker = new Checker(sim);
            for (int step = 0; step < STEPS; step++) {
                try {
                    sim.step();
                    checker.check();
                } catch (Throwable e) {
                    throw new AssertionError("seed " + seed + " step " + step + " (" + sim.lastAction + "): " + e.getMessage(), e);
                }
            }
            failovers += sim.failovers;
            sim.outcomes.forEach((k, v) -> outcomes.merge(k, v, Integer::sum));
            entries += sim.log.committed();
        }
        System.out.println("controller simulation: " + failovers + " failovers, " + entries + " committed entries, outcomes "
                + outcomes);
        assertTrue(failovers > SEEDS, "failovers happened: " + failovers);
        if (only == null) {
            for (String expected : List.of("alterPartition NONE", "alterPartition INVALID_UPDATE_VERSION",
                    "alterPartition FENCED_LEADER_EPOCH", "alterPartition INELIGIBLE_REPLICA", "alterPartition STALE_BROKER_EPOCH",
                    "register DUPLICATE_BROKER_REGISTRATION", "register NONE", "heartbeat NONE+SHUTDOWN",
                    "heartbeat NONE+CONTROLLED_SHUTDOWN", "heartbeat STALE_BROKER_EPOCH", "expire fenced", "memberLeft NONE",
                    "create NONE", "create TOPIC_ALREADY_EXISTS", "create INVALID_REPLICATION_FACTOR", "create INVALID_TOPIC_EXCEPTION",
                    "create INVALID_REPLICA_ASSIGNMENT", "delete NONE", "createPartitions NONE", "topicConfig NONE", "elect NONE",
                    "elect PREFERRED_LEADER_NOT_AVAILABLE", "elect ELIGIBLE_LEADERS_NOT_AVAILABLE", "producerIds NONE", "producerIds STALE_BROKER_EPOCH",
                    "reassign NONE", "reassign INVALID_REPLICA_ASSIGNMENT", "reassign NO_REASSIGNMENT_IN_PROGRESS",
                    "reassign UNKNOWN_TOPIC_OR_PARTITION", "reassign IN_PROGRESS", "reassign COMPLETED")) {
                assertTrue(outcomes.getOrDefault(expected, 0) > 0, "the simulation never produced " + expected + ": " + outcomes);
            }
        }
        assertTrue(entries > SEEDS * 20L, "entries committed: " + entries);
    }

    /** The invariants, with the history they need across the whole run. */
    static final class Checker {
        private final SimulatedCluster sim;
        private final Map<String, Integer> leaderOfEpoch = new HashMap<>();
        private final Map<String, int[]> lastEpochs = new HashMap<>();
        private int checkedCommitted;
        private int checkedGrants;
        private long grantsEnd;
        private final Map<SimulatedCluster.Proc, MetadataImage> checkedImages = new java.util.IdentityHashMap<>();
        private final Map<Integer, Long> checkedEpochs = new HashMap<>();

        Checker(SimulatedCluster sim) {
            this.sim = sim;
        }

        void check() {
            MetadataImage pending = sim.log.pending;
            checkImage(pending, "pending");
            checkSnapshot(pending);
            while (checkedCommitted < sim.log.committed()) {
                checkedCommitted++;
                MetadataImage img = sim.log.committedImages.get(checkedCommitted);
                checkImage(img, "committed");
                checkHistory(img);
                checkSnapshot(img);
                checkBrokerEpochs(img);
            }
            checkPendingExtendsCommitted(pending, sim.log.committedImage());
            for (; checkedGrants < sim.grants.size(); checkedGrants++) {
                SimulatedCluster.Grant g = sim.grants.get(checkedGrants);
                assertTrue(g.first() >= grantsEnd, "producer id block " + g + " overlaps or goes below " + grantsEnd);
                grantsEnd = g.first() + g.size();
                assertTrue(sim.log.committedImage().nextProducerId() >= grantsEnd, "granted ids beyond the log's next id");
            }
            for (SimulatedCluster.Proc p : sim.procs) {
                if (checkedImages.put(p, p.image) != p.image) {
                    assertEquals(sim.log.committedImages.get(p.applied), p.image, "broker image after " + p.applied + " entries");
                }
            }
        }

        private static void checkImage(MetadataImage img, String which) {
            for (TopicImage t : img.topics()) {
                assertTrue(t.partitionCount() > 0, which + ": topic without partitions " + t);
                for (int p = 0; p < t.partitionCount(); p++) {
                    PartitionRegistration part = t.partition(p);
                    String where = which + " " + t.name() + "-" + p + " " + part;
                    assertTrue(!part.isr().isEmpty(), where + ": empty ISR");
                    assertEquals(part.isr().size(), new HashSet<>(part.isr()).size(), where + ": duplicate ISR members");
                    assertTrue(part.replicas().containsAll(part.isr()), where + ": ISR outside the replicas");
                    if (part.hasLeader()) {
                        assertTrue(part.isr().contains(part.leader()), where + ": leader outside the ISR");
                        BrokerRegistration b = img.broker(part.leader()).orElseThrow(() -> new AssertionError(where + ": unknown leader"));
                        assertTrue(!b.fenced(), where + ": fenced leader");
                    }
                    checkReassignment(part, where);
                    if (part.isr().size() > 1) {
                        for (int m : part.isr()) {
                            assertTrue(!img.broker(m).orElseThrow().fenced(), where + ": fenced broker " + m + " in a shared ISR");
                        }
                    }
                }
            }
        }

        /**
         * KIP-455: adding and removing replicas are disjoint subsets of the replicas; the replicas
         * are the target (adding ones included) followed by the removing ones; a reassignment in
         * progress has not yet got every target replica in its ISR (else it would have completed).
         */
        private static void checkReassignment(PartitionRegistration part, String where) {
            List<Integer> removing = part.removingReplicas();
            List<Integer> adding = part.addingReplicas();
            assertTrue(part.replicas().containsAll(removing) && part.replicas().containsAll(adding), where
                    + ": adding or removing replicas outside the replicas");
            assertTrue(removing.stream().noneMatch(adding::contains), where + ": a replica both adding and removing");
            if (!part.isReassigning()) {
                return;
            }
            List<Integer> target = part.targetReplicas();
            assertEquals(target, part.replicas().subList(0, target.size()), where + ": the target is not first");
            assertTrue(part.targetReplicas().containsAll(adding), where + ": adding replicas outside the target");
            assertTrue(!target.isEmpty(), where + ": every replica removing");
            List<Integer> isrInTarget = part.isr().stream().filter(target::contains).toList();
            assertTrue(isrInTarget.isEmpty() || !isrInTarget.containsAll(target), where
                    + ": every target replica is in sync, yet the reassignment did not complete");
        }

        private void checkHistory(MetadataImage img) {
            for (TopicImage t : img.topics()) {
                for (int p = 0; p < t.partitionCount(); p++) {
                    PartitionRegistration part = t.partition(p);
                    String key = t.id() + "-" + p;
                    Integer earlier = leaderOfEpoch.putIfAbsent(key + "@" + part.leaderEpoch(), part.leader());
                    assertTrue(earlier == null || earlier == part.leader(), t.name() + "-" + p + " leader epoch "
                            + part.leaderEpoch() + " had leader " + earlier + " and now " + part.leader());
                    int[] last = lastEpochs.get(key);
                    if (last != null) {
                        assertTrue(part.leaderEpoch() >= last[0] && part.partitionEpoch() >= last[1], t.name() + "-" + p
                                + " epochs went back from " + last[0] + "/" + last[1] + " to " + part);
                    }
                    lastEpochs.put(key, new int[] {part.leaderEpoch(), part.partitionEpoch()});
                }
            }
        }

        private static void checkSnapshot(MetadataImage img) {
            if (img.offset() < 0) {
                return;
            }
            List<MetadataRecord> records = MetadataCodec.decode(MetadataCodec.encode(MetadataSnapshot.records(img)));
            assertEquals(img, MetadataSnapshot.load(records, img.offset(), img.epoch()), "image rebuilt from its snapshot");
        }

        /** A broker's epoch is the offset of the entry that holds its registration. */
        private void checkBrokerEpochs(MetadataImage img) {
            for (BrokerRegistration b : img.brokers()) {
                if (Long.valueOf(b.epoch()).equals(checkedEpochs.put(b.id(), b.epoch()))) {
                    continue;
                }
                SimulatedLog.Entry e = sim.log.entries.stream().filter(x -> x.offset() == b.epoch()).findFirst()
                        .orElseThrow(() -> new AssertionError("no entry at broker " + b.id() + "'s epoch " + b.epoch()));
                boolean found = MetadataCodec.decode(e.bytes()).stream().anyMatch(r -> r instanceof RegisterBrokerRecord reg
                        && reg.brokerId() == b.id() && reg.incarnationId().equals(b.incarnationId()));
                assertTrue(found, "entry " + b.epoch() + " does not register " + b);
            }
        }

        private static void checkPendingExtendsCommitted(MetadataImage pending, MetadataImage committed) {
            assertTrue(pending.offset() >= committed.offset(), "pending behind committed");
            assertTrue(pending.nextProducerId() >= committed.nextProducerId(), "pending producer ids behind committed");
            for (TopicImage t : committed.topics()) {
                pending.topic(t.id()).ifPresent(pt -> {
                    for (int p = 0; p < t.partitionCount(); p++) {
                        PartitionRegistration c = t.partition(p);
                        PartitionRegistration q = pt.partition(p);
                        assertTrue(q.leaderEpoch() >= c.leaderEpoch() && q.partitionEpoch() >= c.partitionEpoch(),
                                "pending epochs of " + t.name() + "-" + p + " behind committed");
                    }
                });
            }
            for (BrokerRegistration b : committed.brokers()) {
                assertTrue(pending.broker(b.id()).orElseThrow().epoch() >= b.epoch(), "pending broker epoch behind");
            }
            Uuid unused = Uuid.ZERO_UUID;
            assertTrue(pending.topic(unused).isEmpty());
        }
    }
}
