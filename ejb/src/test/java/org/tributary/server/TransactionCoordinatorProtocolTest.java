package org.tributary.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.tools.TransactionsCommand;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.tributary.testkit.KafkaTools;

/**
 * The real Java transactional producer against the transaction coordinator: commit and abort over
 * three partitions seen through a read_committed consumer, zombie fencing, and Kafka's
 * kafka-transactions tool (list, describe).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TransactionCoordinatorProtocolTest {
    private TestBroker broker;
    private Admin admin;

    @BeforeAll
    void start() throws Exception {
        broker = new TestBroker(Map.of("transaction.abort.timed.out.transaction.cleanup.interval.ms", "200"));
        admin = broker.admin();
    }

    @AfterAll
    void stop() {
        if (admin != null) {
            admin.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    private KafkaProducer<byte[], byte[]> transactional(String id) {
        return broker.producer(Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, id, ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000));
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private List<String> readCommitted(String topic, int expectedAtLeast) {
        List<String> seen = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = broker.consumer(Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"))) {
            List<TopicPartition> parts = List.of(new TopicPartition(topic, 0), new TopicPartition(topic, 1), new TopicPartition(topic, 2));
            c.assign(parts);
            c.seekToBeginning(parts);
            long deadline = System.currentTimeMillis() + 20_000;
            while (System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    seen.add(new String(r.value(), StandardCharsets.UTF_8));
                }
                boolean atEnd = parts.stream().allMatch(tp -> c.position(tp) >= c.endOffsets(List.of(tp)).get(tp));
                if (seen.size() >= expectedAtLeast && atEnd) {
                    break;
                }
            }
        }
        seen.sort(null);
        return seen;
    }

    @Test
    void readCommittedSeesExactlyTheCommittedRecords() throws Exception {
        admin.createTopics(List.of(new NewTopic("txn-data", 3, (short) 1))).all().get();
        try (KafkaProducer<byte[], byte[]> p = transactional("tx-commit")) {
            p.initTransactions();
            p.beginTransaction();
            for (int i = 0; i < 3; i++) {
                p.send(new ProducerRecord<>("txn-data", i, null, b("committed-" + i)));
            }
            p.commitTransaction();
            p.beginTransaction();
            for (int i = 0; i < 3; i++) {
                p.send(new ProducerRecord<>("txn-data", i, null, b("aborted-" + i)));
            }
            p.flush();
            p.abortTransaction();
            p.beginTransaction();
            p.send(new ProducerRecord<>("txn-data", 1, null, b("committed-3")));
            p.commitTransaction();
        }
        assertEquals(List.of("committed-0", "committed-1", "committed-2", "committed-3"), readCommitted("txn-data", 4));
    }

    @Test
    void aSecondProducerWithTheSameIdFencesTheFirst() throws Exception {
        admin.createTopics(List.of(new NewTopic("txn-zombie", 3, (short) 1))).all().get();
        try (KafkaProducer<byte[], byte[]> zombie = transactional("tx-zombie"); KafkaProducer<byte[], byte[]> fresh = transactional("tx-zombie")) {
            zombie.initTransactions();
            zombie.beginTransaction();
            zombie.send(new ProducerRecord<>("txn-zombie", 0, null, b("zombie-open"))).get();
            fresh.initTransactions(); // aborts the zombie's open transaction first
            fresh.beginTransaction();
            fresh.send(new ProducerRecord<>("txn-zombie", 0, null, b("fresh"))).get();
            fresh.commitTransaction();
            KafkaException e = assertThrows(KafkaException.class, () -> {
                zombie.send(new ProducerRecord<>("txn-zombie", 1, null, b("zombie-late")));
                zombie.commitTransaction();
            });
            assertTrue(e instanceof ProducerFencedException || e.getCause() instanceof ProducerFencedException
                    || e.getClass().getSimpleName().contains("Fenced"), "fenced, got " + e);
        }
        assertEquals(List.of("fresh"), readCommitted("txn-zombie", 1));
    }

    @Test
    void aTransactionOlderThanItsTimeoutIsAbortedAndItsProducerFenced() throws Exception {
        admin.createTopics(List.of(new NewTopic("txn-timeout", 3, (short) 1))).all().get();
        try (KafkaProducer<byte[], byte[]> p = broker.producer(Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "tx-timeout",
                ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 1_000))) {
            p.initTransactions();
            p.beginTransaction();
            p.send(new ProducerRecord<>("txn-timeout", 0, null, b("too-slow"))).get();
            long deadline = System.currentTimeMillis() + 30_000;
            String state = "";
            while (!state.equals("COMPLETE_ABORT") && System.currentTimeMillis() < deadline) {
                state = admin.describeTransactions(List.of("tx-timeout")).description("tx-timeout").get().state().name();
            }
            assertEquals("COMPLETE_ABORT", state, "the coordinator aborted it");
            KafkaException e = assertThrows(KafkaException.class, p::commitTransaction);
            assertTrue(e.getClass().getSimpleName().contains("Fenced") || e.getClass().getSimpleName().contains("Epoch")
                    || (e.getCause() != null && e.getCause().getClass().getSimpleName().contains("Fenced")), "fenced, got " + e);
        }
        try (KafkaConsumer<byte[], byte[]> c = broker.consumer(Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"))) {
            TopicPartition tp = new TopicPartition("txn-timeout", 0);
            c.assign(List.of(tp));
            long end = c.endOffsets(List.of(tp)).get(tp);
            assertTrue(end >= 2, "the record and the abort marker");
            int read = 0;
            long deadline = System.currentTimeMillis() + 20_000;
            while (c.position(tp) < end && System.currentTimeMillis() < deadline) {
                read += c.poll(Duration.ofMillis(200)).count();
            }
            assertEquals(end, c.position(tp), "the marker ended the transaction: the read passes it");
            assertEquals(0, read, "nothing of the aborted transaction is read");
        }
    }

    @Test
    void aTimeoutAboveTheMaximumIsRefused() {
        try (KafkaProducer<byte[], byte[]> p = broker.producer(Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "tx-long",
                ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 900_001))) {
            KafkaException e = assertThrows(KafkaException.class, p::initTransactions);
            // the 4.3.1 producer reports INVALID_TRANSACTION_TIMEOUT as an unexpected error carrying that error's message
            assertTrue(e.getMessage().contains(org.apache.kafka.common.protocol.Errors.INVALID_TRANSACTION_TIMEOUT.message()), "got " + e);
        }
    }

    /** Kafka's kafka-transactions, in this JVM. */
    private String tool(String... args) {
        List<String> all = new ArrayList<>(List.of("--bootstrap-server", broker.bootstrap()));
        all.addAll(List.of(args));
        return KafkaTools.run("kafka-transactions", a -> {
            try {
                TransactionsCommand.main(a);
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, all.toArray(String[]::new));
    }

    @Test
    void kafkaTransactionsToolListsAndDescribes() throws Exception {
        admin.createTopics(List.of(new NewTopic("txn-tool", 3, (short) 1))).all().get();
        try (KafkaProducer<byte[], byte[]> p = transactional("tx-tool")) {
            p.initTransactions();
            p.beginTransaction();
            p.send(new ProducerRecord<>("txn-tool", 2, null, b("open"))).get();
            TransactionDescription d = admin.describeTransactions(List.of("tx-tool")).description("tx-tool").get();
            assertEquals("ONGOING", d.state().name());
            assertEquals(List.of(new TopicPartition("txn-tool", 2)), List.copyOf(d.topicPartitions()));
            List<String> listed = admin.listTransactions().all().get().stream().map(TransactionListing::transactionalId).toList();
            assertTrue(listed.contains("tx-tool"), String.valueOf(listed));

            String list = tool("list");
            assertTrue(list.contains("tx-tool") && list.contains("Ongoing"), list);
            String describe = tool("describe", "--transactional-id", "tx-tool");
            assertTrue(describe.contains("Ongoing") && describe.contains("txn-tool-2"), describe);
            p.commitTransaction();
        }
        String after = tool("describe", "--transactional-id", "tx-tool");
        assertTrue(after.contains("CompleteCommit"), after);
    }
}
