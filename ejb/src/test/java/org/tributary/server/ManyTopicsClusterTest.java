package org.tributary.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Creating a hundred topics of 10 partitions on three brokers, in requests of 50 as the metadata benchmark does,
 * stays fast: the cost of a batch must not grow with the number of topics that already exist.
 */
class ManyTopicsClusterTest {
    private InJvmCluster cluster;

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aHundredTopicsOfTenPartitionsAreCreatedInBatchesOfFiftyWithinBounds() throws Exception {
        int topics = Integer.getInteger("manyTopics.count", 100); // 1,000 partitions, 3,000 replicas; closing more takes minutes
        short rf = (short) (int) Integer.getInteger("manyTopics.rf", 3);
        long startedAt = System.nanoTime();
        cluster = new InJvmCluster(Map.of()).start();
        System.out.println("MANYTOPICS started in " + (System.nanoTime() - startedAt) / 1_000_000 + " ms");
        try (Admin a = cluster.admin(1)) {
            long start = System.nanoTime();
            List<Long> batchMs = new ArrayList<>();
            for (int b = 0; b < topics; b += 50) {
                long t0 = System.nanoTime();
                List<NewTopic> batch = new ArrayList<>();
                for (int i = b; i < Math.min(topics, b + 50); i++) {
                    batch.add(new NewTopic(String.format("t-%05d", i), 10, rf));
                }
                a.createTopics(batch).all().get(60, TimeUnit.SECONDS);
                batchMs.add((System.nanoTime() - t0) / 1_000_000);
            }
            long totalMs = (System.nanoTime() - start) / 1_000_000;
            System.out.println("MANYTOPICS topics=" + topics + " rf=" + rf + " totalMs=" + totalMs + " batches=" + batchMs);
            for (int id = 1; id <= 3; id++) {
                int broker = id;
                InJvmCluster.await("broker " + id + " has all topics", 60_000, () -> cluster.broker(broker).metadata().metadata().image()
                        .topics().stream().filter(t -> t.name().startsWith("t-")).count() == topics);
            }
            System.out.println("MANYTOPICS on every broker after " + (System.nanoTime() - start) / 1_000_000 + " ms");
            // generous (a shared 2-core machine): 300 topics took 48 s under a load average of 15, 63 s before the
            // work per image stopped growing with the partitions already there; the unit tests count that work
            assertTrue(totalMs < 60_000, totalMs + " ms");
        }
    }
}
