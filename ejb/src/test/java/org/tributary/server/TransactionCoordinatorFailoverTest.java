package org.tributary.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
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
 * The transaction coordinator follows the leadership of its {@code __transaction_state} partition
 * across three brokers in one JVM: the coordinator's broker stops in the middle of a transaction,
 * the partition's new leader loads the transaction (Ongoing, with its partitions), and the real
 * producer's commit completes there, its markers sent to the partitions' leaders over the
 * inter-broker listener, so a read_committed consumer sees the records.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class TransactionCoordinatorFailoverTest {
    private static final String TXN = "failover-txn";
    private static final String TOPIC = "payments";
    private InJvmCluster cluster;

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aTransactionOpenWhenItsCoordinatorStopsCommitsAtTheNewOne() throws Exception {
        cluster = new InJvmCluster(Map.of("transaction.state.log.num.partitions", "6")).start();
        try (Admin a = cluster.admin(1)) {
            a.createTopics(List.of(new NewTopic(TOPIC, 3, (short) 3))).all().get(30, TimeUnit.SECONDS);
        }
        Map<String, Object> pc = new HashMap<>();
        pc.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrap(1, 2, 3));
        pc.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, TXN);
        pc.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 120_000);
        pc.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
        pc.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(pc, new ByteArraySerializer(), new ByteArraySerializer())) {
            p.initTransactions();
            p.beginTransaction();
            for (int i = 0; i < 3; i++) {
                p.send(new ProducerRecord<>(TOPIC, i, null, ("paid-" + i).getBytes(StandardCharsets.UTF_8)));
            }
            p.flush();
            int coordinator;
            try (Admin a = cluster.admin(1)) {
                TransactionDescription d = a.describeTransactions(List.of(TXN)).description(TXN).get(30, TimeUnit.SECONDS);
                coordinator = d.coordinatorId();
                assertEquals(3, d.topicPartitions().size());
            }
            cluster.stop(coordinator);
            p.commitTransaction(); // finds the new coordinator, which loaded the Ongoing transaction
            int survivor = coordinator == 1 ? 2 : 1;
            try (Admin a = cluster.admin(survivor)) {
                TransactionDescription d = a.describeTransactions(List.of(TXN)).description(TXN).get(30, TimeUnit.SECONDS);
                assertNotEquals(coordinator, d.coordinatorId(), "the partition's new leader coordinates the transaction");
            }
            int other = 6 - coordinator - survivor;
            Map<String, Object> cc = new HashMap<>();
            cc.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrap(survivor, other));
            cc.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            cc.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            List<String> seen = new ArrayList<>();
            try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(cc, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                List<TopicPartition> parts = List.of(new TopicPartition(TOPIC, 0), new TopicPartition(TOPIC, 1), new TopicPartition(TOPIC, 2));
                c.assign(parts);
                c.seekToBeginning(parts);
                long deadline = System.currentTimeMillis() + 60_000;
                while (seen.size() < 3 && System.currentTimeMillis() < deadline) {
                    for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                        seen.add(new String(r.value(), StandardCharsets.UTF_8));
                    }
                }
            }
            seen.sort(null);
            assertEquals(List.of("paid-0", "paid-1", "paid-2"), seen, "the commit's markers reached every partition's leader");
        }
    }
}
