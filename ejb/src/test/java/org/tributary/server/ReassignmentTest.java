package org.tributary.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitionReassignment;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.PartitionReassignment;
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
import org.apache.kafka.tools.reassign.ReassignPartitionsCommand;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.tributary.testkit.KafkaTools;
import org.tributary.testing.LiveFiles;

/**
 * Partition reassignment (KIP-455) on four brokers in one JVM (voters 1..3, broker 0 an observer)
 * with real Kafka clients and Kafka's own kafka-reassign-partitions tool: a partition moves under
 * continuous acks=all writes without losing or duplicating an acknowledged record, the removed
 * broker deletes its copy, a reassignment that cannot finish shows the full replica set and can be
 * cancelled.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ReassignmentTest {
    private InJvmCluster cluster;

    @BeforeAll
    void start() throws Exception {
        cluster = new InJvmCluster(Map.of()).start();
        cluster.prepare(0);
        cluster.startBroker(0);
        InJvmCluster.await("broker 0 is registered and unfenced", 60_000, () -> {
            try (Admin a = cluster.admin(1)) {
                return a.describeCluster().nodes().get().stream().map(Node::id).sorted().toList().equals(List.of(0, 1, 2, 3));
            } catch (Exception e) {
                return false;
            }
        });
    }

    /** Every test starts with all four brokers up (one test stops broker 0 for a while). */
    @org.junit.jupiter.api.BeforeEach
    void allBrokersActive() throws InterruptedException {
        InJvmCluster.await("brokers 0..3 are active", 60_000, () -> {
            for (int b = 0; b <= 3; b++) {
                int id = b;
                if (cluster.broker(1).metadata().metadata().image().broker(id)
                        .map(org.tributary.metadata.BrokerRegistration::active).orElse(false) == Boolean.FALSE) {
                    return false;
                }
            }
            return true;
        });
    }

    @AfterAll
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private TopicPartitionInfo describe(int via, String topic, int p) throws Exception {
        try (Admin a = cluster.admin(via)) {
            TopicDescription d = a.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
            return d.partitions().get(p);
        }
    }

    /** Waits until broker 1 describes the partition with exactly these replicas (it applies controller changes moments later). */
    private void awaitReplicas(String topic, int p, List<Integer> replicas) throws InterruptedException {
        InJvmCluster.await(topic + "-" + p + " has replicas " + replicas + " on broker 1", 30_000, () -> {
            try {
                return ids(describe(1, topic, p).replicas()).equals(replicas);
            } catch (Exception e) {
                return false;
            }
        });
    }

    private static List<Integer> ids(List<Node> nodes) {
        return nodes.stream().map(Node::id).toList();
    }

    private boolean holdsLogOnDisk(int broker, TopicPartition tp) throws Exception {
        String dir = tp.topic() + "-" + tp.partition();
        return LiveFiles.countIncludingDirectories(cluster.dataDir(broker), dir::equals) > 0;
    }

    @Test
    void aPartitionMovesUnderContinuousAcksAllWritesWithoutLosingOrDuplicatingAcknowledgedRecords() throws Exception {
        TopicPartition tp = new TopicPartition("moved", 0);
        try (Admin a = cluster.admin(1)) {
            a.createTopics(List.of(new NewTopic("moved", Map.of(0, List.of(0, 1, 2))).configs(Map.of("min.insync.replicas", "2"))))
                    .all().get(30, TimeUnit.SECONDS);
        }
        InJvmCluster.await("broker 0 holds moved-0", 30_000, () -> cluster.broker(0).server().replicaManager().orElseThrow()
                .replica(tp).isPresent());
        Map<String, Object> pc = new HashMap<>();
        pc.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrap(1, 2, 3));
        pc.put(ProducerConfig.ACKS_CONFIG, "all");
        pc.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        pc.put(ProducerConfig.LINGER_MS_CONFIG, 2);
        pc.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
        pc.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        ConcurrentLinkedQueue<String> acked = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<String> failed = new ConcurrentLinkedQueue<>();
        AtomicBoolean producing = new AtomicBoolean(true);
        AtomicInteger sent = new AtomicInteger();
        Thread writer = new Thread(() -> {
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(pc, new ByteArraySerializer(), new ByteArraySerializer())) {
                while (producing.get()) {
                    String v = "v" + sent.getAndIncrement();
                    producer.send(new ProducerRecord<>("moved", 0, null, v.getBytes(StandardCharsets.UTF_8)), (m, e) -> {
                        if (e == null) {
                            acked.add(v);
                        } else {
                            failed.add(v + ": " + e);
                        }
                    });
                    Thread.sleep(2);
                }
                producer.flush();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "reassignment-writer");
        writer.start();
        try {
            InJvmCluster.await("records are acknowledged before the move", 60_000, () -> acked.size() >= 200);
            try (Admin a = cluster.admin(2)) {
                a.alterPartitionReassignments(Map.of(tp, Optional.of(new NewPartitionReassignment(List.of(1, 2, 3))))).all()
                        .get(30, TimeUnit.SECONDS);
            }
            InJvmCluster.await("the move completes: replicas [1, 2, 3], all in sync, as every broker sees it", 120_000, () -> {
                try {
                    for (int b = 0; b <= 3; b++) {
                        TopicPartitionInfo i = describe(b, "moved", 0);
                        if (!ids(i.replicas()).equals(List.of(1, 2, 3)) || i.isr().size() != 3 || i.leader() == null
                                || i.leader().id() == 0) {
                            return false;
                        }
                    }
                    try (Admin a = cluster.admin(3)) {
                        return a.listPartitionReassignments().reassignments().get(30, TimeUnit.SECONDS).isEmpty();
                    }
                } catch (Exception e) {
                    return false;
                }
            });
            int afterMove = acked.size();
            InJvmCluster.await("records are acknowledged after the move", 60_000, () -> acked.size() >= afterMove + 200);
        } finally {
            producing.set(false);
            writer.join(150_000);
        }
        assertEquals(List.of(), List.copyOf(failed), "no send failed");
        InJvmCluster.await("broker 0 no longer holds moved-0, in memory or on disk", 30_000, () -> {
            try {
                return cluster.broker(0).server().replicaManager().orElseThrow().replica(tp).isEmpty() && !holdsLogOnDisk(0, tp);
            } catch (Exception e) {
                return false;
            }
        });
        assertTrue(holdsLogOnDisk(3, tp), "broker 3 holds the partition's log");
        for (int b = 1; b <= 3; b++) {
            int broker = b;
            long end = cluster.broker(1).server().replicaManager().orElseThrow().replica(tp).map(p -> p.leader())
                    .map(l -> cluster.broker(l).server().replicaManager().orElseThrow().replica(tp).orElseThrow().logEndOffset())
                    .orElseThrow();
            InJvmCluster.await("broker " + b + " has the whole log", 30_000, () -> cluster.broker(broker).server().replicaManager()
                    .orElseThrow().replica(tp).orElseThrow().logEndOffset() == end);
        }
        List<String> read = new ArrayList<>();
        Map<String, Object> cc = Map.of("bootstrap.servers", cluster.bootstrap(1, 2, 3), "group.id", "check-" + System.nanoTime(),
                "auto.offset.reset", "earliest", "enable.auto.commit", false);
        Set<String> wanted = Set.copyOf(acked);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(cc, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(List.of(tp));
            long deadline = System.currentTimeMillis() + 60_000;
            while (!Set.copyOf(read).containsAll(wanted) && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    read.add(new String(r.value(), StandardCharsets.UTF_8));
                }
            }
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                read.add(new String(r.value(), StandardCharsets.UTF_8));
            }
        }
        assertEquals(read.size(), Set.copyOf(read).size(), "no record twice");
        List<String> missing = wanted.stream().filter(v -> !read.contains(v)).sorted().toList();
        assertEquals(List.of(), missing, "every acknowledged record (" + wanted.size() + ") is read");
        assertTrue(wanted.size() >= 400, "records were acknowledged before, during and after the move: " + wanted.size());
    }

    @Test
    void aReassignmentThatCannotFinishShowsTheFullReplicaSetAndCanBeCancelled() throws Exception {
        TopicPartition tp = new TopicPartition("stuck", 0);
        try (Admin a = cluster.admin(1)) {
            a.createTopics(List.of(new NewTopic("stuck", Map.of(0, List.of(1, 2, 3))))).all().get(30, TimeUnit.SECONDS);
            // broker 0 stopped: still registered (fenced), so it may be named, but it cannot catch up
            cluster.stop(0);
            try {
                a.alterPartitionReassignments(Map.of(tp, Optional.of(new NewPartitionReassignment(List.of(1, 2, 0))))).all()
                        .get(30, TimeUnit.SECONDS);
                // the change went to the controller; broker 1 (asked below) applies it moments later
                awaitReplicas("stuck", 0, List.of(1, 2, 0, 3));
                TopicPartitionInfo i = describe(1, "stuck", 0);
                assertEquals(List.of(1, 2, 0, 3), ids(i.replicas()), "Metadata shows the target then the replicas being removed");
                assertEquals(Set.of(1, 2, 3), Set.copyOf(ids(i.isr())), "the ISR is untouched");
                Map<TopicPartition, PartitionReassignment> ongoing = a.listPartitionReassignments().reassignments()
                        .get(30, TimeUnit.SECONDS);
                assertEquals(Set.of(tp), ongoing.keySet());
                assertEquals(List.of(1, 2, 0, 3), ongoing.get(tp).replicas());
                assertEquals(List.of(0), ongoing.get(tp).addingReplicas());
                assertEquals(List.of(3), ongoing.get(tp).removingReplicas());
                a.alterPartitionReassignments(Map.of(tp, Optional.empty())).all().get(30, TimeUnit.SECONDS);
                awaitReplicas("stuck", 0, List.of(1, 2, 3)); // cancelled: back to the original replicas
                assertTrue(a.listPartitionReassignments().reassignments().get(30, TimeUnit.SECONDS).isEmpty());
                Throwable e = org.junit.jupiter.api.Assertions.assertThrows(java.util.concurrent.ExecutionException.class,
                        () -> a.alterPartitionReassignments(Map.of(tp, Optional.empty())).all().get(30, TimeUnit.SECONDS)).getCause();
                assertTrue(e instanceof org.apache.kafka.common.errors.NoReassignmentInProgressException, String.valueOf(e));
                e = org.junit.jupiter.api.Assertions.assertThrows(java.util.concurrent.ExecutionException.class,
                        () -> a.alterPartitionReassignments(Map.of(tp, Optional.of(new NewPartitionReassignment(List.of(1, 9))))).all()
                                .get(30, TimeUnit.SECONDS)).getCause();
                assertTrue(e instanceof org.apache.kafka.common.errors.InvalidReplicaAssignmentException, String.valueOf(e));
            } finally {
                cluster.startBroker(0);
            }
        }
    }

    /** Runs Kafka's kafka-reassign-partitions in-process; returns what it printed. */
    private String tool(String... args) {
        List<String> all = new ArrayList<>(List.of("--bootstrap-server", cluster.bootstrap(1, 2, 3)));
        all.addAll(List.of(args));
        return KafkaTools.run("kafka-reassign-partitions", ReassignPartitionsCommand::main, all.toArray(String[]::new));
    }

    @Test
    void kafkaReassignPartitionsGeneratesExecutesAndVerifiesAMove() throws Exception {
        try (Admin a = cluster.admin(1)) {
            a.createTopics(List.of(new NewTopic("tool", Map.of(0, List.of(0, 1), 1, List.of(1, 0))))).all().get(30, TimeUnit.SECONDS);
        }
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                cluster.bootstrap(1, 2, 3), ProducerConfig.ACKS_CONFIG, "all"), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < 50; i++) {
                producer.send(new ProducerRecord<>("tool", i % 2, null, ("t" + i).getBytes(StandardCharsets.UTF_8)));
            }
            producer.flush();
        }
        Path dir = Files.createTempDirectory("reassign-tool");
        try {
            Path topics = dir.resolve("topics.json");
            Files.writeString(topics, "{\"version\":1,\"topics\":[{\"topic\":\"tool\"}]}");
            String generated = tool("--topics-to-move-json-file", topics.toString(), "--broker-list", "2,3", "--generate");
            assertTrue(generated.contains("Current partition replica assignment"), generated);
            assertTrue(generated.contains("Proposed partition reassignment configuration"), generated);
            String[] lines = generated.strip().split("\n");
            String proposed = lines[lines.length - 1];
            assertTrue(proposed.startsWith("{") && proposed.contains("\"tool\""), proposed);
            Path plan = dir.resolve("plan.json");
            Files.writeString(plan, proposed);

            String executed = tool("--reassignment-json-file", plan.toString(), "--execute");
            assertTrue(executed.contains("Successfully started partition reassignment"), executed);
            InJvmCluster.await("kafka-reassign-partitions --verify reports both partitions completed", 120_000, () -> {
            String verified = tool("--reassignment-json-file", plan.toString(), "--verify");
                return verified.contains("Reassignment of partition tool-0 is completed")
                        && verified.contains("Reassignment of partition tool-1 is completed") && !verified.contains("EXIT");
            });
            for (int p = 0; p < 2; p++) {
                assertEquals(Set.of(2, 3), Set.copyOf(ids(describe(1, "tool", p).replicas())), "partition " + p + " moved to 2 and 3");
            }
            String last = tool("--reassignment-json-file", plan.toString(), "--verify");
            assertTrue(last.contains("Clearing broker-level throttles") && last.contains("Clearing topic-level throttles")
                    && !last.contains("Error") && !last.contains("EXIT"), last);
            try (Admin a = cluster.admin(2)) { // a broker config that is not dynamic is refused, as in Kafka
                org.apache.kafka.common.config.ConfigResource broker = new org.apache.kafka.common.config.ConfigResource(
                        org.apache.kafka.common.config.ConfigResource.Type.BROKER, "2");
                Throwable e = org.junit.jupiter.api.Assertions.assertThrows(java.util.concurrent.ExecutionException.class,
                        () -> a.incrementalAlterConfigs(Map.of(broker, List.of(new org.apache.kafka.clients.admin.AlterConfigOp(
                                new org.apache.kafka.clients.admin.ConfigEntry("num.io.threads", "16"),
                                org.apache.kafka.clients.admin.AlterConfigOp.OpType.SET)))).all().get(30, TimeUnit.SECONDS)).getCause();
                assertTrue(e instanceof org.apache.kafka.common.errors.InvalidRequestException
                        && e.getMessage().contains("num.io.threads"), String.valueOf(e));
            }
        } finally {
            TestBroker.deleteTree(dir);
        }
    }

    /** The dynamic config {@code key} of broker {@code id} as described by that broker, or null. */
    private String brokerConfig(int id, String key) throws Exception {
        try (Admin a = cluster.admin(id)) {
            org.apache.kafka.common.config.ConfigResource r = new org.apache.kafka.common.config.ConfigResource(
                    org.apache.kafka.common.config.ConfigResource.Type.BROKER, Integer.toString(id));
            org.apache.kafka.clients.admin.ConfigEntry e = a.describeConfigs(List.of(r)).all().get(30, TimeUnit.SECONDS).get(r).get(key);
            return e == null ? null : e.value();
        }
    }

    @Test
    void aThrottledMoveCopiesAtTheThrottleRateWhileAcksAllWritesGoOnAndVerifyClearsTheThrottle() throws Exception {
        String topic = "throttled-move";
        TopicPartition tp = new TopicPartition(topic, 0);
        try (Admin a = cluster.admin(1)) {
            a.createTopics(List.of(new NewTopic(topic, Map.of(0, List.of(1, 2))))).all().get(30, TimeUnit.SECONDS);
        }
        byte[] value = new byte[1000];
        int records = 1000; // ~1 MB
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                cluster.bootstrap(1, 2, 3), ProducerConfig.ACKS_CONFIG, "all"), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < records; i++) {
                producer.send(new ProducerRecord<>(topic, 0, null, value));
            }
            producer.flush();
        }
        long throttle = 50_000;
        Path dir = Files.createTempDirectory("reassign-throttle");
        try {
            Path plan = dir.resolve("plan.json");
            Files.writeString(plan, "{\"version\":1,\"partitions\":[{\"topic\":\"" + topic + "\",\"partition\":0,\"replicas\":[1,2,3]}]}");
            long t0 = System.nanoTime();
            String executed = tool("--reassignment-json-file", plan.toString(), "--execute", "--throttle", Long.toString(throttle));
            assertTrue(executed.contains("The inter-broker throttle limit was set to " + throttle + " B/s"), executed);
            assertTrue(executed.contains("Successfully started partition reassignment"), executed);
            // the throttle is in force on the brokers involved, and in the topic's throttled replica lists
            assertEquals(Long.toString(throttle), brokerConfig(1, "leader.replication.throttled.rate"));
            assertEquals(Long.toString(throttle), brokerConfig(3, "follower.replication.throttled.rate"));

            // writes to the partition go on at full speed: its ISR replicas are never throttled
            long w0 = System.nanoTime();
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                    cluster.bootstrap(1, 2, 3), ProducerConfig.ACKS_CONFIG, "all"), new ByteArraySerializer(), new ByteArraySerializer())) {
                for (int i = 0; i < 20; i++) {
                    producer.send(new ProducerRecord<>(topic, 0, null, value)).get(10, TimeUnit.SECONDS);
                }
            }
            double writeSeconds = (System.nanoTime() - w0) / 1e9;
            assertTrue(writeSeconds < 5, "20 acks=all writes during the throttled move took " + writeSeconds + " s");

            // the new replica, copying at the throttle rate, reports how far it is behind (Kafka's ReplicaFetcherManager MaxLag)
            InJvmCluster.await("broker 3 reports its lag behind the leader's high watermark", 20_000,
                    () -> cluster.broker(3).server().metrics().replicaMaxLag() > 100);
            InJvmCluster.await("the throttled move completes", 120_000, () -> cluster.broker(1).metadata().metadata().image()
                    .topic(topic).map(t -> t.partition(0).isr().size() == 3 && t.partition(0).addingReplicas().isEmpty()).orElse(false));
            double seconds = (System.nanoTime() - t0) / 1e9;
            // ~1 MB at 50 KB/s: the rate spans at least 10 one-second windows, so ~0.5 MB may pass at once; the rest takes
            // ~10 s. Unthrottled the same copy takes well under a second on loopback.
            System.out.printf("reassignment: 1 MB moved under a %d B/s throttle in %.1f s%n", throttle, seconds);
            assertTrue(seconds >= 8, "throttled to about " + throttle + " B/s: took only " + seconds + " s");
            assertTrue(seconds <= 30, "the throttle still lets the move finish at about its rate: took " + seconds + " s");

            InJvmCluster.await("broker 3 caught up: no lag left", 20_000, () -> cluster.broker(3).server().metrics().replicaMaxLag() == 0);
            String verified = tool("--reassignment-json-file", plan.toString(), "--verify");
            assertTrue(verified.contains("Reassignment of partition " + tp + " is completed"), verified);
            assertTrue(verified.contains("Clearing broker-level throttles") && verified.contains("Clearing topic-level throttles"),
                    verified);
            for (int b = 1; b <= 3; b++) {
                assertEquals(null, brokerConfig(b, "leader.replication.throttled.rate"), "broker " + b);
                assertEquals(null, brokerConfig(b, "follower.replication.throttled.rate"), "broker " + b);
            }
            org.tributary.metadata.TopicImage t = cluster.broker(1).metadata().metadata().image().topic(topic).orElseThrow();
            assertEquals(null, t.configs().get("leader.replication.throttled.replicas"));
            assertEquals(null, t.configs().get("follower.replication.throttled.replicas"));
        } finally {
            TestBroker.deleteTree(dir);
        }
    }
}
