package org.tributary.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.tributary.log.LogFaults;
import org.tributary.metadata.BrokerRegistration;
import org.tributary.partition.Partition;

/**
 * A leader whose disk fails a write: Kafka takes the log directory offline and the broker stops
 * leading, so producers go on with the other in-sync replicas. Here the broker asks the controller
 * to fence it; the partition gets a new leader, every record is acknowledged once and readable, and
 * the broker stays fenced while it runs.
 */
@Timeout(240)
class LogDirFailureTest {
    private static final String TOPIC = "fragile";
    private InJvmCluster cluster;

    @AfterEach
    void close() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aLeaderWhoseDiskFailsIsFencedAndProducersGoOnWithTheOtherReplicas() throws Exception {
        cluster = new InJvmCluster(Map.of()).start();
        try (Admin a = cluster.admin(1)) {
            a.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 3).configs(Map.of("min.insync.replicas", "2"))))
                    .all().get(30, TimeUnit.SECONDS);
        }
        InJvmCluster.await("every replica in the ISR", 30_000, () -> replica(1).isr().size() == 3);
        int leader = replica(1).leader();
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            send(producer, 0, 100);
            LogFaults.breakWrites(replica(leader).log());
            long t0 = System.nanoTime();
            List<RecordMetadata> after = send(producer, 100, 100); // retried through KAFKA_STORAGE_ERROR to the new leader
            System.out.printf("[log-dir-failure] 100 records acknowledged %d ms after broker %d's disk failed%n",
                    (System.nanoTime() - t0) / 1_000_000, leader);
            assertEquals(199, after.get(after.size() - 1).offset(), "offsets 100..199 after 0..99");
        }
        int survivor = leader == 1 ? 2 : 1;
        assertTrue(cluster.broker(leader).server().storageFailures().failure().isPresent(), "the broker knows its directory failed");
        assertNotEquals(leader, replica(survivor).leader(), "the partition is led by another replica");
        assertTrue(registration(survivor, leader).fenced(), "the controller fenced the broker whose disk failed");
        Thread.sleep(3_000); // several heartbeats: it asks to stay fenced
        assertTrue(registration(survivor, leader).fenced(), "still fenced after more heartbeats");
        assertTrue(!replica(survivor).isr().contains(leader), "not in the ISR: " + replica(survivor).isr());

        List<String> read = consumeAll(cluster.bootstrap(survivor), 200);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            expected.add("r" + i);
        }
        assertEquals(expected, read, "every acknowledged record once, in order");
    }

    private Partition replica(int broker) {
        return cluster.replica(broker, new TopicPartition(TOPIC, 0));
    }

    private BrokerRegistration registration(int asSeenBy, int broker) {
        return cluster.broker(asSeenBy).metadata().metadata().image().broker(broker).orElseThrow();
    }

    private KafkaProducer<byte[], byte[]> producer() {
        Map<String, Object> pc = new HashMap<>();
        pc.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrap(1, 2, 3));
        pc.put(ProducerConfig.ACKS_CONFIG, "all");
        pc.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        pc.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000);
        pc.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        return new KafkaProducer<>(pc, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static List<RecordMetadata> send(KafkaProducer<byte[], byte[]> producer, int from, int count) throws Exception {
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            sent.add(producer.send(new ProducerRecord<>(TOPIC, ("r" + i).getBytes(StandardCharsets.UTF_8))));
        }
        List<RecordMetadata> acked = new ArrayList<>();
        for (Future<RecordMetadata> f : sent) {
            acked.add(f.get(90, TimeUnit.SECONDS));
        }
        return acked;
    }

    private static List<String> consumeAll(String bootstrap, int expected) {
        Map<String, Object> cc = Map.of("bootstrap.servers", bootstrap, "auto.offset.reset", "earliest");
        List<String> seen = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(cc, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(List.of(new TopicPartition(TOPIC, 0))); // no group: the records, not the coordinator, are checked here
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (seen.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    seen.add(new String(r.value(), StandardCharsets.UTF_8));
                }
            }
        }
        return seen;
    }
}
