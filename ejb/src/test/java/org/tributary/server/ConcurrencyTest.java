package org.tributary.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Four idempotent producers write to three partitions while a consumer tails them: every record
 * arrives once, and each producer's records keep their order within a partition.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ConcurrencyTest {

    @Test
    void concurrentProducersAndATailingConsumer() throws Exception {
        int producers = 4;
        int perProducer = 1500;
        int partitions = 3;
        try (TestBroker broker = new TestBroker()) {
            try (Admin admin = broker.admin()) {
                admin.createTopics(List.of(new NewTopic("busy", partitions, (short) 1))).all().get();
            }
            ExecutorService pool = Executors.newFixedThreadPool(producers + 1);
            try {
                Future<Map<String, List<Integer>>> consumed = pool.submit(() -> consume(broker, producers * perProducer, partitions));
                List<Future<?>> sent = new ArrayList<>();
                for (int p = 0; p < producers; p++) {
                    int id = p;
                    sent.add(pool.submit(() -> {
                        try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of(ProducerConfig.ACKS_CONFIG, "all",
                                ProducerConfig.BATCH_SIZE_CONFIG, 2048, ProducerConfig.COMPRESSION_TYPE_CONFIG, id % 2 == 0 ? "lz4" : "none"))) {
                            for (int i = 0; i < perProducer; i++) {
                                producer.send(new ProducerRecord<>("busy", i % partitions, null,
                                        ("p" + id + ":" + i).getBytes(StandardCharsets.UTF_8)));
                            }
                            producer.flush();
                        }
                        return null;
                    }));
                }
                for (Future<?> f : sent) {
                    f.get(60, TimeUnit.SECONDS);
                }
                Map<String, List<Integer>> byProducerPartition = consumed.get(60, TimeUnit.SECONDS);
                int total = byProducerPartition.values().stream().mapToInt(List::size).sum();
                assertEquals(producers * perProducer, total);
                for (Map.Entry<String, List<Integer>> e : byProducerPartition.entrySet()) {
                    List<Integer> seq = e.getValue();
                    for (int i = 1; i < seq.size(); i++) {
                        assertTrue(seq.get(i) > seq.get(i - 1), "order of " + e.getKey() + " at " + i);
                    }
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    private static Map<String, List<Integer>> consume(TestBroker broker, int expected, int partitions) {
        Map<String, List<Integer>> out = new HashMap<>();
        int count = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = broker.consumer(Map.of(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 200))) {
            List<TopicPartition> tps = new ArrayList<>();
            for (int p = 0; p < partitions; p++) {
                tps.add(new TopicPartition("busy", p));
            }
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (count < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    String[] v = new String(r.value(), StandardCharsets.UTF_8).split(":");
                    out.computeIfAbsent(v[0] + "@" + r.partition(), k -> new ArrayList<>()).add(Integer.parseInt(v[1]));
                    count++;
                }
            }
        }
        return out;
    }
}
