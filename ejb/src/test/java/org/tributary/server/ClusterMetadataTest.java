package org.tributary.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.tributary.broker.ClusterBroker;
import org.tributary.config.BrokerConfig;
import org.tributary.config.NodeSettings;
import org.tributary.config.QuorumSettings;
import org.tributary.grid.VoterSet;

/**
 * Three brokers in one JVM that form one cluster through the metadata quorum (real Ratis, real
 * storage, real Kafka clients): one metadata truth on every broker, admin writes through any
 * broker, the controller's failover, fencing of a stopped broker and its return.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ClusterMetadataTest {
    private static final java.util.logging.Logger KAFKA_LOG = java.util.logging.Logger.getLogger("org.apache.kafka");

    static {
        KAFKA_LOG.setLevel(java.util.logging.Level.WARNING);
    }

    private InJvmCluster cluster;
    private Map<Integer, ClusterBroker> brokers;

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private void startCluster() throws Exception {
        cluster = new InJvmCluster(Map.of()).start();
        brokers = cluster.brokers;
    }

    private ClusterBroker startBroker(int id) throws IOException {
        return cluster.startBroker(id);
    }

    private Admin admin(int id) {
        return cluster.admin(id);
    }

    private String bootstrap(int... ids) {
        return cluster.bootstrap(ids);
    }

    private static void await(String what, long timeoutMs, BooleanSupplier condition) throws InterruptedException {
        InJvmCluster.await(what, timeoutMs, condition);
    }

    private int controllerId() {
        return cluster.controllerId();
    }

    @Test
    void aTopicCreatedThroughOneBrokerIsTheSameOnEveryBrokerWithItsPartitionsSpread() throws Exception {
        startCluster();
        try (Admin a1 = admin(1)) {
            a1.createTopics(List.of(new NewTopic("orders", 6, (short) 3))).all().get(30, TimeUnit.SECONDS);
        }
        Set<Integer> leaders = new HashSet<>();
        for (int id = 1; id <= 3; id++) {
            try (Admin a = admin(id)) {
                TopicDescription d = a.describeTopics(List.of("orders")).allTopicNames().get(30, TimeUnit.SECONDS).get("orders");
                assertEquals(6, d.partitions().size(), "broker " + id + " knows all partitions at once (read-your-writes through broker 1)");
                for (TopicPartitionInfo p : d.partitions()) {
                    assertEquals(3, p.replicas().size());
                    assertEquals(p.replicas().get(0).id(), p.leader().id(), "the preferred leader leads");
                    leaders.add(p.leader().id());
                }
                List<Integer> nodes = a.describeCluster().nodes().get().stream().map(Node::id).sorted().toList();
                assertEquals(List.of(1, 2, 3), nodes, "every live broker is listed by broker " + id);
                // as Kafka's KRaft brokers, each names an alive broker (itself) as the controller, and forwards
                try (RawClient raw = new RawClient(cluster.kafkaPort(id))) {
                    org.apache.kafka.common.requests.MetadataResponse m = raw.send(
                            new org.apache.kafka.common.requests.MetadataRequest.Builder(List.of(), false).build((short) 12));
                    assertEquals(id, m.data().controllerId(), "broker " + id + "'s Metadata names itself as the controller");
                }
                int named = a.describeCluster().controller().get().id();
                assertTrue(nodes.contains(named), "DescribeCluster names a live broker as the controller, not " + named);
            }
        }
        assertEquals(Set.of(1, 2, 3), leaders, "leadership is spread over the brokers");
        try (Admin a3 = admin(3)) {
            org.apache.kafka.clients.admin.QuorumInfo q = a3.describeMetadataQuorum().quorumInfo().get(30, TimeUnit.SECONDS);
            assertEquals(controllerId(), q.leaderId(), "DescribeQuorum through any broker names the Raft leader");
            assertEquals(Set.of(1, 2, 3), q.voters().stream().map(org.apache.kafka.clients.admin.QuorumInfo.ReplicaState::replicaId)
                    .collect(java.util.stream.Collectors.toSet()));
            assertTrue(q.highWatermark() > 0 && q.leaderEpoch() >= 1, "high watermark " + q.highWatermark() + ", epoch " + q.leaderEpoch());
            for (org.apache.kafka.clients.admin.QuorumInfo.ReplicaState v : q.voters()) {
                assertTrue(v.logEndOffset() > 0, "voter " + v.replicaId() + " log end offset " + v.logEndOffset());
            }
        }
    }

    @Test
    void fiftyTopicsInOneRequestAreOneControllerRequestAndOneMetadataLogEntry() throws Exception {
        startCluster();
        int controller = controllerId();
        int other = controller == 1 ? 2 : 1;
        org.tributary.controller.ControllerServer c = brokers.get(controller).metadata().controller();
        short create = org.apache.kafka.common.protocol.ApiKeys.CREATE_TOPICS.id;
        long requests = c.requestsDecided(create);
        long entries = c.entriesWritten(create);
        long offset = brokers.get(other).metadata().metadata().image().offset();
        List<NewTopic> topics = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            topics.add(new NewTopic(String.format("many-%02d", i), 10, (short) 3));
        }
        // raw, to a broker that is not the controller: it forwards the whole request as one
        org.apache.kafka.common.message.CreateTopicsRequestData req = new org.apache.kafka.common.message.CreateTopicsRequestData()
                .setTimeoutMs(30_000);
        topics.forEach(t -> req.topics().add(new org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopic()
                .setName(t.name()).setNumPartitions(t.numPartitions()).setReplicationFactor(t.replicationFactor())));
        try (RawClient raw = new RawClient(cluster.kafkaPort(other))) {
            org.apache.kafka.common.requests.CreateTopicsResponse resp = raw.send(
                    new org.apache.kafka.common.requests.CreateTopicsRequest.Builder(req).build((short) 7));
            assertEquals(50, resp.data().topics().size());
            resp.data().topics().forEach(r -> assertEquals(0, r.errorCode(), r.name() + ": " + r.errorMessage()));
        }
        assertEquals(requests + 1, c.requestsDecided(create), "one controller request for 50 topics");
        assertEquals(entries + 1, c.entriesWritten(create), "one metadata log entry for 50 topics");
        assertTrue(brokers.get(other).metadata().metadata().image().offset() > offset);
        for (int id = 1; id <= 3; id++) {
            int broker = id;
            await("broker " + id + " has all 50 topics", 30_000, () -> brokers.get(broker).metadata().metadata().image().topics()
                    .stream().filter(t -> t.name().startsWith("many-") && t.partitionCount() == 10).count() == 50);
        }
        short delete = org.apache.kafka.common.protocol.ApiKeys.DELETE_TOPICS.id;
        long deletes = c.requestsDecided(delete);
        try (Admin a = admin(other)) {
            a.deleteTopics(topics.stream().map(NewTopic::name).toList()).all().get(30, TimeUnit.SECONDS);
        }
        assertEquals(deletes + 1, c.requestsDecided(delete), "one controller request deletes 50 topics");
    }

    @Test
    void recordsProducedThroughAnyBrokerReachTheirLeadersAndAreReadBackThroughAnother() throws Exception {
        startCluster();
        try (Admin a = admin(2)) {
            a.createTopics(List.of(new NewTopic("events", 3, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        Map<String, Object> pc = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(2), ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true, ProducerConfig.LINGER_MS_CONFIG, 1);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(pc, new ByteArraySerializer(), new ByteArraySerializer())) {
            List<CompletableFuture<Void>> sent = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                producer.send(new ProducerRecord<>("events", i % 3, null, ("e" + i).getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);
            }
        }
        try (Admin a = admin(3)) {
            Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
            for (int p = 0; p < 3; p++) {
                ends.put(new TopicPartition("events", p), OffsetSpec.latest());
            }
            long total = a.listOffsets(ends).all().get(30, TimeUnit.SECONDS).values().stream().mapToLong(i -> i.offset()).sum();
            assertEquals(300, total, "listOffsets through broker 3 finds every partition's leader");
        }
        Map<String, Object> cc = Map.of("bootstrap.servers", bootstrap(3), "group.id", "readers", "auto.offset.reset", "earliest",
                "enable.auto.commit", false);
        Set<String> seen = new HashSet<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(cc, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of("events"));
            long deadline = System.currentTimeMillis() + 60_000;
            while (seen.size() < 300 && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    seen.add(new String(r.value(), StandardCharsets.UTF_8));
                }
            }
            consumer.commitSync(Duration.ofSeconds(30));
        }
        assertEquals(300, seen.size(), "a group consumer through broker 3 reads every record");
    }

    @Test
    void theControllerFailsOverAndAStoppedBrokersPartitionsGoOfflineUntilItReturns() throws Exception {
        startCluster();
        try (Admin a = admin(1)) {
            a.createTopics(List.of(new NewTopic("single", 3, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        int controller = controllerId();
        assertTrue(controller > 0);
        int survivor = controller == 1 ? 2 : 1;
        long stoppedAt = System.nanoTime();
        brokers.remove(controller).close();
        try (Admin a = admin(survivor)) {
            // an admin write succeeds through a survivor once a new controller is elected
            a.createTopics(List.of(new NewTopic("after-failover", 2, (short) 2))).all().get(60, TimeUnit.SECONDS);
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stoppedAt);
            System.out.println("controller failover: CreateTopics succeeded " + ms + " ms after the controller stopped");
            assertNotEquals(controller, controllerId());
            // the stopped broker is fenced; its partitions of the RF-1 topic have no leader
            await("the stopped broker's partitions go offline", 30_000, () -> {
                try {
                    TopicDescription d = a.describeTopics(List.of("single")).allTopicNames().get().get("single");
                    return d.partitions().stream().filter(p -> p.replicas().get(0).id() == controller)
                            .allMatch(p -> p.leader() == null || p.leader().isEmpty());
                } catch (Exception e) {
                    return false;
                }
            });
            List<Integer> nodes = a.describeCluster().nodes().get().stream().map(Node::id).toList();
            assertTrue(!nodes.contains(controller), "a fenced broker is not listed: " + nodes);
        }
        startBroker(controller);
        try (Admin a = admin(survivor)) {
            await("the returned broker leads its partitions again", 30_000, () -> {
                try {
                    TopicDescription d = a.describeTopics(List.of("single")).allTopicNames().get().get("single");
                    return d.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty()
                            && p.leader().id() == p.replicas().get(0).id());
                } catch (Exception e) {
                    return false;
                }
            });
            assertTrue(a.listTopics().names().get().containsAll(Set.of("single", "after-failover")));
        }
    }

    @Test
    void aFourthBrokerFollowsTheQuorumAsAnObserverAndLeadsPartitions() throws Exception {
        startCluster();
        cluster.prepare(4);
        startBroker(4);
        try (Admin a = admin(4)) {
            assertEquals(List.of(1, 2, 3, 4), a.describeCluster().nodes().get().stream().map(Node::id).sorted().toList());
            a.createTopics(List.of(new NewTopic("wide", 8, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        try (Admin a = admin(1)) {
            TopicDescription d = a.describeTopics(List.of("wide")).allTopicNames().get(30, TimeUnit.SECONDS).get("wide");
            assertTrue(d.partitions().stream().anyMatch(p -> p.leader().id() == 4), "the new broker leads some partitions");
        }
        assertTrue(!brokers.get(4).metadata().quorum().config().localIsVoter(), "broker 4 is an observer, not a voter");
    }

    @Test
    void idempotentProducersOnDifferentBrokersGetDifferentProducerIds() throws Exception {
        startCluster();
        Set<Long> ids = new HashSet<>();
        for (int id = 1; id <= 3; id++) {
            long pid = brokers.get(id).view().allocateProducerIds(1000);
            assertTrue(ids.add(pid), "producer id block " + pid + " handed out twice");
        }
        List<Long> sorted = ids.stream().sorted().toList();
        assertTrue(sorted.get(1) - sorted.get(0) >= 1000 && sorted.get(2) - sorted.get(1) >= 1000, "blocks do not overlap: " + sorted);
    }
}
