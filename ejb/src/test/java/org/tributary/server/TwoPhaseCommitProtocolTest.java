package org.tributary.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.tributary.server.TwoPhaseRequests.addPartitions;
import static org.tributary.server.TwoPhaseRequests.endTxn;
import static org.tributary.server.TwoPhaseRequests.init;
import static org.tributary.server.TxnRequests.produce;
import static org.tributary.server.TxnRequests.txnRecords;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * KIP-939 over the wire, as a Kafka 4.3.1 broker answers it: a producer that asked for two-phase
 * commit (InitProducerId v6 enable_2pc) keeps its transaction open past its timeout, invisible to
 * read_committed consumers, until its manager commits or aborts it; while a plain transaction with
 * the same timeout is aborted. The refusals: the broker setting off, keep_prepared_txn, a producer
 * id without an epoch.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TwoPhaseCommitProtocolTest {
    static final Map<String, String> ENABLED = Map.of("transaction.two.phase.commit.enable", "true",
            "transaction.abort.timed.out.transaction.cleanup.interval.ms", "200");

    /** FindCoordinator (which creates {@code __transaction_state}), then InitProducerId until the coordinator has loaded. */
    static InitProducerIdResponseData awaitInit(RawClient c, String id, int timeoutMs, boolean enable2Pc) throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        while (true) {
            TwoPhaseRequests.coordinator(c, id);
            InitProducerIdResponseData r = init(c, id, timeoutMs, enable2Pc, false);
            Errors e = Errors.forCode(r.errorCode());
            if (!(e == Errors.COORDINATOR_LOAD_IN_PROGRESS || e == Errors.NOT_COORDINATOR || e == Errors.COORDINATOR_NOT_AVAILABLE
                    || e == Errors.CONCURRENT_TRANSACTIONS) || System.currentTimeMillis() > deadline) {
                return r;
            }
        }
    }

    static String awaitState(Admin admin, String id, String state) throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        String s = "";
        while (!s.equals(state) && System.currentTimeMillis() < deadline) {
            s = admin.describeTransactions(List.of(id)).description(id).get().state().name();
        }
        return s;
    }

    /** What a read_committed consumer reads of {@code topic} (partitions 0 and 1), up to the last stable offset. */
    static List<String> readCommitted(TestBroker broker, String topic) {
        List<String> seen = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = broker.consumer(Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"))) {
            List<TopicPartition> parts = List.of(new TopicPartition(topic, 0), new TopicPartition(topic, 1));
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            long deadline = System.currentTimeMillis() + 20_000;
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp)) && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    seen.add(new String(r.value(), StandardCharsets.UTF_8));
                }
            }
        }
        seen.sort(null);
        return seen;
    }

    static Map<TopicPartition, Long> lastStableOffsets(TestBroker broker, String topic) {
        try (KafkaConsumer<byte[], byte[]> c = broker.consumer(Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"))) {
            return c.endOffsets(List.of(new TopicPartition(topic, 0), new TopicPartition(topic, 1)));
        }
    }

    @Test
    void aTwoPhaseTransactionOutlivesItsTimeoutAndIsCommittedByItsManager() throws Exception {
        try (TestBroker broker = new TestBroker(ENABLED); Admin admin = broker.admin(); RawClient c = new RawClient(broker.port());
                KafkaProducer<byte[], byte[]> plain = broker.producer(Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "plain-tx",
                        ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 1_000, ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000))) {
            admin.createTopics(List.of(new NewTopic("xa-data", 2, (short) 1), new NewTopic("xa-control", 1, (short) 1),
                    new NewTopic("xa-aborted", 2, (short) 1))).all().get();
            plain.initTransactions();

            InitProducerIdResponseData p = awaitInit(c, "xa-tx", 1_000, true);
            assertEquals(Errors.NONE.code(), p.errorCode());
            assertEquals(-1L, p.ongoingTxnProducerId(), "keep_prepared_txn was not asked");
            assertEquals(Set.of(Errors.NONE), addPartitions(c, "xa-tx", p.producerId(), p.producerEpoch(), "xa-data", 0, 1));
            for (int part = 0; part < 2; part++) {
                assertEquals(Errors.NONE.code(), produce(c, "xa-tx", "xa-data", part,
                        txnRecords(p.producerId(), p.producerEpoch(), 0, "xa-" + part)).errorCode());
            }
            plain.beginTransaction();
            plain.send(new ProducerRecord<>("xa-control", 0, null, "plain".getBytes(StandardCharsets.UTF_8))).get();

            assertEquals("COMPLETE_ABORT", awaitState(admin, "plain-tx", "COMPLETE_ABORT"), "the plain one timed out");
            TransactionDescription d = admin.describeTransactions(List.of("xa-tx")).description("xa-tx").get();
            assertEquals("ONGOING", d.state().name(), "the two-phase one did not");
            assertEquals(Integer.MAX_VALUE, d.transactionTimeoutMs());
            assertEquals(p.producerEpoch(), d.producerEpoch(), "not fenced");
            assertEquals(Map.of(new TopicPartition("xa-data", 0), 0L, new TopicPartition("xa-data", 1), 0L),
                    lastStableOffsets(broker, "xa-data"), "read_committed sees nothing of it yet");

            assertEquals(Errors.NONE, endTxn(c, "xa-tx", p.producerId(), p.producerEpoch(), true));
            assertEquals("COMPLETE_COMMIT", awaitState(admin, "xa-tx", "COMPLETE_COMMIT"));
            assertEquals(List.of("xa-0", "xa-1"), readCommitted(broker, "xa-data"));

            // the manager decides to roll back instead: the same producer, its next transaction
            assertEquals(Set.of(Errors.NONE), addPartitions(c, "xa-tx", p.producerId(), p.producerEpoch(), "xa-aborted", 0, 1));
            for (int part = 0; part < 2; part++) {
                assertEquals(Errors.NONE.code(), produce(c, "xa-tx", "xa-aborted", part,
                        txnRecords(p.producerId(), p.producerEpoch(), 0, "rolled-back-" + part)).errorCode());
            }
            assertEquals(Errors.NONE, endTxn(c, "xa-tx", p.producerId(), p.producerEpoch(), false));
            assertEquals("COMPLETE_ABORT", awaitState(admin, "xa-tx", "COMPLETE_ABORT"));
            assertEquals(List.of(), readCommitted(broker, "xa-aborted"));
            Map<TopicPartition, Long> lso = lastStableOffsets(broker, "xa-aborted");
            assertEquals(2L, lso.get(new TopicPartition("xa-aborted", 0)), "the record and the abort marker are stable");
        }
    }

    @Test
    void refusalsAsKafka431() throws Exception {
        try (TestBroker off = new TestBroker(Map.of()); RawClient c = new RawClient(off.port())) {
            ApiVersionsResponseData versions = (ApiVersionsResponseData) TwoPhaseRequests.exchange(c, ApiKeys.API_VERSIONS, (short) 3,
                    new ApiVersionsRequestData().setClientSoftwareName("t").setClientSoftwareVersion("1")).data();
            assertEquals(6, versions.apiKeys().find(ApiKeys.INIT_PRODUCER_ID.id).maxVersion());
            assertEquals(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code(), init(c, "xa-off", 60_000, true, false).errorCode(),
                    "transaction.two.phase.commit.enable is off");
            assertEquals(Errors.INVALID_REQUEST.code(), init(c, "xa-off", 60_000, false, false, 17L, (short) -1).errorCode(),
                    "a producer id without an epoch");
            assertEquals(Errors.NONE.code(), awaitInit(c, "xa-off", 60_000, false).errorCode(), "v6 without the flags works");
        }
        try (TestBroker on = new TestBroker(ENABLED); RawClient c = new RawClient(on.port())) {
            assertEquals(Errors.NONE.code(), awaitInit(c, "xa-on", 60_000, true).errorCode());
            assertEquals(Errors.UNSUPPORTED_VERSION.code(), init(c, "xa-on", 60_000, true, true).errorCode(),
                    "keep_prepared_txn, as Kafka 4.3.1");
            assertEquals(Errors.UNSUPPORTED_VERSION.code(), init(c, "xa-on", 60_000, false, true).errorCode());
        }
    }

    /**
     * Pins what the bundled client does, for whoever builds on it: kafka-clients 4.3.1 accepts
     * {@code transaction.two.phase.commit.enable=true} (and then refuses {@code transaction.timeout.ms})
     * but never tells the broker (InitProducerId v5, no enable_2pc), and {@code KafkaProducer} has no
     * {@code prepareTransaction}/{@code completeTransaction}/{@code initTransactions(boolean)}: its
     * transactions are ordinary ones, aborted after the default timeout.
     */
    @Test
    void theKafka431ProducerDoesNotAskForTwoPhaseCommit() throws Exception {
        for (String m : List.of("prepareTransaction", "completeTransaction")) {
            assertEquals(0, java.util.Arrays.stream(KafkaProducer.class.getMethods()).filter(x -> x.getName().equals(m)).count(), m);
        }
        org.junit.jupiter.api.Assertions.assertThrows(NoSuchMethodException.class,
                () -> KafkaProducer.class.getMethod("initTransactions", boolean.class));
        Exception refused = org.junit.jupiter.api.Assertions.assertThrows(org.apache.kafka.common.KafkaException.class,
                () -> constructProducer(Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "x", "transaction.two.phase.commit.enable", "true",
                        ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 1_000)));
        org.junit.jupiter.api.Assertions.assertTrue(String.valueOf(refused.getMessage()).contains("transaction.two.phase.commit.enable"),
                "got " + refused);
        try (TestBroker broker = new TestBroker(ENABLED); Admin admin = broker.admin();
                KafkaProducer<byte[], byte[]> p = broker.producer(Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "client-2pc",
                        "transaction.two.phase.commit.enable", "true", ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000))) {
            admin.createTopics(List.of(new NewTopic("client-2pc", 1, (short) 1))).all().get();
            p.initTransactions();
            p.beginTransaction();
            p.send(new ProducerRecord<>("client-2pc", 0, null, "v".getBytes(StandardCharsets.UTF_8))).get();
            TransactionDescription d = admin.describeTransactions(List.of("client-2pc")).description("client-2pc").get();
            assertEquals("ONGOING", d.state().name());
            assertEquals(60_000, d.transactionTimeoutMs(), "the client's default timeout: an ordinary transaction");
            p.abortTransaction();
        }
    }

    /** A producer built without a broker (its configuration is checked at construction). */
    private static void constructProducer(Map<String, Object> config) {
        Map<String, Object> all = new java.util.HashMap<>(config);
        all.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9");
        new KafkaProducer<>(all, new org.apache.kafka.common.serialization.ByteArraySerializer(),
                new org.apache.kafka.common.serialization.ByteArraySerializer()).close();
    }
}
