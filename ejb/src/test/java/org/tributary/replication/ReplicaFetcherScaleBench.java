package org.tributary.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tributary.log.LogManager;
import org.tributary.metadata.MetadataImage;
import org.tributary.metadata.TopicImage;
import org.tributary.partition.Partition;
import org.tributary.partition.ReplicaManager;
import org.tributary.testing.FakeTime;

/**
 * Opt-in probe ({@code -Dtributary.bench=true}): the follower's side of a session over 10,000
 * partitions (1,000 topics x 10 led by broker 2, followed by broker 1). Prints the CPU time of
 * building one incremental request when nothing changed.
 */
class ReplicaFetcherScaleBench {
    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

    @TempDir
    Path tmp;

    @Test
    void requestOfTenThousandIdlePartitions() throws Exception {
        assumeTrue(Boolean.getBoolean("tributary.bench"), "opt-in: -Dtributary.bench=true");
        Map<String, TopicImage> topics = new HashMap<>();
        for (int i = 0; i < 1_000; i++) {
            String name = String.format("t%05d", i);
            topics.put(name, new TopicImage(name, Uuid.randomUuid(), Collections.nCopies(10, List.of(2, 1)), Map.of()));
        }
        MetadataImage image = new MetadataImage(1, topics);
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (LogManager logs = LogManager.open(tmp.resolve("logs"), Map.of(), new FakeTime(1_700_000_000_000L), null)) {
            ReplicaManager rm = new ReplicaManager(logs, Map.of(), tmp.resolve("ps"), 1, timer, pool);
            rm.accept(image);
            while (rm.partitions().size() < 10_000) {
                Thread.sleep(50); // follower replicas are opened just after the image
            }
            ReplicaFetcher fetcher = new ReplicaFetcher(2, 1, () -> 1L, () -> image, ReplicaFetcher.Settings.DEFAULTS, Time.SYSTEM);
            for (Partition p : rm.partitions().values()) {
                fetcher.add(p);
            }
            FetchRequestData full = fetcher.nextRequest();
            assertEquals(10_000, full.topics().stream().mapToInt(t -> t.partitions().size()).sum());
            FetchResponseData fullAnswer = new FetchResponseData().setSessionId(7);
            for (FetchRequestData.FetchTopic t : full.topics()) {
                FetchResponseData.FetchableTopicResponse tr = new FetchResponseData.FetchableTopicResponse().setTopicId(t.topicId());
                t.partitions().forEach(p -> tr.partitions().add(new FetchResponseData.PartitionData().setPartitionIndex(p.partition())));
                fullAnswer.responses().add(tr);
            }
            assertTrue(fetcher.sessionAnswer(fullAnswer));
            for (int warm = 0; warm < 20; warm++) {
                fetcher.nextRequest();
                fetcher.sessionAnswer(new FetchResponseData().setSessionId(7));
            }
            int rounds = 200;
            long t0 = CPU.getCurrentThreadCpuTime();
            for (int i = 0; i < rounds; i++) {
                FetchRequestData req = fetcher.nextRequest();
                assertEquals(0, req.topics().size());
                fetcher.sessionAnswer(new FetchResponseData().setSessionId(7));
            }
            double perRound = (CPU.getCurrentThreadCpuTime() - t0) / 1e6 / rounds;
            System.out.printf("ReplicaFetcherScaleBench (10,000 idle partitions): incremental request build %.3f ms%n", perRound);
            fetcher.shutdown();
            rm.close();
        } finally {
            timer.shutdownNow();
            pool.shutdownNow();
        }
    }
}
