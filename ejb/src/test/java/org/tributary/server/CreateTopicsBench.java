package org.tributary.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Figures, not a check (run with {@code -Dtributary.bench=true}): three brokers in this JVM, a Kafka
 * Admin client creating 300 topics of 10 partitions in CreateTopics requests of 50 topics, each
 * answered before the next is sent, as the metadata benchmark does; once with replication factor 3
 * and once with 1, each on a fresh cluster. Prints the time of every batch, their median and the
 * total. {@code -Dbench.topics} and {@code -Dbench.rfs} (e.g. "3" or "1,3") change the load.
 */
@EnabledIfSystemProperty(named = "tributary.bench", matches = "true")
class CreateTopicsBench {

    @Test
    void createTopicsInBatchesOfFifty() throws Exception {
        int topics = Integer.getInteger("bench.topics", 300);
        for (String rf : System.getProperty("bench.rfs", "3,1").split(",")) {
            run(topics, Short.parseShort(rf.trim()));
        }
    }

    private static void run(int topics, short rf) throws Exception {
        try (InJvmCluster cluster = new InJvmCluster(Map.of()).start(); Admin a = cluster.admin(1)) {
            // a first topic, so the client's metadata and the controller's activation are behind us
            a.createTopics(List.of(new NewTopic("warm-up", 1, rf))).all().get(60, TimeUnit.SECONDS);
            List<Long> batchMs = new ArrayList<>();
            long start = System.nanoTime();
            for (int b = 0; b < topics; b += 50) {
                List<NewTopic> batch = new ArrayList<>();
                for (int i = b; i < Math.min(topics, b + 50); i++) {
                    batch.add(new NewTopic(String.format("rf%d-%05d", rf, i), 10, rf));
                }
                long t0 = System.nanoTime();
                a.createTopics(batch).all().get(60, TimeUnit.SECONDS);
                batchMs.add((System.nanoTime() - t0) / 1_000_000);
            }
            long totalMs = (System.nanoTime() - start) / 1_000_000;
            List<Long> sorted = new ArrayList<>(batchMs);
            sorted.sort(null);
            System.err.println("BENCH createTopics rf=" + rf + " topics=" + topics + " totalMs=" + totalMs + " medianBatchMs="
                    + sorted.get(sorted.size() / 2) + " batchesMs=" + batchMs);
        }
    }
}
