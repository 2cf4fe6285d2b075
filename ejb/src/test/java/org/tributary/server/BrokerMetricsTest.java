package org.tributary.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.ConsumerGroupHeartbeatRequest;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.tributary.metrics.MetricsSnapshot;

/** The broker's own counters, driven by the real Java clients and raw frames. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BrokerMetricsTest {
    private static final int N = 2_000;
    private TestBroker broker;

    @BeforeAll
    void start() throws Exception {
        broker = new TestBroker();
    }

    @AfterAll
    void stop() {
        broker.close();
    }

    @Test
    void producedAndConsumedRecordsAreCountedPerTopicAndPerApi() throws Exception {
        String topic = "metered";
        try (Admin admin = broker.admin()) {
            admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get(20, TimeUnit.SECONDS);
        }
        long valueBytes = 0;
        try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of(ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 5, ProducerConfig.BATCH_SIZE_CONFIG, 4096))) {
            for (int i = 0; i < N; i++) {
                byte[] v = ("value-" + i).getBytes(StandardCharsets.UTF_8);
                valueBytes += v.length;
                producer.send(new ProducerRecord<>(topic, i % 2, null, v));
            }
            producer.flush();
        }
        MetricsSnapshot afterProduce = broker.server().metrics();
        MetricsSnapshot.TopicCounters t = afterProduce.topics().get(topic);
        assertEquals(N, t.messagesIn());
        assertTrue(t.bytesIn() > valueBytes, "batch bytes include every value: " + t.bytesIn() + " vs " + valueBytes);
        assertEquals(0, t.failedProduceRequests());
        assertTrue(t.produceRequests() >= 2, "at least one produce per partition: " + t.produceRequests());
        assertEquals(0, t.messagesOut());

        int consumed = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = broker.consumer(Map.of())) {
            List<TopicPartition> tps = List.of(new TopicPartition(topic, 0), new TopicPartition(topic, 1));
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (consumed < N && System.nanoTime() < deadline) {
                consumed += consumer.poll(Duration.ofMillis(200)).count();
            }
        }
        assertEquals(N, consumed);
        MetricsSnapshot s = broker.server().metrics();
        t = s.topics().get(topic);
        assertEquals(N, t.messagesIn());
        assertEquals(N, t.messagesOut(), "every record was sent to the consumer once");
        assertTrue(t.bytesOut() >= t.bytesIn(), "all batches were sent: " + t.bytesOut() + " >= " + t.bytesIn());
        assertTrue(t.fetchRequests() >= 2 && t.failedFetchRequests() == 0, t.toString());
        assertTrue(s.allTopics().messagesIn() >= N && s.allTopics().messagesOut() >= N, s.allTopics().toString());

        MetricsSnapshot.RequestStats produce = api(s, ApiKeys.PRODUCE).orElseThrow();
        assertTrue(produce.requests() >= 1 && produce.requests() <= t.produceRequests(), produce.toString());
        assertEquals(0, produce.errors());
        assertEquals(produce.requests(), produce.totalTimeMs().count(), "every produce of the last minute is in the percentiles");
        assertTrue(produce.totalTimeMs().p50() > 0 && produce.totalTimeMs().p50() <= produce.totalTimeMs().p99()
                && produce.totalTimeMs().p99() <= produce.totalTimeMs().maxMs(), produce.toString());
        for (ApiKeys used : List.of(ApiKeys.API_VERSIONS, ApiKeys.METADATA, ApiKeys.FETCH, ApiKeys.LIST_OFFSETS, ApiKeys.CREATE_TOPICS)) {
            assertTrue(api(s, used).map(r -> r.requests() > 0).orElse(false), used + " counted in " + s.requests());
        }
        assertFalse(api(s, ApiKeys.DELETE_TOPICS).isPresent(), "APIs never called are not listed");
    }

    @Test
    void failedRequestsAndUnknownTopicsAreCountedWithoutInventingTopics() throws Exception {
        long before = api(broker.server().metrics(), ApiKeys.CONSUMER_GROUP_HEARTBEAT).map(MetricsSnapshot.RequestStats::errors).orElse(0L);
        try (RawClient c = new RawClient(broker.port())) {
            c.send(new ConsumerGroupHeartbeatRequest.Builder(new ConsumerGroupHeartbeatRequestData().setGroupId("g").setMemberId("m")
                    .setMemberEpoch(0).setRebalanceTimeoutMs(10000).setSubscribedTopicNames(List.of("t"))).build((short) 0));
            TopicPartition unknown = new TopicPartition("no-such-topic", 0);
            FetchResponse r = c.send(FetchRequest.Builder.forConsumer((short) 12, 0, 1, Map.of(unknown,
                    new FetchRequest.PartitionData(org.apache.kafka.common.Uuid.ZERO_UUID, 0, -1, 1024, Optional.empty())))
                    .build((short) 12));
            assertEquals(org.apache.kafka.common.protocol.Errors.UNKNOWN_TOPIC_OR_PARTITION.code(),
                    r.data().responses().get(0).partitions().get(0).errorCode());
        }
        MetricsSnapshot s = broker.server().metrics();
        assertEquals(before + 1, api(s, ApiKeys.CONSUMER_GROUP_HEARTBEAT).orElseThrow().errors(),
                "an unsupported API answered with UNSUPPORTED_VERSION counts as an error");
        assertFalse(s.topics().containsKey("no-such-topic"), "a client's unknown topic name creates no counters");
    }

    @Test
    void deletedTopicsLeaveTheTopicCountersButNotTheTotals() throws Exception {
        String topic = "short-lived";
        try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of())) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>(topic, 0, null, new byte[100])).get(20, TimeUnit.SECONDS);
            }
        }
        MetricsSnapshot before = broker.server().metrics();
        assertEquals(10, before.topics().get(topic).messagesIn());
        try (Admin admin = broker.admin()) {
            admin.deleteTopics(List.of(topic)).all().get(20, TimeUnit.SECONDS);
        }
        MetricsSnapshot after = broker.server().metrics();
        assertFalse(after.topics().containsKey(topic));
        assertTrue(after.allTopics().messagesIn() >= before.allTopics().messagesIn(), "totals never go down");
    }

    private static Optional<MetricsSnapshot.RequestStats> api(MetricsSnapshot s, ApiKeys key) {
        return s.requests().stream().filter(r -> r.apiKey() == key.id).findFirst();
    }
}
