package org.tributary.txn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Over many seeds, an in-memory log of idempotent, transactional, marker and plain batches with a
 * snapshot at every "segment" boundary (written as a roll writes it) is truncated to random offsets
 * and grown again with other batches: each recovery from the latest snapshot at or below the new
 * log end gives the state of a replay of the whole log (producers with their epochs, sequences,
 * cached batches and open transactions; the first unstable offset; the aborted transactions to
 * index), and replays exactly the batches after that snapshot.
 */
class ProducerSnapshotsRandomizedTest {
    @TempDir
    Path dir;

    private static final class Log {
        final List<RecordBatch> batches = new ArrayList<>();
        final Random rnd;
        final Map<Long, Integer> seq = new HashMap<>();
        final Map<Long, Short> epoch = new HashMap<>();
        final Map<Long, Boolean> open = new HashMap<>();

        Log(Random rnd) {
            this.rnd = rnd;
        }

        long end() {
            return batches.isEmpty() ? 0 : batches.get(batches.size() - 1).lastOffset() + 1;
        }

        RecordBatch append() {
            long at = end();
            int kind = rnd.nextInt(10);
            long pid = kind < 4 ? 1 + rnd.nextInt(3) : 10 + rnd.nextInt(3);
            short e = epoch.getOrDefault(pid, (short) 0);
            int n = 1 + rnd.nextInt(3);
            int s = seq.getOrDefault(pid, 0);
            MemoryRecords r;
            if (kind == 9) {
                r = MemoryRecords.withRecords(at, Compression.NONE, records(n));
            } else if (kind < 4) {
                if (rnd.nextInt(15) == 0) {
                    epoch.put(pid, ++e);
                    s = 0;
                }
                r = MemoryRecords.withIdempotentRecords(at, Compression.NONE, pid, e, s, 0, records(n));
                seq.put(pid, s + n);
            } else if (open.getOrDefault(pid, false) && kind >= 7) {
                ControlRecordType type = rnd.nextBoolean() ? ControlRecordType.COMMIT : ControlRecordType.ABORT;
                r = MemoryRecords.withEndTransactionMarker(at, 1_000L + at, 0, pid, e, new EndTransactionMarker(type, rnd.nextInt(3)));
                open.put(pid, false);
            } else {
                r = MemoryRecords.withTransactionalRecords(at, Compression.NONE, pid, e, s, 0, records(n));
                seq.put(pid, s + n);
                open.put(pid, true);
            }
            RecordBatch b = r.batches().iterator().next();
            batches.add(b);
            return b;
        }

        private SimpleRecord[] records(int n) {
            SimpleRecord[] out = new SimpleRecord[n];
            for (int i = 0; i < n; i++) {
                out[i] = new SimpleRecord(1_000L + rnd.nextInt(1000), null, new byte[] {(byte) i});
            }
            return out;
        }

        void truncateTo(long offset) {
            batches.removeIf(b -> b.lastOffset() >= offset);
        }

        List<RecordBatch> from(long offset) {
            return batches.stream().filter(b -> b.lastOffset() >= offset).toList();
        }
    }

    private static Map<Long, String> describe(ProducerStateManager m) {
        Map<Long, String> out = new TreeMap<>();
        for (ProducerEntry e : m.entries()) {
            out.put(e.producerId(), "epoch " + e.epoch() + " lastSeq " + e.lastSeq() + " txn " + e.currentTxnFirstOffset()
                    + " coordinatorEpoch " + e.coordinatorEpoch() + " ts " + e.lastTimestamp() + " batches " + e.batches());
        }
        return out;
    }

    @Test
    void recoveryFromTheNearestSnapshotEqualsAFullReplay() throws Exception {
        for (long seed = 1; seed <= 40; seed++) {
            Random rnd = new Random(seed);
            Path snapDir = Files.createDirectory(dir.resolve("s" + seed));
            ProducerSnapshots snaps = new ProducerSnapshots(snapDir);
            Log log = new Log(rnd);
            ProducerStateManager live = new ProducerStateManager();
            List<CompletedTxn> abortedIndex = new ArrayList<>();
            for (int round = 0; round < 5; round++) {
                grow(log, live, snaps, abortedIndex, 40 + rnd.nextInt(80), rnd);
                long target = 1 + rnd.nextInt((int) log.end());
                log.truncateTo(target);
                long end = log.end();
                abortedIndex.removeIf(t -> t.lastOffset() >= end); // the index is truncated with the log
                long nearest = snaps.offsets().stream().filter(o -> o <= end).max(Long::compare).orElse(0L);
                long replayedBefore = live.batchesReplayed();
                List<CompletedTxn> replayedAborts = new ArrayList<>();
                live.recover(snaps, 0, end, end, log::from, t -> {
                    if (t.aborted()) {
                        replayedAborts.add(t);
                    }
                });
                String ctx = "seed " + seed + " round " + round + " end " + end;

                ProducerStateManager full = new ProducerStateManager();
                List<CompletedTxn> allAborts = new ArrayList<>();
                full.recover(new ProducerSnapshots(Files.createTempDirectory(dir, "none")), 0, end, end, log::from, t -> {
                    if (t.aborted()) {
                        allAborts.add(t);
                    }
                });
                assertEquals(describe(full), describe(live), ctx);
                assertEquals(full.ongoingTransactions(), live.ongoingTransactions(), ctx);
                full.onHighWatermarkUpdated(end);
                live.onHighWatermarkUpdated(end);
                assertEquals(full.firstUnstableOffset(), live.firstUnstableOffset(), ctx);
                assertEquals(allAborts.stream().filter(t -> t.lastOffset() >= nearest).toList(), replayedAborts,
                        ctx + ": the aborts replayed are the ones after the snapshot (the index holds the earlier ones)");
                assertEquals(allAborts, abortedIndex, ctx + ": the index equals what a full replay would write");
                assertEquals(log.from(nearest).stream().filter(b -> b.baseOffset() < end).count(),
                        live.batchesReplayed() - replayedBefore, ctx + ": replayed from the snapshot at " + nearest);
                assertTrue(snaps.offsets().stream().allMatch(o -> o <= end), ctx);
            }
        }
    }

    /** Appends {@code count} batches as a leader would, with a snapshot at each "roll" (every 2 to 6 batches). */
    private static void grow(Log log, ProducerStateManager m, ProducerSnapshots snaps, List<CompletedTxn> abortedIndex, int count,
            Random rnd) throws Exception {
        int untilRoll = 2 + rnd.nextInt(5);
        for (int i = 0; i < count; i++) {
            if (--untilRoll == 0) {
                m.advanceMapEndOffset(log.end());
                m.writeSnapshot(snaps, false); // unsynced, as at a roll (the fsync does not change what is read back)
                untilRoll = 2 + rnd.nextInt(5);
            }
            RecordBatch b = log.append();
            var done = m.record(b, b.baseOffset(), b.lastOffset());
            if (done.isPresent()) {
                if (done.get().aborted()) {
                    abortedIndex.add(done.get());
                }
                m.completeTxn(done.get());
            }
        }
    }
}
