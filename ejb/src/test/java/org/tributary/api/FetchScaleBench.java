package org.tributary.api;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Opt-in probe ({@code -Dtributary.bench=true}): the leader's side of a follower fetching 10,000
 * partitions in one session (1,000 topics x 10, replicas 1 and 2). Prints the CPU time of waking
 * its waiting fetch with nothing new (an append or a moved high watermark on another follower's
 * behalf), of completing it, and of an incremental fetch that lists no partition.
 */
class FetchScaleBench {
    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

    @TempDir
    Path tmp;

    @Test
    void followerFetchOfTenThousandPartitions() throws Exception {
        assumeTrue(Boolean.getBoolean("tributary.bench"), "opt-in: -Dtributary.bench=true");
        try (FetchFixture f = new FetchFixture(tmp, 1_000, 10, List.of(1, 2))) {
            int sessionId = 0;
            int epoch = 0;
            long offset = 0;
            for (int warm = 0; warm < 5; warm++) {
                FetchResponseData r = f.send(follower(f, f.fetchAll(offset, x -> { }), sessionId, epoch, 0)).get(10, TimeUnit.SECONDS);
                sessionId = r.sessionId();
                epoch++;
            }
            int rounds = 50;
            long t0 = CPU.getCurrentThreadCpuTime();
            for (int i = 0; i < rounds; i++) {
                FetchRequestData none = new FetchRequestData().setMaxBytes(50 * 1024 * 1024);
                f.send(follower(f, none, sessionId, epoch++, 0)).get(10, TimeUnit.SECONDS);
            }
            double arrival = (CPU.getCurrentThreadCpuTime() - t0) / 1e6 / rounds;

            FetchRequestData none = new FetchRequestData().setMaxBytes(50 * 1024 * 1024);
            t0 = CPU.getCurrentThreadCpuTime();
            CompletableFuture<FetchResponseData> waiting = f.send(follower(f, none, sessionId, epoch++, 60_000));
            double toWait = (CPU.getCurrentThreadCpuTime() - t0) / 1e6;
            assertFalse(waiting.isDone());
            int wakes = 2_000;
            t0 = CPU.getCurrentThreadCpuTime();
            for (int i = 0; i < wakes; i++) {
                f.replicas.fetchPurgatory().checkAndComplete(f.tp(i % 1_000, i % 10));
            }
            double perWake = (CPU.getCurrentThreadCpuTime() - t0) / 1e6 / wakes;
            int batches = 200;
            t0 = CPU.getCurrentThreadCpuTime();
            for (int i = 0; i < batches; i++) {
                f.replicas.fetchPurgatory().checkAndComplete(List.of(f.tp(i % 1_000, 1), f.tp((i + 1) % 1_000, 2)));
            }
            double perMetadataWake = (CPU.getCurrentThreadCpuTime() - t0) / 1e6 / batches;
            assertFalse(waiting.isDone());
            TopicPartition tp = f.tp(500, 5);
            f.replicas.partition(tp).orElseThrow().appendAsLeader(org.apache.kafka.common.record.internal.MemoryRecords.withRecords(
                    org.apache.kafka.common.compress.Compression.NONE, new org.apache.kafka.common.record.internal.SimpleRecord(new byte[100])));
            t0 = CPU.getCurrentThreadCpuTime();
            f.replicas.onAppend(tp);
            double complete = (CPU.getCurrentThreadCpuTime() - t0) / 1e6;
            assertTrue(waiting.get(10, TimeUnit.SECONDS).responses().size() == 1);
            System.out.printf("FetchScaleBench (10,000 partitions, follower session): incremental fetch of nothing %.3f ms;"
                    + " delaying it %.3f ms; wake with nothing new %.4f ms; metadata wake %.4f ms; wake by an append that completes it %.3f ms%n",
                    arrival, toWait, perWake, perMetadataWake, complete);
        }
    }

    private static FetchRequestData follower(FetchFixture f, FetchRequestData req, int sessionId, int epoch, int maxWaitMs) {
        req.replicaState().setReplicaId(2).setReplicaEpoch(-1);
        return req.setSessionId(sessionId).setSessionEpoch(epoch).setMinBytes(1).setMaxWaitMs(maxWaitMs);
    }
}
