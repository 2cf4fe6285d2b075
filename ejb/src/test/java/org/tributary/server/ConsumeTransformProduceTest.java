package org.tributary.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The classic exactly-once loop with the real Java clients: a read_committed consumer in a group,
 * a transactional producer writing the transformed records and the consumed offsets
 * ({@code sendOffsetsToTransaction} with the consumer's group metadata: TxnOffsetCommit v3+) in one
 * transaction per batch. An aborted batch leaves the group's offsets as they were and is processed
 * again; a loop that dies with a transaction open is replaced by one with the same transactional
 * id and group, which resumes from the committed offsets; the output holds every input once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class ConsumeTransformProduceTest {
    static final int N = 90;
    static final String IN = "ctp-in";
    static final String OUT = "ctp-out";
    static final String GROUP = "ctp-group";
    static final String TXN_ID = "ctp-txn";
    private TestBroker broker;
    private Admin admin;

    @BeforeAll
    void start() throws Exception {
        broker = new TestBroker();
        admin = broker.admin();
        admin.createTopics(List.of(new NewTopic(IN, 3, (short) 1), new NewTopic(OUT, 3, (short) 1))).all().get();
        try (KafkaProducer<byte[], byte[]> p = broker.producer(Map.of())) {
            for (int i = 0; i < N; i++) {
                p.send(new ProducerRecord<>(IN, i % 3, null, b("r-" + i)));
            }
            p.flush();
        }
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

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private KafkaConsumer<byte[], byte[]> groupConsumer() {
        return broker.consumer(Map.of(ConsumerConfig.GROUP_ID_CONFIG, GROUP, ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 7));
    }

    private KafkaProducer<byte[], byte[]> transactional() {
        return broker.producer(Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, TXN_ID, ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000));
    }

    /** The group's committed offsets of the input topic, summed (the records consumed for good). */
    private long committedTotal() throws Exception {
        Map<TopicPartition, OffsetAndMetadata> m = admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata().get();
        return m.entrySet().stream().filter(e -> e.getKey().topic().equals(IN)).mapToLong(e -> e.getValue().offset()).sum();
    }

    private Map<TopicPartition, OffsetAndMetadata> committed() throws Exception {
        return new HashMap<>(admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata().get());
    }

    /** Next positions after a batch, per partition. */
    private static Map<TopicPartition, OffsetAndMetadata> positions(ConsumerRecords<byte[], byte[]> records) {
        Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
        for (TopicPartition tp : records.partitions()) {
            List<ConsumerRecord<byte[], byte[]>> rs = records.records(tp);
            out.put(tp, new OffsetAndMetadata(rs.get(rs.size() - 1).offset() + 1));
        }
        return out;
    }

    private static void transform(KafkaProducer<byte[], byte[]> p, ConsumerRecords<byte[], byte[]> records) {
        for (ConsumerRecord<byte[], byte[]> r : records) {
            p.send(new ProducerRecord<>(OUT, r.partition(), null, b("out-" + new String(r.value(), StandardCharsets.UTF_8))));
        }
    }

    /** Rewinds the consumer to the group's committed offsets (after an abort), as the loop's recovery does. */
    private static void rewind(KafkaConsumer<byte[], byte[]> c) {
        Map<TopicPartition, OffsetAndMetadata> committed = c.committed(c.assignment());
        for (TopicPartition tp : c.assignment()) {
            OffsetAndMetadata o = committed.get(tp);
            if (o == null) {
                c.seekToBeginning(List.of(tp));
            } else {
                c.seek(tp, o.offset());
            }
        }
    }

    @Test
    void everyInputReachesTheOutputExactlyOnceAcrossAbortsAndARestart() throws Exception {
        // first loop: commits batches, aborts the second, and dies with a transaction open after about half the input
        try (KafkaConsumer<byte[], byte[]> c = groupConsumer(); KafkaProducer<byte[], byte[]> p = transactional()) {
            p.initTransactions();
            c.subscribe(List.of(IN));
            int batch = 0;
            long deadline = System.currentTimeMillis() + 60_000;
            while (committedTotal() < N / 2 && System.currentTimeMillis() < deadline) {
                ConsumerRecords<byte[], byte[]> records = c.poll(Duration.ofMillis(200));
                if (records.isEmpty()) {
                    continue;
                }
                p.beginTransaction();
                transform(p, records);
                p.sendOffsetsToTransaction(positions(records), c.groupMetadata());
                if (++batch == 2) {
                    Map<TopicPartition, OffsetAndMetadata> before = committed();
                    p.abortTransaction();
                    assertEquals(before, committed(), "an aborted batch leaves the group's committed offsets unchanged");
                    rewind(c); // the batch is processed again
                } else {
                    p.commitTransaction();
                }
            }
            assertTrue(batch > 2, "batches " + batch);
            long committedBeforeDeath = committedTotal();
            assertTrue(committedBeforeDeath >= N / 2 && committedBeforeDeath < N, "committed " + committedBeforeDeath);
            // one more batch in a transaction that never ends: its offsets stay pending, invisible
            ConsumerRecords<byte[], byte[]> records = ConsumerRecords.empty();
            while (records.isEmpty()) {
                records = c.poll(Duration.ofMillis(200));
            }
            p.beginTransaction();
            transform(p, records);
            p.sendOffsetsToTransaction(positions(records), c.groupMetadata());
            p.flush();
            assertEquals(committedBeforeDeath, committedTotal(), "offsets of an open transaction are not visible");
        }
        // the replacement: same transactional id (initTransactions aborts the open one) and group; it resumes from the committed offsets
        try (KafkaConsumer<byte[], byte[]> c = groupConsumer(); KafkaProducer<byte[], byte[]> p = transactional()) {
            p.initTransactions();
            c.subscribe(List.of(IN));
            long deadline = System.currentTimeMillis() + 60_000;
            while (committedTotal() < N && System.currentTimeMillis() < deadline) {
                ConsumerRecords<byte[], byte[]> records = c.poll(Duration.ofMillis(200));
                if (records.isEmpty()) {
                    continue;
                }
                p.beginTransaction();
                transform(p, records);
                p.sendOffsetsToTransaction(positions(records), c.groupMetadata());
                p.commitTransaction();
            }
        }
        assertEquals(N, committedTotal());
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            expected.add("out-r-" + i);
        }
        expected.sort(null);
        assertEquals(expected, readCommitted(N), "every input exactly once in the read_committed output");
    }

    private List<String> readCommitted(int expectedAtLeast) {
        List<String> seen = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = broker.consumer(Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"))) {
            List<TopicPartition> parts = List.of(new TopicPartition(OUT, 0), new TopicPartition(OUT, 1), new TopicPartition(OUT, 2));
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
}
