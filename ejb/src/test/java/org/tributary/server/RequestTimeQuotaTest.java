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
}
