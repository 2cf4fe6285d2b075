package org.tributary.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.tributary.partition.Partition;

/**
 * The group coordinator follows the leadership of its {@code __consumer_offsets} partition across
 * three brokers in one JVM, with real Kafka clients: a commit is answered once every in-sync
 * replica has it, and when the coordinator's broker stops, the partition's new leader loads the
 * group and serves its committed offsets, and a consumer of the group resumes from them.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class GroupCoordinatorFailoverTest {
    private static final String GROUP = "failover-group";
    private static final String TOPIC = "orders";
    private InJvmCluster cluster;

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private KafkaConsumer<byte[], byte[]> consumer(String bootstrap) {
        Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
        c.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 1_000);
        return new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private Partition offsetsReplica(int broker, int partition) {
        return cluster.replica(broker, new TopicPartition("__consumer_offsets", partition));
    }

    @Test
    void committedOffsetsSurviveTheCoordinatorsBrokerAndTheGroupResumesFromThem() throws Exception {
        cluster = new InJvmCluster(Map.of("group.initial.rebalance.delay.ms", "0")).start();
        try (Admin a = cluster.admin(1)) {
            a.createTopics(List.of(new NewTopic(TOPIC, 3, (short) 3))).all().get(30, TimeUnit.SECONDS);
        }
        Map<String, Object> pc = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrap(1, 2, 3), ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(pc, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < 30; i++) {
                p.send(new ProducerRecord<>(TOPIC, i % 3, null, ("v" + i).getBytes(StandardCharsets.UTF_8)));
            }
            p.flush();
        }

        Map<TopicPartition, OffsetAndMetadata> committed = Map.of(new TopicPartition(TOPIC, 0), new OffsetAndMetadata(4),
                new TopicPartition(TOPIC, 1), new OffsetAndMetadata(6), new TopicPartition(TOPIC, 2), new OffsetAndMetadata(8));
        try (KafkaConsumer<byte[], byte[]> first = consumer(cluster.bootstrap(1, 2, 3))) {
            first.subscribe(List.of(TOPIC));
            long deadline = System.currentTimeMillis() + 60_000;
            while (first.assignment().size() < 3 && System.currentTimeMillis() < deadline) {
                first.poll(Duration.ofMillis(200));
            }
            assertEquals(3, first.assignment().size(), "the only member owns every partition");
            first.commitSync(committed, Duration.ofSeconds(30));
        }

        int offsetsPartition = Math.abs(GROUP.hashCode()) % 6;
        int coordinator;
        try (Admin a = cluster.admin(1)) {
            coordinator = a.describeConsumerGroups(List.of(GROUP)).all().get(30, TimeUnit.SECONDS).get(GROUP).coordinator().id();
        }
        Partition leader = offsetsReplica(coordinator, offsetsPartition);
        assertEquals(3, leader.isr().size(), "__consumer_offsets is replicated on every broker: " + leader);
        assertEquals(leader.logEndOffset(), leader.highWatermark(), "the commit was answered once every in-sync replica had it");

        cluster.stop(coordinator);
        int survivor = coordinator == 1 ? 2 : 1;
        int other = 6 - coordinator - survivor;
        int[] newCoordinator = {-1};
        InJvmCluster.await("the new coordinator serves the committed offsets", 60_000, () -> {
            try (Admin a = cluster.admin(survivor)) {
                Map<TopicPartition, OffsetAndMetadata> got = a.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata()
                        .get(10, TimeUnit.SECONDS);
                newCoordinator[0] = a.describeConsumerGroups(List.of(GROUP)).all().get(10, TimeUnit.SECONDS).get(GROUP).coordinator().id();
                return committed.equals(got);
            } catch (Exception e) {
                return false;
            }
        });
        assertNotEquals(coordinator, newCoordinator[0], "the partition's new leader coordinates the group");

        Map<Integer, Long> firstOffsets = new HashMap<>();
        int received = 0;
        try (KafkaConsumer<byte[], byte[]> resumed = consumer(cluster.bootstrap(survivor, other))) {
            resumed.subscribe(List.of(TOPIC));
            long deadline = System.currentTimeMillis() + 60_000;
            while (received < 12 && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : resumed.poll(Duration.ofMillis(200))) {
                    firstOffsets.putIfAbsent(r.partition(), r.offset());
                    received++;
                }
            }
            for (ConsumerRecord<byte[], byte[]> r : resumed.poll(Duration.ofMillis(500))) { // nothing more
                received++;
            }
        }
        assertEquals(Map.of(0, 4L, 1, 6L, 2, 8L), firstOffsets, "the group resumed where it had committed");
        assertEquals(30 - 4 - 6 - 8, received, "and read only what came after");
    }
}
