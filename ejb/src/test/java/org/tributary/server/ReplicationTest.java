package org.tributary.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.tributary.partition.Partition;

/**
 * Replication between three brokers in one JVM with real Kafka clients: acks=all waits for the
 * whole ISR, followers hold the leader's log byte for byte, min.insync.replicas is enforced, the
 * loss of a leader elects an in-sync follower with every acknowledged record, and a follower that
 * was down catches up and rejoins the ISR.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ReplicationTest {
    private InJvmCluster cluster;

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private void createTopic(String name, int partitions, int rf, Map<String, String> configs) throws Exception {
        try (Admin a = cluster.admin(1)) {
            a.createTopics(List.of(new NewTopic(name, partitions, (short) rf).configs(configs))).all().get(30, TimeUnit.SECONDS);
        }
    }

    private KafkaProducer<byte[], byte[]> producer(String bootstrap, String acks, boolean retry) {
        Map<String, Object> pc = new HashMap<>();
        pc.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        pc.put(ProducerConfig.ACKS_CONFIG, acks);
        pc.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "all".equals(acks) && retry);
        pc.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        pc.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, retry ? 60_000 : 5_000);
        pc.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, retry ? 10_000 : 4_000);
        if (!retry) {
            pc.put(ProducerConfig.RETRIES_CONFIG, 0);
        }
        return new KafkaProducer<>(pc, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private Partition replica(int broker, String topic, int p) {
        return cluster.replica(broker, new TopicPartition(topic, p));
    }

    private List<String> consumeAll(String bootstrap, String topic, int expected) {
        Map<String, Object> cc = Map.of("bootstrap.servers", bootstrap, "group.id", "check-" + System.nanoTime(),
                "auto.offset.reset", "earliest", "enable.auto.commit", false);
        List<String> seen = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(cc, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.currentTimeMillis() + 60_000;
            while (seen.size() < expected && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    seen.add(r.partition() + ":" + new String(r.value(), StandardCharsets.UTF_8));
                }
            }
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) { // nothing more
                seen.add(r.partition() + ":" + new String(r.value(), StandardCharsets.UTF_8));
            }
        }
        return seen;
    }

    @Test
    void acksAllRecordsAreOnEveryReplicaAndSurviveTheLossOfTheirLeader() throws Exception {
        cluster = new InJvmCluster(Map.of()).start();
        createTopic("r", 3, 3, Map.of("min.insync.replicas", "2"));
        List<Future<RecordMetadata>> acked = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = producer(cluster.bootstrap(1, 2, 3), "all", true)) {
            for (int i = 0; i < 300; i++) {
                acked.add(producer.send(new ProducerRecord<>("r", i % 3, null, ("v" + i).getBytes(StandardCharsets.UTF_8))));
            }
            for (Future<RecordMetadata> f : acked) {
                f.get(60, TimeUnit.SECONDS);
            }
        }
        for (int p = 0; p < 3; p++) {
            int part = p;
            Partition leader = cluster.broker(1).server().replicaManager().orElseThrow().replica(new TopicPartition("r", p)).map(x -> x.leader())
                    .map(id -> replica(id, "r", part)).orElseThrow();
            assertEquals(100, leader.highWatermark(), "acks=all answered only once the ISR had all 100 records of partition " + p);
            for (int b = 1; b <= 3; b++) {
                int broker = b;
                InJvmCluster.await("broker " + b + " holds partition " + p + " up to the leader's log end", 30_000,
                        () -> replica(broker, "r", part).logEndOffset() == 100);
            }
        }
        int leader0;
        try (Admin a = cluster.admin(1)) {
            TopicPartitionInfo info = a.describeTopics(List.of("r")).allTopicNames().get().get("r").partitions().get(0);
            assertEquals(3, info.isr().size(), "every replica is in sync: " + info);
            leader0 = info.leader().id();
            // the check below reads through a consumer group: its offsets topic is made now, while all three brokers
            // serve, since (as in Kafka) it is created only with its full replication factor (3), never smaller
            a.listConsumerGroupOffsets("make-the-offsets-topic").partitionsToOffsetAndMetadata().get(60, TimeUnit.SECONDS);
        }
        cluster.stop(leader0);
        int survivor = leader0 == 1 ? 2 : 1;
        int other = 6 - leader0 - survivor;
        InJvmCluster.await("partition 0 has a new leader", 30_000, () -> {
            try (Admin a = cluster.admin(survivor)) {
                TopicDescription d = a.describeTopics(List.of("r")).allTopicNames().get().get("r");
                TopicPartitionInfo i = d.partitions().get(0);
                return i.leader() != null && i.leader().id() != leader0;
            } catch (Exception e) {
                return false;
            }
        });
        List<String> seen = consumeAll(cluster.bootstrap(survivor, other), "r", 300);
        assertEquals(300, seen.size(), "every acknowledged record is read once after the leader's loss");
        assertEquals(300, new java.util.HashSet<>(seen).size(), "no duplicates");
        try (KafkaProducer<byte[], byte[]> producer = producer(cluster.bootstrap(survivor, other), "all", true)) {
            producer.send(new ProducerRecord<>("r", 0, null, "after".getBytes(StandardCharsets.UTF_8))).get(60, TimeUnit.SECONDS);
        }
        cluster.startBroker(leader0);
        InJvmCluster.await("the returned broker catches up and rejoins the ISR of partition 0", 60_000, () -> {
            try (Admin a = cluster.admin(survivor)) {
                return a.describeTopics(List.of("r")).allTopicNames().get().get("r").partitions().get(0).isr().size() == 3
                        && replica(leader0, "r", 0).logEndOffset() == 101;
            } catch (Exception e) {
                return false;
            }
        });
        try (Admin a = cluster.admin(survivor)) { // kafka-leader-election --election-type preferred
            TopicPartition tp0 = new TopicPartition("r", 0);
            int preferred = a.describeTopics(List.of("r")).allTopicNames().get().get("r").partitions().get(0).replicas().get(0).id();
            Map<TopicPartition, java.util.Optional<Throwable>> result = a.electLeaders(org.apache.kafka.common.ElectionType.PREFERRED,
                    java.util.Set.of(tp0)).partitions().get(30, TimeUnit.SECONDS);
            assertTrue(result.get(tp0).isEmpty() || result.get(tp0).get() instanceof org.apache.kafka.common.errors.ElectionNotNeededException,
                    String.valueOf(result));
            // the answer comes once the broker that forwarded it has the change; others apply it moments later
            InJvmCluster.await("the preferred replica " + preferred + " leads partition 0 again, as every broker sees it", 15_000, () -> {
                for (int b = 1; b <= 3; b++) {
                    if (replica(b, "r", 0).leader() != preferred) {
                        return false;
                    }
                }
                return true;
            });
        }
    }

    @Test
    void minInsyncReplicasIsEnforcedForAcksAllAndNotForAcksOne() throws Exception {
        cluster = new InJvmCluster(Map.of()).start();
        createTopic("strict", 1, 3, Map.of("min.insync.replicas", "3"));
        createTopic("single", 1, 1, Map.of("min.insync.replicas", "2"));
        try (KafkaProducer<byte[], byte[]> producer = producer(cluster.bootstrap(1, 2, 3), "all", false)) {
            producer.send(new ProducerRecord<>("strict", "ok".getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);
            ExecutionException e = assertThrows(ExecutionException.class, () -> producer.send(new ProducerRecord<>("single",
                    "no".getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS));
            assertInstanceOf(NotEnoughReplicasException.class, e.getCause(), "RF 1 < min.insync.replicas 2: " + e.getCause());
        }
        int leader;
        try (Admin a = cluster.admin(1)) {
            leader = a.describeTopics(List.of("strict")).allTopicNames().get().get("strict").partitions().get(0).leader().id();
        }
        int down = leader == 3 ? 2 : 3;
        cluster.stop(down);
        int up = 6 - leader - down;
        InJvmCluster.await("the stopped broker leaves the ISR", 30_000, () -> replica(leader, "strict", 0).isr().size() == 2);
        try (KafkaProducer<byte[], byte[]> producer = producer(cluster.bootstrap(leader, up), "all", false)) {
            long t0 = System.nanoTime();
            ExecutionException e = assertThrows(ExecutionException.class, () -> producer.send(new ProducerRecord<>("strict",
                    "no".getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS));
            assertInstanceOf(NotEnoughReplicasException.class, e.getCause(), String.valueOf(e.getCause()));
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(4), "refused at once, not after a timeout");
        }
        try (KafkaProducer<byte[], byte[]> producer = producer(cluster.bootstrap(leader, up), "1", false)) {
            RecordMetadata m = producer.send(new ProducerRecord<>("strict", "one".getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);
            assertEquals(1, m.offset(), "acks=1 still writes with the ISR below min.insync.replicas");
        }
    }

    @Test
    void withTwoOfThreeBrokersDownAcksAllTimesOutRetriablyAndResumesWhenTheyReturn() throws Exception {
        cluster = new InJvmCluster(Map.of()).start();
        createTopic("q", 1, 3, Map.of("min.insync.replicas", "2"));
        int leader;
        try (Admin a = cluster.admin(1)) {
            leader = a.describeTopics(List.of("q")).allTopicNames().get().get("q").partitions().get(0).leader().id();
        }
        List<Integer> others = new ArrayList<>(List.of(1, 2, 3));
        others.remove(Integer.valueOf(leader));
        others.forEach(cluster::crash); // no controlled shutdown, no quorum left: the ISR cannot shrink
        try (KafkaProducer<byte[], byte[]> producer = producer(cluster.bootstrap(leader), "all", false)) {
            long t0 = System.nanoTime();
            ExecutionException e = assertThrows(ExecutionException.class, () -> producer.send(new ProducerRecord<>("q",
                    "unacknowledged".getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS));
            assertInstanceOf(org.apache.kafka.common.errors.RetriableException.class, e.getCause(), String.valueOf(e.getCause()));
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(20), "failed within the delivery timeout, no hang");
        }
        try (KafkaProducer<byte[], byte[]> producer = producer(cluster.bootstrap(leader), "1", false)) {
            producer.send(new ProducerRecord<>("q", "leader-only".getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);
        }
        for (int id : others) {
            cluster.startBroker(id);
        }
        try (KafkaProducer<byte[], byte[]> producer = producer(cluster.bootstrap(1, 2, 3), "all", true)) {
            RecordMetadata m = producer.send(new ProducerRecord<>("q", "after".getBytes(StandardCharsets.UTF_8))).get(60, TimeUnit.SECONDS);
            assertTrue(m.offset() >= 2, "writes resume with the brokers back: offset " + m.offset());
        }
    }
}
