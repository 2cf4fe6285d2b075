package org.tributary.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
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
import org.tributary.testing.TlsFiles;

/**
 * The request-time quota (KIP-124, {@code request_percentage}) with Kafka's own consumer: it counts
 * the time network threads spend on a client's requests (here the TLS encryption of large fetch
 * answers, which costs the request handler almost nothing: their records are file regions), so a
 * client with a tiny quota is throttled for it while a client without a quota on the same listener
 * is not; and it counts thread time, never waiting: a consumer long-polling an idle topic is not
 * throttled however long its fetches wait.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class RequestTimeQuotaTest {
    private TlsFiles tls;
    private TestBroker broker;

    @BeforeAll
    void start() throws Exception {
        tls = TlsFiles.shared();
        Map<String, String> s = new HashMap<>();
        s.put("listeners", "PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0");
        s.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,SSL:SSL");
        s.putAll(tls.brokerSettings(""));
        broker = new TestBroker(s);
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

    /** Reads the whole partition over TLS with large fetches; returns the consumer's largest fetch throttle time. */
    private double readAllOverTls(String topic, long records, String clientId) {
        Map<String, Object> c = new HashMap<>(tls.clientSettings(null));
        c.put("bootstrap.servers", "127.0.0.1:" + broker.port("SSL"));
        c.put("client.id", clientId);
        c.put("fetch.max.bytes", 16 << 20);
        c.put("max.partition.fetch.bytes", 16 << 20);
        c.put("receive.buffer.bytes", 4 << 20);
        long read = 0;
        long start = System.nanoTime();
        try (KafkaConsumer<byte[], byte[]> consumer = broker.consumer(c)) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (read < records) {
                assertTrue(System.nanoTime() < deadline, clientId + " read " + read + " of " + records + " records in time");
                read += consumer.poll(Duration.ofMillis(200)).count();
            }
            double throttle = fetchMetric(consumer, "fetch-throttle-time-max");
            System.out.printf("request-time quota: %s read %d records in %.1f s, %d fetches, largest fetch throttle %.0f ms%n", clientId,
                    read, (System.nanoTime() - start) / 1e9, (long) fetchMetric(consumer, "fetch-total"), throttle);
            return throttle;
        }
    }

    @Test
    void aClientWhoseAnswersCostTheNetworkThreadsIsThrottledForThemAndOneWithoutAQuotaIsNot() throws Exception {
        String topic = "network-heavy";
        int records = 480;
        try (Admin admin = broker.admin()) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        byte[] value = new byte[100_000];
        new java.util.Random(7).nextBytes(value);
        try (KafkaProducer<byte[], byte[]> p = broker.producer(Map.of("batch.size", 1 << 20, "linger.ms", 5, "max.request.size", 4 << 20))) {
            for (int i = 0; i < records; i++) {
                p.send(new ProducerRecord<>(topic, 0, null, value));
            }
            p.flush();
        }
        // 0.2 % of one thread: 20 ms in the first 10 s. Handling a dozen fetches of file regions takes
        // a few ms; encrypting 48 MB for TLS takes the network thread far more than 20 ms
        requestPercentage("tls-heavy", 0.2);
        try {
            assertTrue(readAllOverTls(topic, records, "tls-heavy") > 0, "the client with a quota is throttled for its network time");
            assertFalse(readAllOverTls(topic, records, "tls-free") > 0, "a client without a quota is never throttled");
        } finally {
            requestPercentage("tls-heavy", null);
        }
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
