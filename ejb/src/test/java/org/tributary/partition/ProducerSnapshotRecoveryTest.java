package org.tributary.partition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tributary.log.LogConfig;
import org.tributary.log.LogCrash;
import org.tributary.log.PartitionLog;
import org.tributary.metadata.PartitionRegistration;
import org.tributary.testing.FakeTime;
import org.tributary.txn.ProducerEntry;
import org.tributary.txn.ProducerSnapshots;
import org.tributary.txn.ProducerStateManager;

/**
 * Per-segment producer snapshots (Kafka's layout): a partition of many small segments with
 * idempotent and transactional producers keeps a snapshot at each segment's base offset; a
 * follower's truncation, a restart after an unclean stop and an upgrade from the single-file layout
 * load the latest snapshot at or below the target and replay only the batches after it, ending with
 * exactly the state (producers, open transactions, last stable offset, aborted-transaction index) a
 * replay of the whole log gives. Retention and DeleteRecords delete the snapshots of the records
 * they remove; a damaged snapshot is skipped for the next older one.
 */
class ProducerSnapshotRecoveryTest {
    private static final TopicPartition TP = new TopicPartition("t", 0);
    private static final Uuid ID = Uuid.randomUuid();
    private static final Map<String, String> SMALL_SEGMENTS = Map.of("segment.bytes", "600");

    @TempDir
    Path dir;
    private final FakeTime time = new FakeTime(1_000_000L);
    private final List<PartitionLog> logs = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (PartitionLog l : logs) {
            try {
                l.close();
            } catch (RuntimeException e) {
                // crashed or deleted in the test
            }
        }
    }

    private PartitionLog openLog(String name, Map<String, String> config) throws Exception {
        PartitionLog l = PartitionLog.open(dir.resolve(name), LogConfig.from(Map.of(), config), time);
        logs.add(l);
        return l;
    }

    private Partition leader(String name, Map<String, String> config) throws Exception {
        Partition p = Partition.open(TP, ID, openLog(name, config), dir.resolve(name + ".snapshot"), 1, List.of(1));
        p.update(new PartitionRegistration(List.of(1), List.of(1), 1, 0, 0), time.milliseconds());
        return p;
    }

    private Partition follower(String name) throws Exception {
        Partition p = Partition.open(TP, ID, openLog(name, SMALL_SEGMENTS), dir.resolve(name + ".snapshot"), 2, List.of(1, 2));
        p.update(new PartitionRegistration(List.of(1, 2), List.of(1, 2), 1, 0, 0), time.milliseconds());
        return p;
    }

    /** Random appends by 3 idempotent and 3 transactional producers (markers, epoch bumps, plain batches). */
    private static final class Workload {
        final Random rnd;
        final Map<Long, Short> epoch = new HashMap<>();
        final Map<Long, Integer> seq = new HashMap<>();
        final Map<Long, Boolean> open = new HashMap<>();

        Workload(long seed) {
            rnd = new Random(seed);
        }

        void step(Partition p, long now) throws Exception {
            int kind = rnd.nextInt(10);
            long pid = kind < 4 ? 1 + rnd.nextInt(3) : 10 + rnd.nextInt(3);
            short e = epoch.getOrDefault(pid, (short) 0);
            if (kind == 9) {
                p.appendAsLeader(MemoryRecords.withRecords(Compression.NONE, records(1)));
            } else if (kind < 4) {
                if (rnd.nextInt(20) == 0) { // a new epoch starts at sequence 0
                    epoch.put(pid, ++e);
                    seq.put(pid, 0);
                }
                int n = 1 + rnd.nextInt(3);
                int s = seq.getOrDefault(pid, 0);
                p.appendAsLeader(MemoryRecords.withIdempotentRecords(Compression.NONE, pid, e, s, records(n)));
                seq.put(pid, s + n);
            } else if (open.getOrDefault(pid, false) && kind >= 7) {
                p.appendTxnMarker(pid, e, 3, rnd.nextBoolean(), 0, (short) 1, now);
                open.put(pid, false);
            } else {
                int n = 1 + rnd.nextInt(3);
                int s = seq.getOrDefault(pid, 0);
                p.appendAsLeader(MemoryRecords.withTransactionalRecords(Compression.NONE, pid, e, s, records(n)));
                seq.put(pid, s + n);
                open.put(pid, true);
            }
        }

        private SimpleRecord[] records(int n) {
            SimpleRecord[] r = new SimpleRecord[n];
            for (int i = 0; i < n; i++) {
                r[i] = new SimpleRecord(1_000_000L, ("k" + rnd.nextInt(50)).getBytes(), new byte[20 + rnd.nextInt(40)]);
            }
            return r;
        }
    }

    /** Copies the leader's log from the follower's log end, in chunks of random size, as fetches would. */
    private static void catchUp(Partition leader, Partition follower, Random rnd) throws Exception {
        while (follower.logEndOffset() < leader.logEndOffset()) {
            long from = follower.logEndOffset();
            long upTo = Math.min(leader.logEndOffset(), from + 4 + rnd.nextInt(12)); // past the first batch (at most 3 records)
            org.apache.kafka.common.record.internal.Records read = leader.log().read(from, 1 << 20, upTo, true).records();
            MemoryRecords chunk = read instanceof MemoryRecords m ? m : PartitionTransactionsTest.copy(read);
            follower.appendAsFollower(chunk, leader.logEndOffset(), leader.log().logStartOffset(), 0);
        }
    }

    /** What a replay of the whole log from its start gives (no snapshot at all). */
    private ProducerStateManager fullReplay(PartitionLog log) throws Exception {
        ProducerStateManager m = new ProducerStateManager();
        Path empty = Files.createTempDirectory(dir, "none");
        m.recover(new ProducerSnapshots(empty), log.logStartOffset(), log.logEndOffset(), log.logEndOffset(), log::batchesFrom,
                t -> { });
        return m;
    }

    private static Map<Long, String> describe(ProducerStateManager m) {
        Map<Long, String> out = new TreeMap<>();
        for (ProducerEntry e : m.entries()) {
            out.put(e.producerId(), "epoch " + e.epoch() + " lastSeq " + e.lastSeq() + " txn " + e.currentTxnFirstOffset()
                    + " coordinatorEpoch " + e.coordinatorEpoch() + " ts " + e.lastTimestamp() + " batches " + e.batches());
        }
        return out;
    }

    private static long expectedLastStableOffset(ProducerStateManager m, long hw, long logStart) {
        m.onHighWatermarkUpdated(hw);
        long first = m.firstUnstableOffset();
        return first >= 0 && first < hw ? Math.max(first, logStart) : hw;
    }

    private void assertSameAsFullReplay(Partition p, String context) throws Exception {
        ProducerStateManager full = fullReplay(p.log());
        assertEquals(describe(full), describe(p.producerState()), context + ": producers");
        assertEquals(full.ongoingTransactions(), p.producerState().ongoingTransactions(), context + ": open transactions");
        assertEquals(expectedLastStableOffset(full, p.highWatermark(), p.log().logStartOffset()), p.lastStableOffset(),
                context + ": last stable offset");
        assertEquals(full.mapEndOffset(), p.producerState().mapEndOffset(), context);
    }

    /** Batches in [from, to) of the log. */
    private static int batchesBetween(PartitionLog log, long from, long to) throws Exception {
        int n = 0;
        for (RecordBatch b : log.batchesFrom(from)) {
            if (b.lastOffset() >= from && b.baseOffset() < to) {
                n++;
            }
        }
        return n;
    }

    @Test
    void followerTruncationEqualsAFullReplayAndReplaysOnlyFromTheNearestSnapshot() throws Exception {
        // a few seeds through real segments (each roll fsyncs); ProducerSnapshotsRandomizedTest runs many in memory
        for (long seed = 1; seed <= 2; seed++) {
            Random rnd = new Random(seed * 7919);
            Partition leader = leader("l" + seed, SMALL_SEGMENTS);
            Workload w = new Workload(seed);
            for (int i = 0; i < 150; i++) {
                w.step(leader, time.milliseconds());
            }
            Partition follower = follower("f" + seed);
            catchUp(leader, follower, rnd);
            assertTrue(follower.log().segmentCount() > 15, "many small segments: " + follower.log().segmentCount());
            assertEquals(follower.log().segmentBaseOffsets().subList(1, follower.log().segmentCount()),
                    follower.producerSnapshotOffsets(), "one snapshot at each rolled segment's base offset");
            assertSameAsFullReplay(follower, "seed " + seed + " caught up");
            List<?> abortedBefore = follower.log().allAbortedTransactions();

            for (int round = 0; round < 4; round++) {
                long end = follower.logEndOffset();
                long target = round == 0 ? end - 1 : 1 + (long) rnd.nextInt((int) end - 1);
                List<Long> snapshotsBefore = follower.producerSnapshotOffsets();
                long replayedBefore = follower.producerState().batchesReplayed();
                follower.truncateTo(target, 0);
                long newEnd = follower.logEndOffset();
                String ctx = "seed " + seed + " truncated to " + target + " (end " + newEnd + ")";
                assertSameAsFullReplay(follower, ctx);
                long nearest = snapshotsBefore.stream().filter(o -> o <= newEnd).max(Long::compare).orElse(0L);
                long replayed = follower.producerState().batchesReplayed() - replayedBefore;
                assertEquals(batchesBetween(follower.log(), nearest, newEnd), replayed, ctx + ": replays from the snapshot at " + nearest);
                assertTrue(follower.producerSnapshotOffsets().stream().allMatch(o -> o <= newEnd), ctx + ": none above the log end");

                catchUp(leader, follower, rnd);
                assertSameAsFullReplay(follower, ctx + ", caught up again");
            }
            assertEquals(abortedBefore, follower.log().allAbortedTransactions(), "seed " + seed + ": the aborted-transaction index");
        }
    }

    @Test
    void retentionAndDeleteRecordsDeleteTheSnapshotsOfTheRecordsTheyRemove() throws Exception {
        Partition p = leader("r", Map.of("segment.bytes", "600", "retention.ms", "60000"));
        Workload w = new Workload(3);
        for (int i = 0; i < 120; i++) {
            w.step(p, time.milliseconds());
        }
        List<Long> bases = p.log().segmentBaseOffsets();
        assertTrue(bases.size() > 8);
        assertEquals(bases.subList(1, bases.size()), p.producerSnapshotOffsets());

        long cut = bases.get(3) + 1; // DeleteRecords inside the fourth segment
        p.log().deleteRecordsBefore(cut);
        assertTrue(p.producerSnapshotOffsets().stream().allMatch(o -> o >= cut), p.producerSnapshotOffsets().toString());
        assertEquals(bases.subList(4, bases.size()), p.producerSnapshotOffsets());
        assertFalse(Files.exists(ProducerSnapshots.file(p.log().dir(), bases.get(1))), "the file is gone with it");

        time.sleep(120_000); // every closed segment expires; the active one stays
        assertTrue(p.log().deleteExpiredSegments() > 0);
        long start = p.log().logStartOffset();
        assertEquals(p.log().activeSegmentBaseOffset(), start);
        assertEquals(List.of(start), p.producerSnapshotOffsets(), "only the snapshot at the new log start is left");
        assertSameAsFullReplayFrom(p, start);
    }

    @Test
    void periodicSnapshotsLeaveOnePerSegmentPlusTheLatest() throws Exception {
        Partition p = leader("s", SMALL_SEGMENTS);
        Workload w = new Workload(4);
        for (int i = 0; i < 30; i++) {
            w.step(p, time.milliseconds());
        }
        int segments = p.log().segmentCount();
        p.snapshotProducerState();
        long first = p.logEndOffset();
        while (p.log().segmentCount() == segments && p.logEndOffset() == first) {
            w.step(p, time.milliseconds());
        }
        while (p.log().segmentCount() < segments + 2) { // the segment of the first periodic snapshot rolls
            w.step(p, time.milliseconds());
        }
        p.snapshotProducerState();
        List<Long> expected = new ArrayList<>(p.log().segmentBaseOffsets().subList(1, p.log().segmentCount()));
        if (!expected.contains(p.logEndOffset())) {
            expected.add(p.logEndOffset());
        }
        assertEquals(expected, p.producerSnapshotOffsets(), "the snapshot at " + first + " is superseded");
        assertSameAsFullReplay(p, "periodic");
    }

    /** After retention the state comes from the snapshot at the log start, which also holds producers whose records went. */
    private void assertSameAsFullReplayFrom(Partition p, long start) throws Exception {
        List<Long> known = p.producerState().entries().stream().map(ProducerEntry::producerId).sorted().toList();
        assertFalse(known.isEmpty());
        p.log().close();
        PartitionLog reopened = openLog("r", Map.of("segment.bytes", "600", "retention.ms", "60000"));
        Partition again = Partition.open(TP, ID, reopened, dir.resolve("r.snapshot"), 1, List.of(1));
        assertEquals(known, again.producerState().entries().stream().map(ProducerEntry::producerId).sorted().toList(),
                "producers kept through the snapshot at the log start " + start);
    }

    @Test
    void anUncleanRestartLoadsTheLatestSnapshotAndReplaysOnlyWhatFollowsIt() throws Exception {
        Partition p = leader("u", SMALL_SEGMENTS);
        Workload w = new Workload(11);
        for (int i = 0; i < 200; i++) {
            w.step(p, time.milliseconds());
        }
        p.log().flush(); // the recovery point and high watermark checkpoint reach the log end
        List<?> aborted = p.log().allAbortedTransactions();
        Map<Long, String> before = describe(p.producerState());
        long lso = p.lastStableOffset();
        LogCrash.crash(p.log());

        PartitionLog reopened = openLog("u", SMALL_SEGMENTS);
        Partition again = Partition.open(TP, ID, reopened, dir.resolve("u.snapshot"), 1, List.of(1));
        assertEquals(before, describe(again.producerState()));
        assertEquals(lso, again.lastStableOffset());
        assertSameAsFullReplay(again, "after an unclean restart");
        assertEquals(aborted, reopened.allAbortedTransactions());
        long active = reopened.activeSegmentBaseOffset();
        assertEquals(batchesBetween(reopened, active, reopened.logEndOffset()), again.producerState().batchesReplayed(),
                "only the active segment, after the snapshot at its base, is replayed");
    }

    @Test
    void aDamagedSnapshotIsSkippedWithOneWarningForTheNextOlderOne() throws Exception {
        Partition leader = leader("l", SMALL_SEGMENTS);
        Workload w = new Workload(5);
        for (int i = 0; i < 150; i++) {
            w.step(leader, time.milliseconds());
        }
        Partition f = follower("f");
        catchUp(leader, f, new Random(1));
        List<Long> snaps = f.producerSnapshotOffsets();
        long latest = snaps.get(snaps.size() - 1);
        long older = snaps.get(snaps.size() - 2);
        Path file = ProducerSnapshots.file(f.log().dir(), latest);
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length / 2)); // truncated

        List<LogRecord> warnings = new ArrayList<>();
        Handler h = new Handler() {
            @Override
            public void publish(LogRecord r) {
                warnings.add(r);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger logger = Logger.getLogger(ProducerSnapshots.class.getName());
        logger.addHandler(h);
        try {
            long replayed = f.producerState().batchesReplayed();
            f.truncateTo(f.logEndOffset() - 1, 0);
            assertEquals(1, warnings.size(), "one line for the damaged file");
            assertTrue(warnings.get(0).getMessage().startsWith("TRIB-TXN-010"), warnings.get(0).getMessage());
            assertSameAsFullReplay(f, "from the older snapshot");
            assertEquals(batchesBetween(f.log(), older, f.logEndOffset()), f.producerState().batchesReplayed() - replayed);
            assertFalse(Files.exists(file), "the damaged snapshot is deleted");
        } finally {
            logger.removeHandler(h);
        }
    }

    @Test
    void anUpgradeAdoptsTheSingleFileSnapshotThenKeepsTheNewLayout() throws Exception {
        Partition p = leader("g", Map.of());
        Workload w = new Workload(9);
        for (int i = 0; i < 60; i++) {
            w.step(p, time.milliseconds());
        }
        p.snapshotProducerState(); // the same format as the single file of the old layout
        Map<Long, String> before = describe(p.producerState());
        long end = p.logEndOffset();
        p.log().close();
        Path legacy = dir.resolve("g.snapshot");
        Files.move(ProducerSnapshots.file(dir.resolve("g"), end), legacy); // as the old broker left it

        PartitionLog reopened = openLog("g", Map.of());
        Partition again = Partition.open(TP, ID, reopened, legacy, 1, List.of(1));
        assertEquals(before, describe(again.producerState()));
        assertEquals(0, again.producerState().batchesReplayed(), "the legacy snapshot covers the whole log");
        assertFalse(Files.exists(legacy), "the single file is gone");
        assertEquals(List.of(end), again.producerSnapshotOffsets(), "adopted as the snapshot at the offset it records");
        assertSameAsFullReplay(again, "upgraded");
    }
}
