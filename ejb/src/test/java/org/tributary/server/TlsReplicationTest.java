package org.tributary.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.tributary.testkit.TlsFiles;

/**
 * Three brokers in one JVM whose inter-broker listener is SSL with mutual TLS (clients stay on
 * PLAINTEXT): followers fetch from the leader's INTERNAL endpoint over TLS, as the broker whose
 * certificate they present, so acks=all with min.insync.replicas=3 succeeds, the ISR holds all
 * three, and a follower that becomes leader serves every record.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class TlsReplicationTest {
    private InJvmCluster cluster;

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void followersReplicateOverTheSslInterBrokerListener() throws Exception {
        TlsFiles tls = TlsFiles.shared();
        Map<String, String> extra = new HashMap<>(tls.brokerSettings("listener.name.internal."));
        extra.put("listeners", "PLAINTEXT://127.0.0.1:{port},INTERNAL://127.0.0.1:0");
        extra.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,INTERNAL:SSL");
        extra.put("inter.broker.listener.name", "INTERNAL");
        extra.put("listener.name.internal.ssl.client.auth", "required");
        cluster = new InJvmCluster(extra).start();
        Set<String> fetchers = ConcurrentHashMap.newKeySet();
        for (int id = 1; id <= 3; id++) {
            cluster.broker(id).server().registry().orElseThrow().wrap(ApiKeys.FETCH, h -> (ctx, req) -> {
                if (ctx.header().clientId().startsWith("tributary-replica-fetcher")) {
                    fetchers.add(ctx.listenerName() + " " + ctx.principal());
                }
                return h.handle(ctx, req);
            });
        }
        try (Admin admin = cluster.admin(1)) {
            admin.createTopics(List.of(new NewTopic("secure-repl", 1, (short) 3).configs(Map.of("min.insync.replicas", "3"))))
                    .all().get(30, TimeUnit.SECONDS);
        }
        Map<String, Object> p = new HashMap<>();
        p.put("bootstrap.servers", cluster.bootstrap(1, 2, 3));
        p.put("acks", "all");
        p.put("enable.idempotence", true);
        p.put("delivery.timeout.ms", 60_000);
        List<Future<RecordMetadata>> acked = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < 200; i++) {
                acked.add(producer.send(new ProducerRecord<>("secure-repl", 0, null, ("v" + i).getBytes(StandardCharsets.UTF_8))));
            }
            for (Future<RecordMetadata> f : acked) {
                f.get(60, TimeUnit.SECONDS); // min.insync.replicas=3: only once both followers have them
            }
        }
        int leader;
        try (Admin admin = cluster.admin(1)) {
            TopicPartitionInfo info = admin.describeTopics(List.of("secure-repl")).allTopicNames().get().get("secure-repl")
                    .partitions().get(0);
            assertEquals(3, info.isr().size(), info.toString());
            leader = info.leader().id();
        }
        assertEquals(Set.of("INTERNAL User:CN=localhost,O=Tributary"), fetchers, "replica fetches came over mutual TLS only");

        cluster.stop(leader);
        int survivor = leader == 1 ? 2 : 1;
        InJvmCluster.await("a follower leads partition 0", 30_000, () -> {
            try (Admin a = cluster.admin(survivor)) {
                TopicPartitionInfo info = a.describeTopics(List.of("secure-repl")).allTopicNames().get().get("secure-repl")
                        .partitions().get(0);
                return info.leader() != null && info.leader().id() != leader;
            } catch (Exception e) {
                return false;
            }
        });
        Map<String, Object> c = new HashMap<>();
        c.put("bootstrap.servers", cluster.bootstrap(survivor));
        c.put("auto.offset.reset", "earliest");
        c.put("enable.auto.commit", false);
        List<String> got = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(List.of(new TopicPartition("secure-repl", 0)));
            long deadline = System.currentTimeMillis() + 30_000;
            while (got.size() < 200 && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    got.add(new String(r.value(), StandardCharsets.UTF_8));
                }
            }
        }
        assertEquals(200, got.size());
        for (int i = 0; i < 200; i++) {
            assertEquals("v" + i, got.get(i));
        }
    }
}
