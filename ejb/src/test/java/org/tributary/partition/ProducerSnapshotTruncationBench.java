package org.tributary.partition;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.tributary.log.LogConfig;
import org.tributary.log.PartitionLog;
import org.tributary.metadata.PartitionRegistration;
import org.tributary.testing.FakeTime;
import org.tributary.txn.ProducerSnapshots;
import org.tributary.txn.ProducerStateManager;

/**
 * Figures, not a check (run with {@code -Dtributary.bench=true}): a follower partition of about 200
 * segments and 300,000 batches from 200 idempotent and 20 transactional producers is truncated by
 * one batch, once with its per-segment snapshots and once with them removed (the replay of the
 * whole log the single-file layout did); also the cost of the snapshot a roll writes.
 */
@EnabledIfSystemProperty(named = "tributary.bench", matches = "true")
class ProducerSnapshotTruncationBench {
    @TempDir
    Path dir;

    @Test
    void truncateByOneBatch() throws Exception {
        FakeTime time = new FakeTime(1_000_000L);
        int batches = 300_000;
        PartitionLog log = PartitionLog.open(dir.resolve("t-0"), LogConfig.from(Map.of(), Map.of("segment.bytes", "110000")), time);
        Partition p = Partition.open(new TopicPartition("t", 0), Uuid.randomUuid(), log, dir.resolve("legacy.snapshot"), 2,
                List.of(1, 2));
        p.update(new PartitionRegistration(List.of(1, 2), List.of(1, 2), 1, 0, 0), time.milliseconds());
        int[] seq = new int[220];
        boolean[] open = new boolean[220];
        long offset = 0;
        long t0 = System.nanoTime();
        while (offset < batches) {
            ByteBuffer chunk = ByteBuffer.allocate(1 << 20);
            for (int i = 0; i < 500; i++) {
                int pid = (int) (offset % 220);
                MemoryRecords r;
                SimpleRecord rec = new SimpleRecord(1_000_000L, null, new byte[16]);
                if (pid < 200) {
                    r = MemoryRecords.withIdempotentRecords(offset, Compression.NONE, pid, (short) 0, seq[pid]++, 0, rec);
                } else if (open[pid] && offset % 3 == 0) {
                    r = MemoryRecords.withEndTransactionMarker(offset, 1_000_000L, 0, pid, (short) 0,
                            new EndTransactionMarker(offset % 2 == 0 ? ControlRecordType.COMMIT : ControlRecordType.ABORT, 0));
                    open[pid] = false;
                } else {
                    r = MemoryRecords.withTransactionalRecords(offset, Compression.NONE, pid, (short) 0, seq[pid]++, 0, rec);
                    open[pid] = true;
                }
                chunk.put(r.buffer());
                offset++;
            }
            chunk.flip();
            p.appendAsFollower(MemoryRecords.readableRecords(chunk), offset, 0, 0);
        }
        long buildMs = (System.nanoTime() - t0) / 1_000_000;
        System.err.printf("BENCH built %d batches in %d segments, %d snapshots, in %d ms%n", offset, log.segmentCount(),
                p.producerSnapshotOffsets().size(), buildMs);

        ProducerStateManager state = p.producerState();
        ProducerSnapshots scratch = new ProducerSnapshots(Files.createDirectory(dir.resolve("scratch")));
        long w0 = System.nanoTime();
        for (int i = 0; i < 200; i++) {
            state.writeSnapshot(scratch, false);
        }
        System.err.printf("BENCH roll snapshot of %d producers: %.3f ms each (write + rename, fsync deferred), %d bytes%n",
                state.producerCount(), (System.nanoTime() - w0) / 200 / 1e6,
                Files.size(ProducerSnapshots.file(dir.resolve("scratch"), state.mapEndOffset())));
        long f0 = System.nanoTime();
        for (int i = 0; i < 50; i++) {
            state.writeSnapshot(scratch, true);
        }
        System.err.printf("BENCH same with fsync: %.3f ms each%n", (System.nanoTime() - f0) / 50 / 1e6);

        long replayed = state.batchesReplayed();
        long s0 = System.nanoTime();
        p.truncateTo(p.logEndOffset() - 1, 0);
        System.err.printf("BENCH with per-segment snapshots: truncate by one batch %d ms, %d batches replayed%n",
                (System.nanoTime() - s0) / 1_000_000, state.batchesReplayed() - replayed);

        for (Long o : p.producerSnapshotOffsets()) { // what the single-file layout had after a truncation: nothing to load
            Files.delete(ProducerSnapshots.file(log.dir(), o));
        }
        replayed = state.batchesReplayed();
        long b0 = System.nanoTime();
        p.truncateTo(p.logEndOffset() - 1, 0);
        System.err.printf("BENCH full replay (before): truncate by one batch %d ms, %d batches replayed%n",
                (System.nanoTime() - b0) / 1_000_000, state.batchesReplayed() - replayed);
        log.close();
    }
}
