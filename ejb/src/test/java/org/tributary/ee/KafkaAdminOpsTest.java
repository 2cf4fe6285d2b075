package org.tributary.ee;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.tributary.server.TestBroker;

/** The admin API's offset look-ups, record browsing and group resets against one in-process broker. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KafkaAdminOpsTest {
    private static final String TOPIC = "browsed";
    private static final int N = 5;
    private TestBroker broker;
    private Admin admin;
    private KafkaAdminOps ops;
    private long t0;

    @BeforeAll
    void start() throws Exception {
        broker = new TestBroker();
        admin = broker.admin();
        ops = new KafkaAdminOps(broker.bootstrap());
        admin.createTopics(List.of(new NewTopic(TOPIC, 2, (short) 1))).all().get();
        t0 = System.currentTimeMillis() - 60_000;
        try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of())) {
            for (int i = 0; i < N; i++) {
                producer.send(new ProducerRecord<>(TOPIC, 0, t0 + i * 1000L, null, ("v" + i).getBytes(StandardCharsets.UTF_8)))
                        .get(20, TimeUnit.SECONDS);
            }
        }
    }

    @AfterAll
    void stop() {
        if (ops != null) {
            ops.close();
        }
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
        }
        if (broker != null) {
            broker.close();
        }
    }

    private static List<Long> offsets(List<RecordInfo> records) {
        return records.stream().map(RecordInfo::offset).toList();
    }

    @Test
    void browsesFromAnOffsetOrATime() {
        assertEquals(List.of(2L, 3L), offsets(ops.browse(TOPIC, 0, 2, null, 2)));
        assertEquals(List.of(3L, 4L), offsets(ops.browse(TOPIC, 0, 0, t0 + 2500, 10)));
        assertEquals(List.of(0L), offsets(ops.browse(TOPIC, 0, 0, 0L, 1)));
        assertEquals(List.of(), ops.browse(TOPIC, 0, 0, System.currentTimeMillis() + 3_600_000, 10), "no record that late");
        assertEquals(List.of(), ops.browse(TOPIC, 0, N, null, 10), "nothing at the log end");
        assertEquals(List.of(), ops.browse(TOPIC, 1, 0, null, 10), "an empty partition");
        assertEquals("v1", new String(ops.browse(TOPIC, 0, 1, null, 1).get(0).value(), StandardCharsets.UTF_8));
    }

    @Test
    void resetsCommitEarliestLatestOrFirstAtTime() throws Exception {
        TopicPartition p0 = new TopicPartition(TOPIC, 0);
        TopicPartition p1 = new TopicPartition(TOPIC, 1);
        List<TopicPartition> both = List.of(p0, p1);
        assertEquals(Map.of(p0, (long) N, p1, 0L), ops.resetOffsets("resets", both, new OffsetReset(OffsetReset.Kind.LATEST, 0, null, null)));
        assertEquals(Map.of(p0, (long) N, p1, 0L), committed("resets"));
        assertEquals(Map.of(p0, 0L, p1, 0L), ops.resetOffsets("resets", both, new OffsetReset(OffsetReset.Kind.EARLIEST, 0, null, null)));
        assertEquals(Map.of(p0, 0L, p1, 0L), committed("resets"));
        assertEquals(Map.of(p0, 2L, p1, 0L),
                ops.resetOffsets("resets", both, new OffsetReset(OffsetReset.Kind.TIMESTAMP, t0 + 1500, null, null)),
                "the first offset at or after the time; the log end where no record is that late");
        assertEquals(Map.of(p0, (long) N, p1, 0L), ops.resetOffsets("resets", both,
                new OffsetReset(OffsetReset.Kind.TIMESTAMP, System.currentTimeMillis() + 3_600_000, null, null)));
        assertEquals(Map.of(p0, 3L), ops.resetOffsets("resets", List.of(p0), new OffsetReset(OffsetReset.Kind.OFFSET, 3, null, null)));
        assertEquals(Map.of(p0, 3L, p1, 0L), committed("resets"));
    }

    private Map<TopicPartition, Long> committed(String group) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> m = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
        return m.entrySet().stream().collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
    }

    @Test
    void aTopicThatDoesNotExistIsNotFoundAndIsNotCreated() {
        AdminException browse = assertThrows(AdminException.class, () -> ops.browse("never-made", 0, 0, null, 10));
        assertEquals(AdminException.Kind.NOT_FOUND, browse.kind());
        AdminException reset = assertThrows(AdminException.class, () -> ops.resetOffsets("nothing-group",
                List.of(new TopicPartition("never-made", 0)), new OffsetReset(OffsetReset.Kind.LATEST, 0, null, null)));
        assertEquals(AdminException.Kind.NOT_FOUND, reset.kind());
        assertTrue(broker.server().topic("never-made").isEmpty(), "looking offsets up must not create a topic");
    }

    @Test
    void openTransactionsAreListedWithTheirPartitionsUntilCommitted() throws Exception {
        String topic = "transacted";
        admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get();
        assertEquals(List.of(), ops.openTransactions());
        try (KafkaProducer<byte[], byte[]> tx = broker.producer(Map.of("transactional.id", "console-tx", "transaction.timeout.ms", 45_000))) {
            tx.initTransactions();
            tx.beginTransaction();
            assertEquals(List.of(), ops.openTransactions(), "no partition yet: the coordinator has nothing open");
            tx.send(new ProducerRecord<>(topic, 0, null, "t0".getBytes(StandardCharsets.UTF_8)));
            tx.send(new ProducerRecord<>(topic, 1, null, "t1".getBytes(StandardCharsets.UTF_8)));
            tx.flush();
            List<TransactionInfo> open = ops.openTransactions();
            assertEquals(1, open.size(), open.toString());
            TransactionInfo t = open.get(0);
            assertEquals("console-tx", t.transactionalId());
            assertEquals("Ongoing", t.state());
            assertEquals(45_000L, t.timeoutMs());
            assertEquals(Map.of(topic, List.of(0, 1)), t.partitions());
            assertTrue(t.producerId() >= 0 && t.producerEpoch() >= 0, t.toString());
            assertTrue(t.startTimeMs() > 0 && t.startTimeMs() <= System.currentTimeMillis(), t.toString());
            assertEquals(TestBroker.BROKER_ID, t.coordinatorId());
            tx.commitTransaction();
        }
        long deadline = System.currentTimeMillis() + 20_000;
        List<TransactionInfo> after = ops.openTransactions();
        while (!after.isEmpty() && System.currentTimeMillis() < deadline) { // PrepareCommit until the markers are written
            Thread.onSpinWait();
            after = ops.openTransactions();
        }
        assertEquals(List.of(), after, "a committed transaction is not open");
    }
}
