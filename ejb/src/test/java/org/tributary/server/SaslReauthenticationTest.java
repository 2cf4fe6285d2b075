package org.tributary.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.tributary.testing.LogCapture;

/**
 * KIP-368 with the real Java client: with {@code connections.max.reauth.ms=5000} the producer and
 * the consumer re-authenticate on their live connections while traffic spans almost three session
 * lifetimes; nothing fails and the broker closes no connection for an expired session. (The Java
 * client starts re-authenticating at 85-95% of the lifetime, once no request is in flight, so the
 * lifetime must leave room for the longest request: the consumer's long poll is kept short.)
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SaslReauthenticationTest {
    private static final String JAAS = "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"alice\" "
            + "password=\"alice-pw\";";

    private static double metric(Map<MetricName, ? extends Metric> metrics, String name) {
        return metrics.entrySet().stream().filter(e -> e.getKey().name().equals(name) && e.getKey().tags().size() == 1)
                .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue()).sum();
    }

    @Test
    void clientsReauthenticateOnTheirLiveConnections() throws Exception {
        Map<String, String> s = new HashMap<>();
        s.put("listeners", "PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0");
        s.put("sasl.enabled.mechanisms", "PLAIN");
        s.put("listener.name.sasl_plaintext.plain.sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required user_alice=\"alice-pw\";");
        s.put("connections.max.reauth.ms", "5000");
        LogCapture capture = LogCapture.on("org.tributary.network.Processor");
        try (TestBroker broker = new TestBroker(s)) {
            try (var admin = broker.admin()) {
                admin.createTopics(List.of(new NewTopic("reauth", 1, (short) 1))).all().get();
            }
            Map<String, Object> client = new HashMap<>();
            client.put("bootstrap.servers", "127.0.0.1:" + broker.port("SASL_PLAINTEXT"));
            client.put("security.protocol", "SASL_PLAINTEXT");
            client.put("sasl.mechanism", "PLAIN");
            client.put("sasl.jaas.config", JAAS);
            Map<String, Object> p = new HashMap<>(client);
            p.put("acks", "all");
            Map<String, Object> c = new HashMap<>(client);
            c.put("fetch.max.wait.ms", 100);
            int sent = 0;
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(14_000); // almost three session lifetimes
            int received = 0;
            try (KafkaProducer<byte[], byte[]> producer = broker.producer(p);
                    KafkaConsumer<byte[], byte[]> consumer = broker.consumer(c)) {
                consumer.assign(List.of(new TopicPartition("reauth", 0)));
                while (System.nanoTime() < until) {
                    producer.send(new ProducerRecord<>("reauth", 0, null, ("v" + sent).getBytes(StandardCharsets.UTF_8))).get();
                    sent++;
                    received += consumer.poll(Duration.ofMillis(20)).count();
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (received < sent && System.nanoTime() < deadline) {
                    received += consumer.poll(Duration.ofMillis(100)).count();
                }
                assertEquals(sent, received, "every record came back");
                double producerReauths = metric(producer.metrics(), "successful-reauthentication-total");
                double consumerReauths = metric(consumer.metrics(), "successful-reauthentication-total");
                assertTrue(producerReauths >= 2, "producer re-authentications: " + producerReauths);
                assertTrue(consumerReauths >= 2, "consumer re-authentications: " + consumerReauths);
                assertEquals(0.0, metric(producer.metrics(), "failed-reauthentication-total"));
                assertEquals(0.0, metric(consumer.metrics(), "failed-reauthentication-total"));
            }
            assertTrue(capture.messages().stream().noneMatch(l -> l.contains("expired")), capture.messages().toString());
        } finally {
            capture.close();
        }
    }
}
