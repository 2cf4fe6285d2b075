package org.tributary.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.tools.TransactionsCommand;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.tributary.testkit.KafkaTools;

/**
 * Kafka's {@code kafka-transactions} tool against the broker: {@code find-hanging} finds a
 * transaction whose data reached a partition but whose producer id no coordinator knows (written
 * raw, 20 minutes old) and leaves alone one the coordinator still tracks; {@code abort} writes its
 * ABORT marker, after which the last stable offset moves past it and a read_committed consumer
 * reads on, never seeing the aborted records.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TransactionsCommandTest {
    private static final String TOPIC = "hanging";
    private static final TopicPartition P0 = new TopicPartition(TOPIC, 0);
    private static final long HANGING_PID = 7_000_001L;
    private TestBroker broker;

    @BeforeEach
    void start() throws Exception {
        // a hanging transaction is what KIP-890's verification prevents; to make one, as brokers without it
        // (or older clients) could, the raw batch below must be accepted without a coordinator playing along
        broker = new TestBroker(Map.of("transaction.partition.verification.enable", "false"));
        try (Admin a = broker.admin()) {
            a.createTopics(List.of(new NewTopic(TOPIC, 2, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
    }

    @AfterEach
    void stop() {
        if (broker != null) {
            broker.close();
        }
    }

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
    void findHangingFindsAnOrphanedTransactionAndAbortLetsReadCommittedConsumersPassIt() throws Exception {
        try (KafkaProducer<byte[], byte[]> plain = broker.producer(Map.of(ProducerConfig.ACKS_CONFIG, "all"));
                KafkaProducer<byte[], byte[]> live = broker.producer(Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "live-txn",
                        ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 600_000));
                KafkaConsumer<byte[], byte[]> committed = broker.consumer(Map.of("isolation.level", "read_committed"))) {
            plain.send(new ProducerRecord<>(TOPIC, 0, null, bytes("before"))).get(); // offset 0
            long twentyMinutesAgo = System.currentTimeMillis() - TimeUnit.MINUTES.toMillis(20);
            try (RawClient raw = new RawClient(broker.port())) {
                MemoryRecords orphan = MemoryRecords.withTransactionalRecords(Compression.NONE, HANGING_PID, (short) 0, 0,
                        new SimpleRecord(twentyMinutesAgo, bytes("h1")), new SimpleRecord(twentyMinutesAgo, bytes("h2")));
                assertEquals(0, TxnRequests.produce(raw, "orphan", TOPIC, 0, orphan).errorCode()); // offsets 1..2, no marker ever
            }
            for (int i = 1; i <= 3; i++) {
                plain.send(new ProducerRecord<>(TOPIC, 0, null, bytes("after-" + i))).get(); // offsets 3..5
            }
            live.initTransactions();
            live.beginTransaction();
            live.send(new ProducerRecord<>(TOPIC, 1, null, bytes("live"))).get(); // open, and its coordinator knows it

            committed.assign(List.of(P0));
            committed.seekToBeginning(List.of(P0));
            assertEquals(List.of("before"), pollUntilPosition(committed, 1));
            assertEquals(1L, committed.endOffsets(List.of(P0)).get(P0), "the last stable offset stops at the orphan's first offset");

            String hanging = tool("find-hanging", "--topic", TOPIC);
            List<String[]> rows = rows(hanging);
            assertEquals(1, rows.size(), hanging);
            String[] row = rows.get(0);
            assertEquals(List.of(TOPIC, "0", Long.toString(HANGING_PID), "0", "-1", "1", Long.toString(twentyMinutesAgo), "20"),
                    List.of(row).subList(0, 8), hanging);

            String everyOpen = tool("find-hanging", "--topic", TOPIC, "--max-transaction-timeout", "0");
            assertEquals(1, rows(everyOpen).size(), "the live transaction is tracked by its coordinator, so not hanging: " + everyOpen);
            String producers = tool("describe-producers", "--topic", TOPIC, "--partition", "1");
            assertTrue(producers.lines().skip(1).anyMatch(l -> l.trim().endsWith("0")), "live transaction open at offset 0: " + producers);

            String aborted = tool("abort", "--topic", TOPIC, "--partition", "0", "--start-offset", "1");
            assertFalse(aborted.contains("EXIT 1"), aborted);
            assertEquals(List.of("after-1", "after-2", "after-3"), pollUntilPosition(committed, 7), "past the orphan, without it");
            assertEquals(7L, committed.endOffsets(List.of(P0)).get(P0), "the last stable offset is the log end again");
            assertEquals(0, rows(tool("find-hanging", "--topic", TOPIC)).size(), "nothing hangs any more");
            live.commitTransaction();
        }
    }

    /** The table's data rows (after the header), split on the tool's tab separators. */
    private static List<String[]> rows(String table) {
        List<String[]> rows = new ArrayList<>();
        table.lines().filter(l -> !l.isBlank() && !l.startsWith("Topic") && !l.startsWith("EXIT")).forEach(l -> {
            String[] cells = l.split("\t");
            for (int i = 0; i < cells.length; i++) {
                cells[i] = cells[i].trim();
            }
            rows.add(cells);
        });
        return rows;
    }

    private static List<String> pollUntilPosition(KafkaConsumer<byte[], byte[]> c, long position) throws InterruptedException {
        List<String> values = new ArrayList<>();
        long deadline = System.currentTimeMillis() + 20_000;
        while (c.position(P0) < position) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("read_committed position " + c.position(P0) + ", want " + position + "; read " + values);
            }
            for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(100))) {
                values.add(new String(r.value(), StandardCharsets.UTF_8));
            }
        }
        return values;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
