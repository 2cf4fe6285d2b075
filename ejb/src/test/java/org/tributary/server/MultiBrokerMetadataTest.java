package org.tributary.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.tributary.cluster.BrokerInfo;
import org.tributary.cluster.ClusterView;
import org.tributary.config.BrokerConfig;

/**
 * Two brokers that see each other as live (as every node of a data-grid cluster does) but keep
 * their own topic metadata. Kafka clients send Metadata requests, and the Admin client its
 * partition-leader look-ups, to any broker a Metadata response lists, and controller requests to
 * the controller it names: a broker must list only brokers that answer for the same topics.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class MultiBrokerMetadataTest {
    private static final int A = 1;
    private static final int B = 2;
    /** Held so the level sticks: kafka-clients' INFO lines (config dumps) drown the test output. */
    private static final java.util.logging.Logger KAFKA_LOG = java.util.logging.Logger.getLogger("org.apache.kafka");

    static {
        KAFKA_LOG.setLevel(java.util.logging.Level.WARNING);
    }

    private final List<KafkaServer> servers = new ArrayList<>();
    private final List<Path> dirs = new ArrayList<>();
    private int portA;
    private int portB;

    /** A fixed cluster of brokers 1 and 2, both live, with the given controller. */
    private record TwoBrokerView(int self, List<BrokerInfo> live, int controller, AtomicLong producerIds) implements ClusterView {
        @Override
        public String clusterId() {
            return TestBroker.CLUSTER_ID;
        }

        @Override
        public int localBrokerId() {
            return self;
        }

        @Override
        public List<BrokerInfo> liveBrokers() {
            return live;
        }

        @Override
        public int controllerId() {
            return controller;
        }

        @Override
        public long allocateProducerIds(int count) {
            return producerIds.getAndAdd(count);
        }
    }

    private void startBrokers(int controller) throws IOException {
        KafkaServer a = newServer();
        KafkaServer b = newServer();
        portA = a.bind();
        portB = b.bind();
        List<BrokerInfo> live = List.of(new BrokerInfo(A, "127.0.0.1", portA, 0, null), new BrokerInfo(B, "127.0.0.1", portB, 0, null));
        AtomicLong producerIds = new AtomicLong();
        a.start(new TwoBrokerView(A, live, controller, producerIds));
        b.start(new TwoBrokerView(B, live, controller, producerIds));
    }

    private KafkaServer newServer() throws IOException {
        Path dir = Files.createTempDirectory("tributary-multi");
        dirs.add(dir);
        KafkaServer s = KafkaServer.create(BrokerConfig.of(Map.of("listeners", "PLAINTEXT://127.0.0.1:0", "num.io.threads", "4",
                "num.network.threads", "2")), dir, Executors.defaultThreadFactory(), Time.SYSTEM);
        servers.add(s);
        return s;
    }

    @AfterEach
    void stop() {
        servers.forEach(KafkaServer::close);
        dirs.forEach(TestBroker::deleteTree);
    }

    private static Admin admin(int port) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + port);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "15000");
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        return Admin.create(p);
    }

    @Test
    void adminListOffsetsThroughEitherBrokerFindsThatBrokersTopic() throws Exception {
        startBrokers(A);
        try (Admin admin = admin(portA)) {
            admin.createTopics(List.of(new NewTopic("on-a", Map.of(0, List.of(A), 1, List.of(A))))).all().get();
        }
        long t0 = System.currentTimeMillis() - 60_000;
        Map<String, Object> pc = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + portA, ProducerConfig.LINGER_MS_CONFIG, 0);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(pc, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < 5; i++) {
                producer.send(new ProducerRecord<>("on-a", 1, t0 + i * 1000L, null, ("v" + i).getBytes(StandardCharsets.UTF_8)))
                        .get(20, TimeUnit.SECONDS);
            }
        }
        TopicPartition p0 = new TopicPartition("on-a", 0);
        TopicPartition p1 = new TopicPartition("on-a", 1);
        // fresh clients with look-ups in parallel: the Admin sends them to its least-loaded known broker
        for (int round = 0; round < 5; round++) {
            try (Admin admin = admin(portA)) {
                List<KafkaFuture<Map<TopicPartition, ListOffsetsResultInfo>>> calls = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    calls.add(admin.listOffsets(Map.of(p0, OffsetSpec.latest(), p1, OffsetSpec.latest())).all());
                    calls.add(admin.listOffsets(Map.of(p1, OffsetSpec.forTimestamp(t0 + 2500))).all());
                }
                for (int i = 0; i < calls.size(); i += 2) {
                    Map<TopicPartition, ListOffsetsResultInfo> ends = calls.get(i).get(20, TimeUnit.SECONDS);
                    assertEquals(0, ends.get(p0).offset());
                    assertEquals(5, ends.get(p1).offset());
                    assertEquals(3, calls.get(i + 1).get(20, TimeUnit.SECONDS).get(p1).offset());
                }
            }
        }
    }

    @Test
    void kafkaClientsAreToldOnlyOfBrokersThatServeTheSameTopics() throws Exception {
        startBrokers(B);
        try (Admin admin = admin(portA)) {
            List<Node> nodes = new ArrayList<>(admin.describeCluster().nodes().get());
            assertEquals(List.of(A), nodes.stream().map(Node::id).toList());
            assertEquals(portA, nodes.get(0).port());
            assertEquals(A, admin.describeCluster().controller().get().id());

            // CreateTopics goes to the controller a Metadata response names: it must be the broker that keeps the topic
            admin.createTopics(List.of(new NewTopic("made-through-a", 1, (short) 1))).all().get();
            assertTrue(servers.get(0).topic("made-through-a").isPresent(), "the topic lives on the broker the client talks to");
            assertTrue(servers.get(1).topic("made-through-a").isEmpty(), "and not on another broker");
        }
        try (Admin admin = admin(portB)) {
            assertEquals(List.of(B), admin.describeCluster().nodes().get().stream().map(Node::id).toList());
            assertEquals(B, admin.describeCluster().controller().get().id());
            assertTrue(admin.listTopics().names().get().isEmpty(), "broker " + B + " has no topics of its own");
        }
    }

    @Test
    void partitionsAndTheGroupsTopicArePlacedOnTheBrokerThatKeepsThem() throws Exception {
        startBrokers(B);
        try (Admin admin = admin(portA)) {
            admin.createTopics(List.of(new NewTopic("spread", 4, (short) 1))).all().get();
            var description = admin.describeTopics(List.of("spread")).allTopicNames().get().get("spread");
            for (var p : description.partitions()) {
                assertEquals(A, p.leader().id(), "partition " + p.partition() + " is led by the broker that has it");
            }
            var refused = org.junit.jupiter.api.Assertions.assertThrows(java.util.concurrent.ExecutionException.class,
                    () -> admin.createTopics(List.of(new NewTopic("rf2", 1, (short) 2))).all().get());
            assertTrue(refused.getCause() instanceof org.apache.kafka.common.errors.InvalidReplicationFactorException, refused.toString());
            assertTrue(refused.getCause().getMessage().contains("not replicated across brokers yet"), refused.getCause().getMessage());
        }
        Map<String, Object> pc = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + portA, ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(pc, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int p = 0; p < 4; p++) {
                producer.send(new ProducerRecord<>("spread", p, null, ("v" + p).getBytes(StandardCharsets.UTF_8))).get(20, TimeUnit.SECONDS);
            }
        }
        // a consumer group on a broker of a two-broker grid: the offsets topic is created with the
        // replication factor this broker can give it, and commits work
        Map<String, Object> cc = Map.of("bootstrap.servers", "127.0.0.1:" + portA, "group.id", "two-brokers",
                "auto.offset.reset", "earliest", "enable.auto.commit", false);
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<>(cc,
                new org.apache.kafka.common.serialization.ByteArrayDeserializer(), new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            consumer.subscribe(List.of("spread"));
            int seen = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (seen < 4 && System.nanoTime() < deadline) {
                seen += consumer.poll(java.time.Duration.ofMillis(200)).count();
            }
            assertEquals(4, seen);
            consumer.commitSync();
        }
        try (Admin admin = admin(portA)) {
            var offsets = admin.listConsumerGroupOffsets("two-brokers").partitionsToOffsetAndMetadata().get();
            assertEquals(4, offsets.size());
            offsets.values().forEach(o -> assertEquals(1, o.offset()));
            var groupsTopic = admin.describeTopics(List.of("__consumer_offsets")).allTopicNames().get().get("__consumer_offsets");
            assertEquals(1, groupsTopic.partitions().get(0).replicas().size());
        }
    }
}
