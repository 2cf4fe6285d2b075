package org.tributary.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.quota.ClientQuotaAlteration;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.apache.kafka.common.quota.ClientQuotaFilter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The request-time quota (KIP-124, {@code request_percentage}) with Kafka's own consumer counts
 * thread time, never waiting: a consumer long-polling an idle topic is not throttled however long
 * its fetches wait.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class RequestTimeQuotaTest {
    private TestBroker broker;

    @BeforeAll
    void start() throws Exception {
        broker = new TestBroker();
    }

    @AfterAll
    void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    private static ClientQuotaEntity client(String id) {
        return new ClientQuotaEntity(Map.of(ClientQuotaEntity.CLIENT_ID, id));
    }

    /** Sets a client's request_percentage and waits until the broker's metadata has it. */
    private void requestPercentage(String clientId, Double value) throws Exception {
        requestPercentage(broker, clientId, value);
    }

    private static void requestPercentage(TestBroker broker, String clientId, Double value) throws Exception {
        try (Admin admin = broker.admin()) {
            admin.alterClientQuotas(List.of(new ClientQuotaAlteration(client(clientId),
                    List.of(new ClientQuotaAlteration.Op("request_percentage", value))))).all().get(30, TimeUnit.SECONDS);
            for (long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30); ; ) {
                Map<String, Double> now = admin.describeClientQuotas(ClientQuotaFilter.all()).entities().get(30, TimeUnit.SECONDS)
                        .getOrDefault(client(clientId), Map.of());
                if (value == null ? !now.containsKey("request_percentage") : value.equals(now.get("request_percentage"))) {
                    return;
                }
                assertTrue(System.nanoTime() < deadline, "the quota reached the broker's metadata");
                Thread.onSpinWait();
            }
        }
    }

    private static double fetchMetric(KafkaConsumer<?, ?> c, String name) {
        for (Map.Entry<MetricName, ? extends Metric> e : c.metrics().entrySet()) {
            if (e.getKey().group().equals("consumer-fetch-manager-metrics") && e.getKey().name().equals(name)
                    && e.getKey().tags().size() == 1) {
                return ((Number) e.getValue().metricValue()).doubleValue();
            }
        }
        throw new AssertionError("no consumer metric " + name);
    }

    @Test
    void aConsumerLongPollingAnIdleTopicIsNotThrottledByItsWaiting() throws Exception {
        String topic = "idle";
        try (Admin admin = broker.admin()) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        // 5 % of one thread: 50 ms a second; each fetch waits 1 s in the purgatory doing nothing
        requestPercentage("long-poller", 5.0);
        try (KafkaConsumer<byte[], byte[]> consumer = broker.consumer(Map.of("client.id", "long-poller", "fetch.max.wait.ms", 1000))) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToEnd(List.of(tp));
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(6);
            while (System.nanoTime() < end) {
                assertEquals(0, consumer.poll(Duration.ofMillis(500)).count());
            }
            double fetches = fetchMetric(consumer, "fetch-total");
            double throttle = fetchMetric(consumer, "fetch-throttle-time-max");
            System.out.printf("request-time quota: a long poller made %.0f fetches, largest throttle %.0f ms%n", fetches, throttle);
            assertTrue(fetches >= 4, "the consumer long-polled: " + fetches);
            assertFalse(throttle > 0, "waiting is not request time: " + throttle);
        } finally {
            requestPercentage("long-poller", null);
        }
    }

    /**
     * Answers with an error count too, as Kafka's error answers are throttled: a client whose every
     * request fails (here DescribeAcls on a broker without an authorizer: SECURITY_DISABLED) is held
     * back once it uses more than its share of request time.
     */
    @Test
    void aClientWhoseRequestsFailIsThrottledToo() throws Exception {
        requestPercentage("raw-test", 0.01); // RawClient's client id; 0.01 % of one thread: 100 microseconds a second
        try (RawClient c = new RawClient(broker.port())) {
            int throttledAt = -1;
            int throttleMs = 0;
            for (int i = 1; i <= 200 && throttledAt < 0; i++) {
                org.apache.kafka.common.requests.DescribeAclsResponse r = c.send(new org.apache.kafka.common.requests.DescribeAclsRequest
                        .Builder(org.apache.kafka.common.acl.AclBindingFilter.ANY).build((short) 3));
                assertEquals(org.apache.kafka.common.protocol.Errors.SECURITY_DISABLED, r.error().error());
                if (r.throttleTimeMs() > 0) {
                    throttledAt = i;
                    throttleMs = r.throttleTimeMs();
                }
            }
            System.out.printf("request-time quota: failing requests throttled at request %d for %d ms%n", throttledAt, throttleMs);
            assertTrue(throttledAt > 0, "200 failing requests, none throttled");
        } finally {
            requestPercentage("raw-test", null);
        }
    }

    /**
     * Requests brokers send each other are exempt, as in Kafka: a principal allowed CLUSTER_ACTION
     * (here every principal: no authorizer) sending WriteTxnMarkers, as a transaction coordinator
     * does, is never held back however little request time its client id may use. (Held back, each
     * of these answers would mute the connection for about a second.)
     */
    @Test
    void writeTxnMarkersBetweenBrokersAreNotThrottled() throws Exception {
        requestPercentage("raw-test", 0.01);
        try (RawClient c = new RawClient(broker.port())) {
            long t0 = System.nanoTime();
            for (int i = 0; i < 20; i++) {
                org.apache.kafka.common.requests.WriteTxnMarkersResponse r = c.send(new org.apache.kafka.common.requests
                        .WriteTxnMarkersRequest.Builder(new org.apache.kafka.common.message.WriteTxnMarkersRequestData()).build((short) 1));
                assertEquals(0, r.data().markers().size());
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            System.out.printf("request-time quota: 20 WriteTxnMarkers answered in %d ms%n", ms);
            assertTrue(ms < 5_000, "exempt requests were held back: 20 took " + ms + " ms");
        } finally {
            requestPercentage("raw-test", null);
        }
    }

    /**
     * The exemption is for brokers only: a principal without CLUSTER_ACTION sending WriteTxnMarkers
     * (answered CLUSTER_AUTHORIZATION_FAILED) is held back like any client once over its quota.
     */
    @Test
    void writeTxnMarkersFromAPrincipalWithoutClusterActionAreThrottled() throws Exception {
        try (TestBroker secured = new TestBroker(Map.of("authorizer.class.name",
                "org.apache.kafka.metadata.authorizer.StandardAuthorizer"))) {
            AclProtocolTest.grant(secured.broker(), AclProtocolTest.cluster(org.apache.kafka.common.acl.AclOperation.ALTER_CONFIGS),
                    AclProtocolTest.cluster(org.apache.kafka.common.acl.AclOperation.DESCRIBE_CONFIGS));
            requestPercentage(secured, "raw-test", 0.01);
            try (RawClient c = new RawClient(secured.port())) {
                int throttledAt = -1;
                for (int i = 1; i <= 200 && throttledAt < 0; i++) {
                    long t0 = System.nanoTime();
                    org.apache.kafka.common.requests.WriteTxnMarkersResponse r = c.send(new org.apache.kafka.common.requests
                            .WriteTxnMarkersRequest.Builder(new org.apache.kafka.common.message.WriteTxnMarkersRequestData()
                            .setMarkers(List.of(new org.apache.kafka.common.message.WriteTxnMarkersRequestData.WritableTxnMarker()
                                    .setProducerId(1).setProducerEpoch((short) 0).setTransactionResult(true)
                                    .setTopics(List.of(new org.apache.kafka.common.message.WriteTxnMarkersRequestData
                                            .WritableTxnMarkerTopic().setName("t").setPartitionIndexes(List.of(0)))))))
                            .build((short) 1));
                    assertEquals(org.apache.kafka.common.protocol.Errors.CLUSTER_AUTHORIZATION_FAILED.code(),
                            r.data().markers().get(0).topics().get(0).partitions().get(0).errorCode());
                    if (i > 1 && System.nanoTime() - t0 > TimeUnit.MILLISECONDS.toNanos(500)) {
                        throttledAt = i; // this answer waited behind the mute of the previous one
                    }
                }
                System.out.printf("request-time quota: WriteTxnMarkers without CLUSTER_ACTION held back at request %d%n", throttledAt);
                assertTrue(throttledAt > 0, "200 denied WriteTxnMarkers, none held back");
            }
        }
    }
}
