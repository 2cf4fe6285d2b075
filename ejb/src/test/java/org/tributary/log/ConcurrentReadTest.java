package org.tributary.log;

import org.tributary.testing.FakeTime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Readers racing an appender (with rolls) see whole, valid batches in order and never pass the bound they ask for. */
class ConcurrentReadTest {
    @TempDir
    Path tmp;

    @Test
    void readersRacingAppendsSeeValidBatchesBelowTheirBound() throws Exception {
        FakeTime time = new FakeTime(70_000_000L);
        PartitionLog log = PartitionLog.open(tmp.resolve("race-0"),
                LogConfig.from(Map.of(), Map.of("segment.bytes", "25000", "index.interval.bytes", "300")), time);
        AtomicLong highWatermark = new AtomicLong();
        int batches = 1000;
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    for (int i = 0; i < batches; i++) {
                        AppendInfo a = log.appendAsLeader(Batches.batch(1 + i % 3, 40, time.milliseconds()), 0);
                        if (i % 2 == 0) {
                            highWatermark.set(a.lastOffset() + 1);
                        }
                    }
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, pool);
            CompletableFuture<Long> reader = CompletableFuture.supplyAsync(() -> {
                long next = 0;
                long reads = 0;
                try {
                    while (!writer.isDone() || next < highWatermark.get()) {
                        long hw = highWatermark.get();
                        if (next >= hw) {
                            Thread.onSpinWait();
                            continue;
                        }
                        FetchSlice s = log.read(next, 700, hw, true);
                        reads++;
                        for (RecordBatch b : s.records().batches()) {
                            if (b.sizeInBytes() > s.records().sizeInBytes()) {
                                break;
                            }
                            b.ensureValid();
                            assertTrue(b.lastOffset() < hw, "batch " + b.lastOffset() + " past bound " + hw);
                            for (Record r : b) {
                                if (r.offset() >= next) {
                                    assertEquals(next, r.offset(), "offsets are contiguous");
                                    next++;
                                }
                            }
                        }
                    }
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
                return reads;
            }, pool);
            writer.get(60, TimeUnit.SECONDS);
            long reads = reader.get(60, TimeUnit.SECONDS);
            assertTrue(reads > 1);
            assertTrue(log.segmentCount() > 3);
        } finally {
            pool.shutdownNow();
            log.close();
        }
    }
}
