package org.tributary.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tributary.server.TransactionVerificationTest.uncheck;
import static org.tributary.server.TxnClientRequests.addPartitions;
import static org.tributary.server.TxnClientRequests.endTxn;
import static org.tributary.server.TxnClientRequests.findCoordinator;
import static org.tributary.server.TxnClientRequests.initProducerId;
import static org.tributary.server.TxnClientRequests.produce;
import static org.tributary.server.TxnRequests.txnRecords;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.tributary.server.TxnClientRequests.ProducerIdAndEpoch;

/**
 * KIP-890 part 1 on three brokers: partition leaders ask the transaction coordinator on another
 * broker before a transaction's first batch, a real transactional producer's commits and aborts
 * over three partitions read back exactly, a zombie is fenced; while the coordinator is down the
 * produce is answered with the retriable NOT_ENOUGH_REPLICAS and nothing is written, and the same
 * batch goes through once it is back. The transaction log has one replica, so that the
 * coordinator's broker going down leaves no coordinator at all.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class TransactionVerificationClusterTest {
    private InJvmCluster cluster;
    private Admin admin;

    @BeforeAll
    void start() throws Exception {
        cluster = new InJvmCluster(Map.of("transaction.state.log.replication.factor", "1", "transaction.state.log.min.isr", "1",
                "transaction.state.log.num.partitions", "6")).start();
        admin = cluster.admin(1);
    }

    @AfterAll
    void stop() {
        if (admin != null) {
            admin.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private void createTopic(String topic) throws Exception {
        admin.createTopics(List.of(new NewTopic(topic, 3, (short) 3).configs(Map.of("min.insync.replicas", "2"))))
                .all().get(30, TimeUnit.SECONDS);
    }

    private int leader(TopicPartition tp) throws Exception {
        return admin.describeTopics(List.of(tp.topic())).allTopicNames().get().get(tp.topic()).partitions().get(tp.partition())
                .leader().id();
    }

    private KafkaProducer<byte[], byte[]> producer(String transactionalId) {
        Map<String, Object> p = new HashMap<>();
        p.put("bootstrap.servers", cluster.bootstrap(1, 2, 3));
        p.put("transactional.id", transactionalId);
        p.put("max.block.ms", 60_000);
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private Map<Integer, List<String>> readCommitted(String topic) {
        Map<Integer, List<String>> seen = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of("bootstrap.servers", cluster.bootstrap(1, 2, 3),
                "isolation.level", "read_committed", "enable.auto.commit", false), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = List.of(new TopicPartition(topic, 0), new TopicPartition(topic, 1), new TopicPartition(topic, 2));
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> ends = c.endOffsets(parts);
            long deadline = System.currentTimeMillis() + 30_000;
            while (parts.stream().anyMatch(tp -> c.position(tp) < ends.get(tp)) && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    seen.computeIfAbsent(r.partition(), k -> new ArrayList<>()).add(new String(r.value(), StandardCharsets.UTF_8));
                }
            }
        }
        return seen;
    }

    @Test
    void aRealProducersCommitsAndAbortsAreVerifiedByTheCoordinatorOnAnotherBroker() throws Exception {
        String topic = "vc-data";
        createTopic(topic);
        Map<Integer, List<String>> expected = new HashMap<>();
        try (KafkaProducer<byte[], byte[]> p = producer("vc-1")) {
            p.initTransactions();
            for (int t = 0; t < 6; t++) {
                p.beginTransaction();
                for (int part = 0; part < 3; part++) {
                    String v = "t" + t + "-p" + part;
                    p.send(new ProducerRecord<>(topic, part, b(v), b(v)));
                    if (t % 2 == 0) {
                        expected.computeIfAbsent(part, k -> new ArrayList<>()).add(v);
                    }
                }
                if (t % 2 == 0) {
                    p.commitTransaction();
                } else {
                    p.abortTransaction();
                }
            }
            int coordinator = admin.describeTransactions(List.of("vc-1")).description("vc-1").get().coordinatorId();
            int remote = 0;
            for (int part = 0; part < 3; part++) {
                int leader = leader(new TopicPartition(topic, part));
                long asked = cluster.broker(leader).server().transactionVerification().orElseThrow().exchangesByBroker()
                        .getOrDefault(coordinator, 0L);
                assertTrue(asked > 0, "the leader of partition " + part + " (broker " + leader + ") asked coordinator " + coordinator);
                remote += leader != coordinator ? 1 : 0;
            }
            assertTrue(remote > 0, "at least one leader is not the coordinator's broker");

            try (KafkaProducer<byte[], byte[]> successor = producer("vc-1")) {
                successor.initTransactions(); // fences p
                p.beginTransaction();
                p.send(new ProducerRecord<>(topic, 0, b("zombie"), b("zombie")));
                assertThrows(KafkaException.class, p::commitTransaction);
                successor.beginTransaction();
                successor.send(new ProducerRecord<>(topic, 1, b("successor"), b("successor")));
                successor.commitTransaction();
                expected.get(1).add("successor");
            }
        }
        assertEquals(expected, readCommitted(topic));
    }

    @Test
    void whileTheCoordinatorIsDownTheProduceIsRetriableAndGoesThroughOnceItIsBack() throws Exception {
        String topic = "vc-down";
        String id = "vc-down-1";
        createTopic(topic);
        int coordinator;
        try (RawClient any = new RawClient(cluster.kafkaPort(1))) {
            InJvmCluster.await("a coordinator for " + id, 30_000, () -> uncheck(() -> findCoordinator(any, id) > 0));
            coordinator = findCoordinator(any, id);
        }
        TopicPartition tp = null;
        for (int part = 0; part < 3 && tp == null; part++) {
            TopicPartition candidate = new TopicPartition(topic, part);
            if (leader(candidate) != coordinator) {
                tp = candidate;
            }
        }
        assertTrue(tp != null, "a partition led away from the coordinator");
        int leader = leader(tp);
        ProducerIdAndEpoch p;
        try (RawClient c = new RawClient(cluster.kafkaPort(coordinator))) {
            p = initProducerId(c, id);
            assertEquals(Errors.NONE, addPartitions(c, id, p, tp));
        }
        cluster.stop(coordinator);
        TopicPartition data = tp;
        try (RawClient l = new RawClient(cluster.kafkaPort(leader)); Admin a = cluster.admin(leader)) {
            assertEquals(Errors.NOT_ENOUGH_REPLICAS, produce(l, (short) 12, id, data, txnRecords(p.id(), p.epoch(), 0, "d0")));
            assertEquals(0L, a.listOffsets(Map.of(data, OffsetSpec.latest())).partitionResult(data).get().offset(), "nothing appended");
            cluster.startBroker(coordinator);
            long deadline = System.currentTimeMillis() + 90_000;
            Errors e;
            do {
                e = produce(l, (short) 12, id, data, txnRecords(p.id(), p.epoch(), 0, "d0")); // the producer's retry
                assertTrue(e == Errors.NONE || e == Errors.NOT_ENOUGH_REPLICAS, "retriable until the coordinator is back: " + e);
                if (e != Errors.NONE) {
                    Thread.sleep(100);
                }
            } while (e != Errors.NONE && System.currentTimeMillis() < deadline);
            assertEquals(Errors.NONE, e);
            try (RawClient c = new RawClient(cluster.kafkaPort(coordinator))) {
                Errors end;
                do {
                    end = endTxn(c, id, p, true);
                } while ((end == Errors.COORDINATOR_LOAD_IN_PROGRESS || end == Errors.NOT_COORDINATOR) && sleep());
                assertEquals(Errors.NONE, end);
            }
            InJvmCluster.await("the commit", 30_000, () -> uncheck(() -> a.listOffsets(Map.of(data, OffsetSpec.latest()),
                    new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).partitionResult(data).get().offset() == 2));
        }
        assertEquals(List.of("d0"), readCommitted(topic).get(tp.partition()));
    }

    private static boolean sleep() throws InterruptedException {
        Thread.sleep(100);
        return true;
    }
}
