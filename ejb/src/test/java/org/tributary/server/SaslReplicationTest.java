package org.tributary.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
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
 * Three brokers in one JVM whose inter-broker listener INTERNAL is SASL_SSL (clients stay on
 * PLAINTEXT): followers log in to the leader's INTERNAL endpoint with
 * {@code sasl.mechanism.inter.broker.protocol} and the listener's JAAS username/password, over
 * TLS, so acks=all with min.insync.replicas=3 succeeds and the leader sees every replica fetch
 * as the SASL user.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class SaslReplicationTest {
    private InJvmCluster cluster;

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private Map<String, String> settings(String interBrokerMechanism) throws Exception {
        TlsFiles tls = TlsFiles.shared();
        Map<String, String> extra = new HashMap<>(tls.brokerSettings("listener.name.internal."));
        extra.put("listeners", "PLAINTEXT://127.0.0.1:{port},INTERNAL://127.0.0.1:0");
        extra.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,INTERNAL:SASL_SSL");
        extra.put("inter.broker.listener.name", "INTERNAL");
        extra.put("listener.name.internal.sasl.enabled.mechanisms", "PLAIN,SCRAM-SHA-512");
        extra.put("sasl.mechanism.inter.broker.protocol", interBrokerMechanism);
        extra.put("listener.name.internal.plain.sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required "
                + "username=\"broker\" password=\"broker-pw\" user_broker=\"broker-pw\";");
        extra.put("listener.name.internal.scram-sha-512.sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule "
                + "required username=\"replicator\" password=\"replicator-pw\";");
        return extra;
    }

    private Set<String> recordFetchers() {
        Set<String> fetchers = ConcurrentHashMap.newKeySet();
        for (int id = 1; id <= 3; id++) {
            cluster.broker(id).server().registry().orElseThrow().wrap(ApiKeys.FETCH, h -> (ctx, req) -> {
                if (ctx.header().clientId().startsWith("tributary-replica-fetcher")) {
                    fetchers.add(ctx.listenerName() + " " + ctx.principal());
                }
                return h.handle(ctx, req);
            });
        }
        return fetchers;
    }

    @Test
    void followersReplicateOverSaslSslWithPlain() throws Exception {
        cluster = new InJvmCluster(settings("PLAIN")).start();
        Set<String> fetchers = recordFetchers();
        produceAllAckedAndReadBack("sasl-repl");
        assertEquals(Set.of("INTERNAL User:broker"), fetchers, "replica fetches came over SASL_SSL as the JAAS user only");
    }

    @Test
    void followersReplicateWithScramOnceTheCredentialExists() throws Exception {
        cluster = new InJvmCluster(settings("SCRAM-SHA-512")).start();
        Set<String> fetchers = recordFetchers();
        try (Admin admin = cluster.admin(1)) {
            // as with Kafka, the inter-broker SCRAM user must exist before followers can log in
            admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion("replicator",
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), "replicator-pw"))).all().get(30, TimeUnit.SECONDS);
        }
        produceAllAckedAndReadBack("scram-repl");
        assertEquals(Set.of("INTERNAL User:replicator"), fetchers);
    }

    @Test
    void transactionMarkersReachEveryLeaderOverSaslSsl() throws Exception {
        cluster = new InJvmCluster(settings("PLAIN")).start();
        Set<String> markerSenders = ConcurrentHashMap.newKeySet();
        for (int id = 1; id <= 3; id++) {
            cluster.broker(id).server().registry().orElseThrow().wrap(ApiKeys.WRITE_TXN_MARKERS, h -> (ctx, req) -> {
                markerSenders.add(ctx.listenerName() + " " + ctx.principal());
                return h.handle(ctx, req);
            });
        }
        String topic = "sasl-txn";
        try (Admin admin = cluster.admin(1)) {
            admin.createTopics(List.of(new NewTopic(topic, 3, (short) 3))).all().get(30, TimeUnit.SECONDS);
        }
        Map<String, Object> p = new HashMap<>();
        p.put("bootstrap.servers", cluster.bootstrap(1, 2, 3));
        p.put("transactional.id", "sasl-txn-producer");
        p.put("delivery.timeout.ms", 60_000);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            for (int i = 0; i < 30; i++) {
                producer.send(new ProducerRecord<>(topic, i % 3, null, ("c" + i).getBytes(StandardCharsets.UTF_8)));
            }
            producer.commitTransaction();
        }
        Map<String, Object> c = new HashMap<>();
        c.put("bootstrap.servers", cluster.bootstrap(1, 2, 3));
        c.put("auto.offset.reset", "earliest");
        c.put("enable.auto.commit", false);
        c.put("isolation.level", "read_committed");
        Set<String> got = new java.util.HashSet<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(List.of(new TopicPartition(topic, 0), new TopicPartition(topic, 1), new TopicPartition(topic, 2)));
            long deadline = System.currentTimeMillis() + 30_000;
            while (got.size() < 30 && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    got.add(new String(r.value(), StandardCharsets.UTF_8));
                }
            }
        }
        assertEquals(30, got.size(), "a read_committed consumer sees the committed transaction once markers reached every leader");
        assertEquals(Set.of("INTERNAL User:broker"), markerSenders, "markers came over the SASL_SSL inter-broker listener as the JAAS user");
    }

    private void produceAllAckedAndReadBack(String topic) throws Exception {
        try (Admin admin = cluster.admin(1)) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 3).configs(Map.of("min.insync.replicas", "3"))))
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
                acked.add(producer.send(new ProducerRecord<>(topic, 0, null, ("v" + i).getBytes(StandardCharsets.UTF_8))));
            }
            for (Future<RecordMetadata> f : acked) {
                f.get(60, TimeUnit.SECONDS); // min.insync.replicas=3: only once both followers have them
            }
        }
        int leader;
        try (Admin admin = cluster.admin(1)) {
            TopicPartitionInfo info = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().get(0);
            assertEquals(3, info.isr().size(), info.toString());
            leader = info.leader().id();
        }
        int follower = leader == 1 ? 2 : 1;
        Map<String, Object> c = new HashMap<>();
        c.put("bootstrap.servers", cluster.bootstrap(follower));
        c.put("auto.offset.reset", "earliest");
        c.put("enable.auto.commit", false);
        List<String> got = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(List.of(new TopicPartition(topic, 0)));
            long deadline = System.currentTimeMillis() + 30_000;
            while (got.size() < 200 && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    got.add(new String(r.value(), StandardCharsets.UTF_8));
                }
            }
        }
        assertEquals(200, got.size());
        assertTrue(got.get(199).equals("v199"), got.get(199));
    }
}
