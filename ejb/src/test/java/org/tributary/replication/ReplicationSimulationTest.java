package org.tributary.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.tributary.replication.LogMirror.Rec;
import org.tributary.replication.ReplicationSim.Attempt;
import org.tributary.replication.ReplicationSim.Batch;
import org.tributary.replication.ReplicationSim.SimProducer;

/**
 * Deterministic simulation of one partition's replication over three brokers (see
 * {@link ReplicationSim}): random faults with the safety invariants of {@link SafetyChecker}
 * checked after every step, and scripted runs of the classic cases (KIP-101, KIP-279, an
 * idempotent retry after its first write was truncated away).
 *
 * <p>A failure names the seed and step with the recent events; rerun one seed alone with
 * {@code -Dsim.seed=N}. {@code -Dsim.seeds}, {@code -Dsim.first} and {@code -Dsim.steps} change
 * the run's size; {@code -Dsim.keepGoing=true} runs every seed and lists the failing ones.
 */
class ReplicationSimulationTest {
    static final int SEEDS = Integer.getInteger("sim.seeds", 200);
    static final int STEPS = Integer.getInteger("sim.steps", 400);

    private static final Logger ENGINE_LOG = Logger.getLogger("org.tributary");
    private static Level engineLevel;
    private Path root;
    /** The scripted runs' brokers. */
    private SimBroker one;
    private SimBroker two;

    /** Thousands of truncations and restarts: only warnings are worth printing. */
    @BeforeAll
    static void quiet() {
        engineLevel = ENGINE_LOG.getLevel();
        ENGINE_LOG.setLevel(Level.WARNING);
    }

    @AfterAll
    static void restoreLogging() {
        ENGINE_LOG.setLevel(engineLevel);
    }

    @BeforeEach
    void makeRoot() throws IOException {
        // tmpfs when there is one: the logs fsync on every truncation and new leader epoch
        Path shm = Path.of("/dev/shm");
        root = Files.isDirectory(shm) && Files.isWritable(shm) ? Files.createTempDirectory(shm, "tributary-replication-sim")
                : Files.createTempDirectory("tributary-replication-sim");
    }

    @AfterEach
    void removeRoot() throws IOException {
        delete(root);
    }

    private static void delete(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Test
    void replicationKeepsItsSafetyInvariantsUnderRandomFaults() throws Exception {
        Long only = Long.getLong("sim.seed");
        Map<String, Integer> outcomes = new TreeMap<>();
        long acked = 0;
        long committed = 0;
        long started = System.nanoTime();
        long first = only == null ? Long.getLong("sim.first", 0) : only;
        long end = only == null ? first + SEEDS : only + 1;
        boolean keepGoing = Boolean.getBoolean("sim.keepGoing");
        List<String> failures = new ArrayList<>();
        for (long seed = first; seed < end; seed++) {
            Path dir = root.resolve("seed-" + seed);
            ReplicationSim.Setup setup = ReplicationSim.Setup.random(new Random(seed * 7919 + 17));
            ReplicationSim sim = new ReplicationSim(seed, dir, setup, true);
            try {
                sim.bootstrap();
                boolean settleMidway = sim.random.nextBoolean();
                for (int i = 0; i < STEPS; i++) {
                    sim.step();
                    if (settleMidway && i == STEPS / 2) {
                        sim.settle();
                        sim.faults = true;
                        sim.producing = true;
                    }
                }
                sim.settle();
            } catch (Throwable e) {
                AssertionError failure = new AssertionError("seed " + seed + " step " + sim.step + " " + setup + ": " + e.getMessage()
                        + sim.describe(), e);
                if (!keepGoing) {
                    throw failure;
                }
                failures.add("seed " + seed + " step " + sim.step + ": " + e);
            } finally {
                sim.close();
                delete(dir);
            }
            sim.outcomes.forEach((k, v) -> outcomes.merge(k, v, Integer::sum));
            acked += sim.checker.ackedCount();
            committed += sim.checker.committedCount();
        }
        System.out.printf("replication simulation: %d seed(s) x %d steps in %d ms; %d records committed, %d acknowledged; outcomes %s%n",
                end - first, STEPS, (System.nanoTime() - started) / 1_000_000, committed, acked, outcomes);
        assertTrue(failures.isEmpty(), failures.size() + " seed(s) failed:\n" + String.join("\n", failures));
        if (only == null && SEEDS >= 200) { // the default run: every kind of event and answer happened
            for (String expected : List.of("produce answered NONE", "produce answered NOT_ENOUGH_REPLICAS_AFTER_APPEND",
                    "produce answered NOT_LEADER_OR_FOLLOWER", "produce NOT_ENOUGH_REPLICAS", "produce NOT_LEADER_OR_FOLLOWER",
                    "produce duplicate", "produce appended again after a lost attempt", "produce to a stale leader", "produce ack lost",
                    "follower truncated", "fetch answer diverging", "fetch answer FENCED_LEADER_EPOCH", "fetch answer UNKNOWN_LEADER_EPOCH",
                    "fetch answer NOT_LEADER_OR_FOLLOWER", "fetch parked", "fetch timed out", "isr shrink proposed",
                    "isr change answered NONE", "isr change answered REQUEST_TIMED_OUT", "isr change answered INVALID_UPDATE_VERSION",
                    "isr change answered FENCED_LEADER_EPOCH", "isr change answered INELIGIBLE_REPLICA", "isr change sent again",
                    "transition BECAME_LEADER", "transition BECAME_FOLLOWER", "transition WENT_OFFLINE", "crash", "clean stop",
                    "session expired", "broker left", "admitted",
                    "preferred election NONE", "controller failover", "settled retry of an acknowledged batch is a duplicate")) {
                assertTrue(outcomes.getOrDefault(expected, 0) > 0, "the simulation never produced " + expected + ": " + outcomes);
            }
        }
    }

    // ------------------------------------------------------------------ scripted scenarios

    /** Brokers 1 and 2, the partition's replicas [1, 2] (1 leads first), min.insync.replicas 1, no random faults. */
    private ReplicationSim scripted() throws IOException {
        ReplicationSim sim = new ReplicationSim(1, root.resolve("scripted"), ReplicationSim.Setup.scripted(2, List.of(1, 2), 1), false);
        sim.bootstrap();
        one = sim.brokers.get(1);
        two = sim.brokers.get(2);
        return sim;
    }

    /** Settles (invariant 5 checked) and compares the two replicas' logs once more. */
    private void settleIdentical(ReplicationSim sim) throws IOException {
        sim.settle();
        assertEquals(values(one), values(two));
    }

    private static SimProducer idempotent(ReplicationSim sim) {
        return sim.producers.stream().filter(SimProducer::idempotent).findFirst().orElseThrow();
    }

    private static SimProducer plain(ReplicationSim sim) {
        return sim.producers.stream().filter(p -> !p.idempotent()).findFirst().orElseThrow();
    }

    /** Produces {@code values} as one batch of {@code p} to broker {@code to}; returns the attempt waiting for acks. */
    private static Attempt produce(ReplicationSim sim, SimProducer p, int to, String... values) throws IOException {
        p.current = new Batch(p, p.idempotent() ? p.nextSequence : -1, List.of(values), 10);
        p.pending = null;
        Attempt a = sim.send(p, sim.brokers.get(to));
        assertNotNull(a, "the append to broker " + to + " was refused" + sim.describe());
        sim.checker.check();
        return a;
    }

    /** Broker 1 leads, broker 2 copies: {@code value} is written, copied and acknowledged. */
    private static void commit(ReplicationSim sim, SimProducer p, String value) throws IOException {
        produce(sim, p, 1, value);
        sim.fetchOnce(sim.brokers.get(2), false); // the record
        sim.fetchOnce(sim.brokers.get(2), false); // the next fetch moves the high watermark
        assertEquals(Errors.NONE, ack(sim, p));
    }

    private static Errors ack(ReplicationSim sim, SimProducer p) {
        Errors e = sim.pollAck(p);
        sim.checker.check();
        return e;
    }

    private static void crashAndLeave(ReplicationSim sim, int id) throws IOException {
        SimBroker b = sim.brokers.get(id);
        Uuid incarnation = b.incarnation;
        sim.crash(b);
        sim.brokerLeft(id, incarnation);
        sim.checker.check();
    }

    private static List<String> values(SimBroker b) {
        return b.mirror.records().stream().map(r -> r.value() + "@" + r.epoch()).toList();
    }

    /**
     * KIP-101, the high-watermark hazard: a follower holds the records but not yet the high
     * watermark that acknowledged them (the answer carrying it was lost); the leader dies. The
     * follower, elected, must keep them (truncating to its own high watermark would lose
     * acknowledged records), and the old leader comes back as a follower without losing them either.
     */
    @Test
    void kip101NewLeaderWithAStaleHighWatermarkKeepsAcknowledgedRecords() throws Exception {
        try (ReplicationSim sim = scripted()) {
            SimProducer p = idempotent(sim);
            produce(sim, p, 1, "m0", "m1");
            sim.fetchOnce(two, false); // the records, with high watermark 0
            sim.fetchOnce(two, true); // records the follower at 2: HW 2, acknowledged; this answer is lost
            assertEquals(Errors.NONE, ack(sim, p));
            assertEquals(0, two.partition.highWatermark());
            assertEquals(2, two.partition.logEndOffset());

            crashAndLeave(sim, 1);
            assertEquals(2, sim.registration().leader());
            sim.catchUp(two);
            sim.checker.check();
            assertTrue(two.partition.isLeader());
            assertEquals(List.of("m0@0", "m1@0"), values(two), "the new leader kept what it held above its high watermark");
            assertEquals(2, two.partition.highWatermark());

            sim.admit(one);
            sim.fetchOnce(one, false);
            assertEquals(List.of("m0@0", "m1@0"), values(one));
            produce(sim, plain(sim), 2, "m2");
            sim.settle();
            assertEquals(List.of("m0@0", "m1@0", "m2@1"), values(one));
            assertEquals(values(one), values(two));
        }
    }

    /**
     * KIP-101, replica divergence: the leader wrote a record nobody copied and died; the new
     * leader wrote another at the same offset. The old leader, back as a follower, truncates by
     * leader epoch (not by high watermark) and ends with the new leader's log.
     */
    @Test
    void kip101DivergentTailIsTruncatedByLeaderEpoch() throws Exception {
        try (ReplicationSim sim = scripted()) {
            SimProducer p = plain(sim);
            commit(sim, p, "m0");
            produce(sim, p, 1, "m1"); // never copied
            crashAndLeave(sim, 1);
            sim.catchUp(two);
            produce(sim, p, 2, "m2");
            assertEquals(Errors.NONE, ack(sim, p), "ISR {2} and min.insync.replicas 1");
            assertEquals(List.of("m0@0", "m2@1"), values(two));

            sim.admit(one);
            assertEquals(List.of("m0@0", "m1@0"), values(one), "the restarted broker recovered its whole log");
            sim.fetchOnce(one, false); // diverging: epoch 0 ends at 1 on the leader
            assertEquals(List.of("m0@0"), values(one));
            sim.fetchOnce(one, false);
            assertEquals(List.of("m0@0", "m2@1"), values(one));
            settleIdentical(sim);
        }
    }

    /**
     * KIP-279: fast leader changes leave two logs with different epochs at the same offset, and
     * the leader's answer for the follower's last epoch names an epoch the follower has as well
     * but ending elsewhere. The follower truncates in two rounds, to where the epochs agree, and
     * ends with the leader's log.
     */
    @Test
    void kip279LogsDivergingAtTheSameOffsetWithDifferentEpochsConverge() throws Exception {
        try (ReplicationSim sim = scripted()) {
            SimProducer p = plain(sim);
            commit(sim, p, "m0");

            // leadership to 2 (epoch 1), then 1 back in the ISR as its follower
            crashAndLeave(sim, 1);
            sim.catchUp(two);
            sim.admit(one);
            sim.catchUp(two); // sees 1 unfenced: eligible for the ISR
            sim.fetchOnce(one, false); // caught up: 2 adds 1 to the ISR
            sim.catchUp(one);
            sim.catchUp(two);
            assertEquals(List.of(1, 2), sim.registration().isr().stream().sorted().toList());
            assertEquals(1, sim.registration().leaderEpoch());

            produce(sim, p, 2, "m1"); // offset 1, epoch 1: not copied
            sim.electPreferred(); // leader 1, epoch 2; broker 2 has not seen it
            sim.catchUp(one);
            sim.checker.check();
            assertTrue(one.partition.isLeader());
            assertTrue(two.partition.isLeader(), "broker 2 still believes it leads epoch 1");
            produce(sim, p, 1, "m2"); // offset 1, epoch 2: not copied (2 does not fetch)
            assertNull(ack(sim, p), "waits for broker 2, in the ISR");
            p.pending = null;
            p.current = null;

            crashAndLeave(sim, 1); // leader 2 again, epoch 3
            sim.catchUp(two);
            assertEquals(3, two.partition.leaderEpoch());
            produce(sim, p, 2, "m3");
            assertEquals(Errors.NONE, ack(sim, p));
            assertEquals(List.of("m0@0", "m1@1", "m3@3"), values(two));

            sim.admit(one);
            assertEquals(List.of("m0@0", "m2@2"), values(one), "offset 1 holds epoch 2 here and epoch 1 on the leader");
            sim.fetchOnce(one, false); // leader: epoch 1 ends at 2; here epoch 1 is not held (0 ends at 1): truncate to 1
            assertEquals(List.of("m0@0"), values(one));
            sim.fetchOnce(one, false);
            assertEquals(List.of("m0@0", "m1@1", "m3@3"), values(one));
            settleIdentical(sim);
        }
    }

    /**
     * An ISR expansion whose AlterPartition got no answer in time may still be applied by the
     * controller: until the metadata says how it ended, the leader's high watermark must keep
     * waiting for the replica it may add (else a record the new member lacks is acknowledged while
     * the member is in the ISR, and electing it loses the record). Found by the random run, seed 63.
     */
    @Test
    void isrExpansionWithoutAnAnswerKeepsHoldingTheHighWatermark() throws Exception {
        try (ReplicationSim sim = scripted()) {
            SimProducer p = plain(sim);
            crashAndLeave(sim, 2); // out of the ISR
            sim.catchUp(one);
            produce(sim, p, 1, "m0");
            assertEquals(Errors.NONE, ack(sim, p));
            sim.admit(two);
            sim.catchUp(one);
            sim.fetchOnce(two, false); // copies m0

            two.target.backoffUntilMs = 0;
            sim.sendFetch(two); // caught up: leader 1 proposes ISR [1, 2]
            sim.deliverAll(m -> false, m -> m instanceof ReplicationSim.AlterReq); // the request is slow
            assertTrue(one.partition.isrChangePending());
            sim.time.advance(ReplicationSim.ISR_TIMEOUT_MS + 1);
            sim.timeouts(one); // answered REQUEST_TIMED_OUT
            sim.checker.check();

            produce(sim, p, 1, "m1");
            assertNull(ack(sim, p), "the high watermark waits for broker 2, which the pending change may add");
            sim.deliverAll(m -> false); // the controller applies the slow request: ISR [1, 2]
            assertEquals(List.of(1, 2), sim.registration().isr().stream().sorted().toList());
            sim.fetchOnce(two, false); // copies m1; the change, sent again, is refused as the partition moved on
            sim.fetchOnce(two, false);
            assertEquals(Errors.NONE, ack(sim, p));
            sim.settle();
        }
    }

    /**
     * Invariant 6 scripted: an idempotent batch written only by a leader that died is truncated
     * away on that broker when it returns as a follower; after a producer-state snapshot taken
     * while the batch was there, a restart, and a later election of that broker, the retry of the
     * batch must be written, not answered as a duplicate of records the log no longer holds.
     */
    @Test
    void idempotentRetryAfterItsFirstWriteWasTruncatedAwayIsWritten() throws Exception {
        try (ReplicationSim sim = scripted()) {
            SimProducer plain = plain(sim);
            SimProducer idem = idempotent(sim);
            commit(sim, plain, "m0");

            Attempt first = produce(sim, idem, 1, "b0", "b1"); // only on broker 1, at 1..2
            assertEquals(1, first.firstOffset());
            one.partition.snapshotProducerState(); // the periodic snapshot sees it
            idem.pending = null; // no answer: broker 1 dies

            crashAndLeave(sim, 1);
            sim.catchUp(two);
            produce(sim, plain, 2, "m1", "m2", "m3");
            assertEquals(Errors.NONE, ack(sim, plain));

            sim.admit(one); // follower of 2: truncates b0, b1 and copies m1..m3
            sim.fetchOnce(one, false);
            sim.fetchOnce(one, false);
            assertEquals(List.of("m0@0", "m1@1", "m2@1", "m3@1"), values(one));
            crashAndLeave(sim, 1); // kill -9: no new snapshot
            sim.admit(one);
            sim.catchUp(two);
            sim.fetchOnce(one, false); // caught up: back in the ISR
            sim.catchUp(one);
            sim.catchUp(two);
            assertEquals(List.of(1, 2), sim.registration().isr().stream().sorted().toList());

            crashAndLeave(sim, 2); // broker 1 leads
            sim.catchUp(one);
            assertTrue(one.partition.isLeader());
            Attempt retry = produce(sim, idem, 1, "b0", "b1");
            assertTrue(!retry.duplicate(), "the retry was answered as a duplicate at " + retry.firstOffset()
                    + " but the log holds " + values(one));
            assertEquals(Errors.NONE, ack(sim, idem));
            Rec b0 = one.mirror.at(retry.firstOffset());
            assertEquals("b0", b0.value());
            sim.settle();
        }
    }
}
