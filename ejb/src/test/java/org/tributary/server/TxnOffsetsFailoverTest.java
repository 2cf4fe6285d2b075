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
import org.apache.kafka.clients.consumer.ConsumerRecords;
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

/**
 * Three brokers in one JVM: the group coordinator's broker (leader of the group's
 * {@code __consumer_offsets} partition, not the transaction coordinator's) stops between
 * {@code sendOffsetsToTransaction} and {@code commitTransaction}. The new leader replays the
 * transactional offsets as pending; the COMMIT marker, retried to it, makes them the group's
 * committed offsets.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class TxnOffsetsFailoverTest {
    private static final String IN = "txf-in";
    private static final String OUT = "txf-out";
    private static final String TXN_ID = "txf-txn";
    private InJvmCluster cluster;

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void offsetsSentBeforeTheGroupCoordinatorStopsAreCommittedOnTheNewOne() throws Exception {
        cluster = new InJvmCluster(Map.of("group.initial.rebalance.delay.ms", "0")).start();
        try (Admin a = cluster.admin(1)) {
            a.createTopics(List.of(new NewTopic(IN, 3, (short) 3), new NewTopic(OUT, 3, (short) 3))).all().get(30, TimeUnit.SECONDS);
        }
        String all = cluster.bootstrap(1, 2, 3);
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, all,
                ProducerConfig.ACKS_CONFIG, "all"), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < 30; i++) {
                p.send(new ProducerRecord<>(IN, i % 3, null, ("v" + i).getBytes(StandardCharsets.UTF_8)));
            }
            p.flush();
        }
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, all,
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, TXN_ID, ProducerConfig.MAX_BLOCK_MS_CONFIG, 60_000,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000, ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000),
                new ByteArraySerializer(), new ByteArraySerializer());
        try {
            producer.initTransactions();
            int txnCoordinator;
            String group = null;
            int groupCoordinator = -1;
            try (Admin a = cluster.admin(1)) {
                txnCoordinator = a.describeTransactions(List.of(TXN_ID)).description(TXN_ID).get(30, TimeUnit.SECONDS).coordinatorId();
                try {
                    a.listConsumerGroupOffsets("txf-probe").partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS); // creates the offsets topic
                } catch (java.util.concurrent.ExecutionException e) {
                    // an unknown group is fine: FindCoordinator has run
                }
                org.apache.kafka.clients.admin.TopicDescription offsets = a.describeTopics(List.of("__consumer_offsets")).allTopicNames()
                        .get(30, TimeUnit.SECONDS).get("__consumer_offsets");
                for (int i = 0; group == null; i++) { // a group coordinated by another broker than the transaction
                    String candidate = "txf-group-" + i;
                    int partition = Math.abs(candidate.hashCode()) % offsets.partitions().size();
                    int id = offsets.partitions().get(partition).leader().id();
                    if (id != txnCoordinator) {
                        group = candidate;
                        groupCoordinator = id;
                    }
                }
            }
            Map<TopicPartition, OffsetAndMetadata> sent = new HashMap<>();
            KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, all,
                    ConsumerConfig.GROUP_ID_CONFIG, group, ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                    ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false, ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                    new ByteArrayDeserializer(), new ByteArrayDeserializer());
            try {
                consumer.subscribe(List.of(IN));
                ConsumerRecords<byte[], byte[]> records = ConsumerRecords.empty();
                long deadline = System.currentTimeMillis() + 60_000;
                while (records.isEmpty() && System.currentTimeMillis() < deadline) {
                    records = consumer.poll(Duration.ofMillis(200));
                }
                producer.beginTransaction();
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    producer.send(new ProducerRecord<>(OUT, r.partition(), null, r.value()));
                    sent.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
                }
                producer.sendOffsetsToTransaction(sent, consumer.groupMetadata());
                assertEquals(false, sent.isEmpty());
            } finally {
                consumer.close(Duration.ofMillis(500));
            }

            try (Admin a = cluster.admin(txnCoordinator)) {
                assertEquals(Map.of(), a.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS),
                        "the transaction's offsets are pending until it commits");
            }
            cluster.stop(groupCoordinator);
            producer.commitTransaction();

            int survivor = txnCoordinator;
            String g = group;
            int[] newCoordinator = {-1};
            InJvmCluster.await("the new coordinator serves the transaction's offsets", 60_000, () -> {
                try (Admin a = cluster.admin(survivor)) {
                    Map<TopicPartition, OffsetAndMetadata> got = a.listConsumerGroupOffsets(g).partitionsToOffsetAndMetadata()
                            .get(10, TimeUnit.SECONDS);
                    newCoordinator[0] = a.describeConsumerGroups(List.of(g)).all().get(10, TimeUnit.SECONDS).get(g).coordinator().id();
                    return sent.equals(got);
                } catch (Exception e) {
                    return false;
                }
            });
            assertNotEquals(groupCoordinator, newCoordinator[0], "the partition's new leader coordinates the group");
        } finally {
            producer.close(Duration.ofSeconds(5));
        }
    }
}
