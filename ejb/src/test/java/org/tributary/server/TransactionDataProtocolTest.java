package org.tributary.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tributary.server.TxnRequests.marker;
import static org.tributary.server.TxnRequests.produce;
import static org.tributary.server.TxnRequests.txnRecords;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Transactions on the data path without a coordinator: transactional batches over raw Produce, the
 * markers a coordinator would send over WriteTxnMarkers, and what real consumers see with each
 * isolation level, ListOffsets and DescribeProducers.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class TransactionDataProtocolTest {
    private TestBroker broker;
    private Admin admin;

    @BeforeAll
    void start() throws Exception {
        // no transaction coordinator plays along: verification (KIP-890) would refuse the raw batches, as Kafka's would
        broker = new TestBroker(Map.of("transaction.partition.verification.enable", "false"));
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

    private void createTopic(String name) throws Exception {
        admin.createTopics(List.of(new NewTopic(name, 1, (short) 1))).all().get();
    }

    @Test
    void readCommittedSeesOnlyCommittedRecordsAndNothingPastAnOpenTransaction() throws Exception {
        String topic = "txn-visibility";
        createTopic(topic);
        TopicPartition tp = new TopicPartition(topic, 0);
        long a = 7001;
        long b = 7002;
        try (RawClient c = new RawClient(broker.port())) {
            assertEquals(0, produce(c, topic, 0, txnRecords(a, (short) 0, 0, "a1", "a2")).baseOffset());
            assertEquals(2, produce(c, topic, 0, txnRecords(b, (short) 0, 0, "b1")).baseOffset());
            assertEquals(List.of(Errors.NONE), marker(c, a, (short) 0, 3, false, topic, 0)); // abort A at offset 3

            // B is still open from offset 2: the last stable offset stays there
            assertEquals(2, latest(tp, IsolationLevel.READ_COMMITTED));
            assertEquals(4, latest(tp, IsolationLevel.READ_UNCOMMITTED));
            try (KafkaConsumer<byte[], byte[]> committed = consumer(IsolationLevel.READ_COMMITTED)) {
                committed.assign(List.of(tp));
                List<String> seen = pollUntilPosition(committed, tp, 2);
                assertEquals(List.of(), seen, "aborted records and records of an open transaction stay hidden");
            }
            try (KafkaConsumer<byte[], byte[]> all = consumer(IsolationLevel.READ_UNCOMMITTED)) {
                all.assign(List.of(tp));
                assertEquals(List.of("a1", "a2", "b1"), pollUntilPosition(all, tp, 4));
            }
            List<ProducerState> producers = admin.describeProducers(List.of(tp)).partitionResult(tp).get().activeProducers();
            ProducerState open = producers.stream().filter(p -> p.producerId() == b).findFirst().orElseThrow();
            assertEquals(2L, open.currentTransactionStartOffset().orElse(-1L));
            ProducerState aborted = producers.stream().filter(p -> p.producerId() == a).findFirst().orElseThrow();
            assertTrue(aborted.currentTransactionStartOffset().isEmpty());
            assertEquals(3, aborted.coordinatorEpoch().orElse(-1));
            assertEquals(1, aborted.lastSequence());

            assertEquals(List.of(Errors.NONE), marker(c, b, (short) 0, 3, true, topic, 0)); // commit B at offset 4
            MemoryRecords plain = MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("kc".getBytes(), "c".getBytes()));
            assertEquals(5, produce(c, topic, 0, plain).baseOffset());
            assertEquals(6, latest(tp, IsolationLevel.READ_COMMITTED));
            try (KafkaConsumer<byte[], byte[]> committed = consumer(IsolationLevel.READ_COMMITTED)) {
                committed.assign(List.of(tp));
                assertEquals(List.of("b1", "c"), pollUntilPosition(committed, tp, 6));
            }
            try (KafkaConsumer<byte[], byte[]> all = consumer(IsolationLevel.READ_UNCOMMITTED)) {
                all.assign(List.of(tp));
                assertEquals(List.of("a1", "a2", "b1", "c"), pollUntilPosition(all, tp, 6));
            }
        }
    }

    @Test
    void fencedEpochsStaleCoordinatorsAndClientControlBatchesAreRefused() throws Exception {
        String topic = "txn-fencing";
        createTopic(topic);
        long p = 7101;
        try (RawClient c = new RawClient(broker.port())) {
            assertEquals(0, produce(c, topic, 0, txnRecords(p, (short) 3, 0, "x")).errorCode());
            assertEquals(Errors.INVALID_PRODUCER_EPOCH.code(), produce(c, topic, 0, txnRecords(p, (short) 2, 1, "y")).errorCode());
            assertEquals(List.of(Errors.INVALID_PRODUCER_EPOCH), marker(c, p, (short) 2, 1, false, topic, 0));
            assertEquals(List.of(Errors.NONE), marker(c, p, (short) 3, 5, true, topic, 0));
            assertEquals(List.of(Errors.TRANSACTION_COORDINATOR_FENCED), marker(c, p, (short) 3, 4, true, topic, 0));
            // a newer epoch must start at sequence 0
            assertEquals(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER.code(), produce(c, topic, 0, txnRecords(p, (short) 4, 5, "z")).errorCode());
            assertEquals(0, produce(c, topic, 0, txnRecords(p, (short) 4, 0, "z")).errorCode());

            MemoryRecords control = MemoryRecords.withEndTransactionMarker(0L, System.currentTimeMillis(), 0, p, (short) 4,
                    new EndTransactionMarker(ControlRecordType.COMMIT, 5));
            assertEquals(Errors.INVALID_RECORD.code(), produce(c, topic, 0, control).errorCode());
            assertEquals(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code(),
                    TxnRequests.produce(c, null, topic, 0, txnRecords(p, (short) 4, 1, "no-id")).errorCode(),
                    "transactional records need a transactional id");
            assertEquals(List.of(Errors.UNKNOWN_TOPIC_OR_PARTITION), marker(c, p, (short) 4, 5, true, "no-such-topic", 0));
            assertEquals(List.of(Errors.UNKNOWN_TOPIC_OR_PARTITION), marker(c, p, (short) 4, 5, true, topic, 7));
        }
    }

    @Test
    void aReadCommittedLongPollWakesWhenTheMarkerMovesTheLastStableOffset() throws Exception {
        String topic = "txn-longpoll";
        createTopic(topic);
        try (RawClient writer = new RawClient(broker.port()); RawClient reader = new RawClient(broker.port())) {
            assertEquals(0, produce(writer, topic, 0, txnRecords(7501, (short) 0, 0, "w1", "w2")).errorCode());
            org.apache.kafka.common.message.FetchRequestData fetch = new org.apache.kafka.common.message.FetchRequestData()
                    .setMaxWaitMs(20_000).setMinBytes(1).setMaxBytes(1 << 20).setIsolationLevel((byte) 1);
            fetch.topics().add(new org.apache.kafka.common.message.FetchRequestData.FetchTopic().setTopic(topic).setPartitions(List.of(
                    new org.apache.kafka.common.message.FetchRequestData.FetchPartition().setPartition(0).setFetchOffset(0)
                            .setPartitionMaxBytes(1 << 20))));
            java.util.concurrent.CompletableFuture<org.apache.kafka.common.requests.FetchResponse> answer =
                    java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                        try {
                            return reader.send(ProtocolEdgeTest.rawFetch(fetch, (short) 12));
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    });
            org.tributary.partition.Purgatory fetches = broker.server().replicaManager().orElseThrow().fetchPurgatory();
            InJvmCluster.await("the fetch waits in the purgatory", 10_000, () -> fetches.watched() > 0);
            assertTrue(!answer.isDone(), "nothing is stable yet: the fetch waits");
            long t0 = System.nanoTime();
            assertEquals(List.of(Errors.NONE), marker(writer, 7501, (short) 0, 0, true, topic, 0));
            org.apache.kafka.common.requests.FetchResponse r = answer.get(10, TimeUnit.SECONDS);
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5), "woken by the marker, not by max.wait.ms");
            org.apache.kafka.common.message.FetchResponseData.PartitionData pd = r.data().responses().get(0).partitions().get(0);
            assertEquals(3, pd.lastStableOffset());
            assertTrue(((org.apache.kafka.common.record.internal.Records) pd.records()).sizeInBytes() > 0);
            assertEquals(List.of(), pd.abortedTransactions());
        }
    }

    @Test
    void kcatWithReadCommittedAgrees() throws Exception {
        Path kcat = Path.of("/usr/bin/kcat");
        assertTrue(Files.isExecutable(kcat), "kcat is not installed: run the tests with ./tributary test (it installs kcat)");
        String topic = "txn-kcat";
        createTopic(topic);
        try (RawClient c = new RawClient(broker.port())) {
            produce(c, topic, 0, MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("p0".getBytes()))); // 0
            produce(c, topic, 0, txnRecords(7201, (short) 0, 0, "a1")); // 1
            marker(c, 7201, (short) 0, 0, false, topic, 0); // 2
            produce(c, topic, 0, txnRecords(7202, (short) 0, 0, "b1")); // 3
            marker(c, 7202, (short) 0, 0, true, topic, 0); // 4
            produce(c, topic, 0, MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("p1".getBytes()))); // 5
            produce(c, topic, 0, txnRecords(7203, (short) 0, 0, "c1")); // 6, left open
            produce(c, topic, 0, MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("p2".getBytes()))); // 7
        }
        assertEquals("p0\nb1\np1\n", kcat(kcat, topic, "read_committed"));
        assertEquals("p0\na1\nb1\np1\nc1\np2\n", kcat(kcat, topic, "read_uncommitted"));
    }

    @Test
    void kafkaTransactionsDescribeProducersListsOpenTransactions() throws Exception {
        String topic = "txn-cli";
        createTopic(topic);
        try (RawClient c = new RawClient(broker.port())) {
            produce(c, topic, 0, txnRecords(7301, (short) 2, 0, "x", "y"));
        }
        String out = org.tributary.testkit.KafkaTools.run("kafka-transactions", args -> {
            try {
                org.apache.kafka.tools.TransactionsCommand.main(args);
            } catch (RuntimeException e) {
                throw e; // the tool's exit
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        },
                "--bootstrap-server", broker.bootstrap(), "describe-producers", "--topic", topic, "--partition", "0");
        assertTrue(out.contains("CurrentTransactionStartOffset"), out);
        String row = out.lines().filter(l -> l.trim().startsWith("7301")).findFirst().orElseThrow(() -> new AssertionError(out));
        assertEquals(List.of("7301", "2", "-1", "1", "0"), List.of(row.trim().split("\\s+")).stream()
                .filter(f -> !f.matches("\\d{10,}")).toList(), "id, epoch, coordinator epoch, last sequence, txn start: " + row);
    }

    @Test
    void markersOnTheOffsetsTopicReachTheMarkerListener() throws Exception {
        try (KafkaConsumer<byte[], byte[]> group = broker.consumer(Map.of(ConsumerConfig.GROUP_ID_CONFIG, "txn-listener-g"))) {
            group.assign(List.of(new TopicPartition("txn-cli-offsets", 0)));
            createTopic("txn-cli-offsets");
            group.commitSync(Map.of(new TopicPartition("txn-cli-offsets", 0), new org.apache.kafka.clients.consumer.OffsetAndMetadata(0)));
        }
        List<String> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
        org.tributary.partition.ReplicaManager replicas = broker.server().replicaManager().orElseThrow();
        replicas.setTransactionMarkerListener((tp, pid, epoch, commit, offset) -> heard.add(tp + " " + pid + " " + epoch + " " + commit
                + " " + offset));
        try (RawClient c = new RawClient(broker.port())) {
            long end = replicas.replica(new TopicPartition("__consumer_offsets", 0)).orElseThrow().logEndOffset();
            assertEquals(List.of(Errors.NONE), marker(c, 7401, (short) 1, 0, true, "__consumer_offsets", 0));
            assertEquals(List.of("__consumer_offsets-0 7401 1 true " + end), heard);
            assertEquals(List.of(Errors.NONE), marker(c, 7402, (short) 0, 0, false, "txn-cli-offsets", 0));
            assertEquals(1, heard.size(), "only markers on __consumer_offsets are reported");
        } finally {
            replicas.setTransactionMarkerListener(org.tributary.txn.TransactionMarkerListener.NONE);
        }
    }

    private String kcat(Path kcat, String topic, String isolation) throws Exception {
        Process p = new ProcessBuilder(kcat.toString(), "-b", broker.bootstrap(), "-C", "-t", topic, "-p", "0", "-o", "beginning", "-e",
                "-X", "isolation.level=" + isolation, "-f", "%s\\n").start();
        p.getOutputStream().close();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("kcat did not finish: " + new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
        return out;
    }

    private long latest(TopicPartition tp, IsolationLevel level) throws Exception {
        return admin.listOffsets(Map.of(tp, OffsetSpec.latest()), new ListOffsetsOptions(level)).partitionResult(tp).get().offset();
    }

    private KafkaConsumer<byte[], byte[]> consumer(IsolationLevel level) {
        return broker.consumer(Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, level.toString()));
    }

    /** Polls from the beginning until the position reaches {@code end}; returns the values seen. */
    static List<String> pollUntilPosition(KafkaConsumer<byte[], byte[]> consumer, TopicPartition tp, long end) {
        consumer.seekToBeginning(List.of(tp));
        List<String> seen = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (consumer.position(tp) < end) {
            assertTrue(System.nanoTime() < deadline, "position " + consumer.position(tp) + " never reached " + end);
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                seen.add(new String(r.value(), StandardCharsets.UTF_8));
            }
        }
        assertEquals(end, consumer.position(tp));
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(300))) {
            seen.add(new String(r.value(), StandardCharsets.UTF_8)); // nothing past the end may show up
        }
        return seen;
    }
}
