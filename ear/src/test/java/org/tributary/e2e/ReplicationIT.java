package org.tributary.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.tributary.testkit.LocalCluster;

/**
 * Kafka's replication contract on three real Payara Micro nodes, replication factor 3 and
 * min.insync.replicas 2: an idempotent acks=all producer writes without pause while nodes —
 * sometimes a partition leader, sometimes the controller — are killed with kill -9 and started
 * again; afterwards every acknowledged record is read exactly once, at the offset it was
 * acknowledged with, in order per partition. A leader suspended (SIGSTOP) past its session comes
 * back as a follower with nothing lost or forked; a rolling restart (SIGTERM) under load gives
 * the producer no error at all; every node killed at once and started: still every record. Last,
 * with one node killed, acks=all to a topic with min.insync.replicas 3 is refused
 * NOT_ENOUGH_REPLICAS at once while acks=1 writes; with two killed (no quorum, so no ISR can
 * shrink) acks=all is never acknowledged and fails retriably within the delivery timeout; with one
 * of them back, acks=all is acknowledged again.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReplicationIT {
    private static final String TOPIC = "replicated";
    private static final int PARTITIONS = 3;
    private static final int ROUNDS = Integer.getInteger("tributary.it.replication.rounds", 10);

    @TempDir
    static Path data;
    /** A failed test keeps the nodes' logs under target/replication-it-logs. */
    @org.junit.jupiter.api.extension.RegisterExtension
    static final org.junit.jupiter.api.extension.TestWatcher KEEP_LOGS = new org.junit.jupiter.api.extension.TestWatcher() {
        @Override
        public void testFailed(org.junit.jupiter.api.extension.ExtensionContext context, Throwable cause) {
            System.out.println("ReplicationIT: " + context.getDisplayName() + " failed; " + keepLogs());
        }
    };
    static LocalCluster cluster;
    /** Acknowledged records: partition -> offset -> value. */
    static final Map<Integer, ConcurrentSkipListMap<Long, String>> ACKED = new ConcurrentHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        cluster = LocalCluster.start(data, 3);
        try (Admin a = admin(0, 1, 2)) {
            a.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 3).configs(Map.of("min.insync.replicas", "2"))))
                    .all().get(60, TimeUnit.SECONDS);
        }
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static Admin admin(int... nodes) {
        return KafkaClients.admin(cluster, nodes);
    }

    private static String bootstrap(int... nodes) {
        return KafkaClients.bootstrap(cluster, nodes);
    }

    private static TopicDescription describe() throws Exception {
        try (Admin a = admin(0, 1, 2)) {
            return a.describeTopics(List.of(TOPIC)).allTopicNames().get(60, TimeUnit.SECONDS).get(TOPIC);
        }
    }

    /**
     * Every replica in sync as EVERY node sees it, all naming the same leader and leader epoch: each
     * node is asked for its own Metadata over the Kafka protocol (a Kafka client would ask whichever
     * node it likes). A node that was suspended answers from its old metadata until it has caught
     * up, so one node's view is not enough. (Not the admin REST API: an HTTP request to a healthy
     * node has been seen to take over 10 s while another node was stopped.)
     */
    private static boolean fullyInSync() {
        String first = null;
        for (int node = 0; node < 3; node++) {
            String view = metadataView(node);
            if (view == null || !view.lines().allMatch(l -> l.endsWith(" isr [0, 1, 2]"))) {
                return false; // the three replicas are nodes 0, 1 and 2: each partition's ISR must be all of them
            }
            if (first != null && !first.equals(view)) {
                return false;
            }
            first = view;
        }
        return true;
    }

    /**
     * This node's own Metadata answer for the topic: a line per partition, "p leader L epoch E isr
     * [..]" with the ISR sorted; null when the node does not answer within 10 s or lacks a partition.
     */
    private static String metadataView(int node) {
        try {
            org.apache.kafka.common.requests.MetadataResponse m = (org.apache.kafka.common.requests.MetadataResponse) RawKafka.send(
                    cluster.kafkaPort(node), new org.apache.kafka.common.requests.MetadataRequest.Builder(List.of(TOPIC), false),
                    Duration.ofSeconds(10));
            StringBuilder b = new StringBuilder();
            for (org.apache.kafka.common.message.MetadataResponseData.MetadataResponseTopic t : m.data().topics()) {
                if (!t.name().equals(TOPIC) || t.errorCode() != 0 || t.partitions().size() != PARTITIONS) {
                    return null;
                }
                t.partitions().stream().sorted(java.util.Comparator.comparingInt(p -> p.partitionIndex())).forEach(p -> b
                        .append(p.partitionIndex()).append(" leader ").append(p.leaderId()).append(" epoch ").append(p.leaderEpoch())
                        .append(" isr ").append(p.isrNodes().stream().sorted().toList()).append('\n'));
            }
            return b.length() == 0 ? null : b.toString();
        } catch (java.io.IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Waits for {@link #fullyInSync}; on a timeout the failure names each node's last view of every
     * partition, so a run that fails elsewhere says which replica was missing where.
     */
    private static void awaitFullyInSync(Duration timeout, String what) {
        try {
            LocalCluster.await(timeout, what, ReplicationIT::fullyInSync);
        } catch (AssertionError e) {
            StringBuilder views = new StringBuilder(e.getMessage());
            for (int node = 0; node < 3; node++) {
                views.append("\n  node ").append(node).append("'s Metadata: ").append(String.valueOf(metadataView(node)).replace('\n', ';'));
            }
            for (int node = 0; node < 3; node++) {
                for (int p = 0; p < PARTITIONS; p++) {
                    String view;
                    try {
                        view = partitionView(node, p).replaceAll("\\s+", " ");
                    } catch (RuntimeException unreachable) {
                        view = "no answer: " + unreachable.getMessage();
                    }
                    views.append("\n  node ").append(node).append(" partition ").append(p).append(": ").append(view);
                }
            }
            for (int node = 0; node < 3; node++) {
                String lines;
                try { // the follower side, which the partition view (log figures of led partitions only) does not show
                    lines = cluster.get(node, "/metrics").lines().filter(l -> !l.startsWith("#"))
                            .filter(l -> l.toLowerCase(java.util.Locale.ROOT).matches(".*(maxlag|isrshrinks|isrexpands|underreplicated).*"))
                            .reduce((a, b) -> a + "; " + b).orElse("none of its replication metrics");
                } catch (RuntimeException unreachable) {
                    lines = "no answer: " + unreachable.getMessage();
                }
                views.append("\n  node ").append(node).append(" replication metrics: ").append(lines);
            }
            throw new AssertionError(views.toString(), e);
        }
    }

    /** The partition as this node sees it (leader, epoch, ISR, its own offsets), from its admin API. */
    private static String partitionView(int node, int partition) {
        return cluster.get(node, "/api/topics/" + TOPIC + "/partitions/" + partition);
    }

    /** An idempotent acks=all producer writing without pause on its own thread; acknowledged records go to {@link #ACKED}. */
    static final class Writer implements AutoCloseable {
        private final KafkaProducer<String, String> producer;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread;
        final AtomicInteger failed = new AtomicInteger();
        final Set<String> failures = ConcurrentHashMap.newKeySet();
        private static final AtomicInteger SEQ = new AtomicInteger();

        Writer() {
            Properties p = new Properties();
            p.put("bootstrap.servers", bootstrap(0, 1, 2));
            p.put("acks", "all");
            p.put("enable.idempotence", "true");
            p.put("linger.ms", "2");
            p.put("delivery.timeout.ms", "120000");
            p.put("request.timeout.ms", "15000");
            producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
            thread = new Thread(this::run, "replication-it-writer");
            thread.start();
        }

        private void run() {
            while (running.get()) {
                int seq = SEQ.getAndIncrement();
                int partition = seq % PARTITIONS;
                String value = "v" + seq;
                producer.send(new ProducerRecord<>(TOPIC, partition, null, value), (meta, error) -> {
                    if (error == null) {
                        ACKED.computeIfAbsent(meta.partition(), k -> new ConcurrentSkipListMap<>()).put(meta.offset(), value);
                    } else {
                        failed.incrementAndGet();
                        failures.add(error.getClass().getSimpleName() + ": " + error.getMessage());
                    }
                });
                if (seq % 10 == 0) { // about 2,000 records a second: enough traffic, a quick check afterwards
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
        }

        /** Waits until {@code n} more records than now are acknowledged; returns the milliseconds it took. */
        long awaitMore(int n, String what) {
            int before = ackedCount();
            long t0 = System.nanoTime();
            LocalCluster.await(Duration.ofSeconds(60), what, () -> ackedCount() >= before + n);
            return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join(30_000);
            producer.flush();
            producer.close(Duration.ofSeconds(60));
        }
    }

    @Test
    @Order(1)
    void acknowledgedRecordsSurviveKillsOfLeadersAndTheController() throws Exception {
        Random random = new Random(42);
        Writer writer = new Writer();
        try (writer) {
            for (int round = 0; round < ROUNDS; round++) {
                TopicDescription d = describe();
                int controller;
                try (Admin a = admin(0, 1, 2)) {
                    controller = a.describeMetadataQuorum().quorumInfo().get(60, TimeUnit.SECONDS).leaderId(); // the quorum leader
                }
                int leader0 = d.partitions().get(0).leader().id();
                int victim = switch (round % 3) {
                    case 0 -> leader0;
                    case 1 -> controller;
                    default -> random.nextInt(3);
                };
                int before = ackedCount();
                long t0 = System.nanoTime();
                cluster.kill(victim);
                LocalCluster.await(Duration.ofSeconds(60), "acknowledgements continue after kill -9 of node " + victim,
                        () -> ackedCount() > before + 200);
                long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                System.out.println("ReplicationIT round " + round + ": killed node " + victim + " (leader of partition 0: " + leader0
                        + ", controller: " + controller + "); 200 more acknowledgements " + ms + " ms later");
                cluster.restart(victim);
                awaitFullyInSync(Duration.ofSeconds(90), "every replica back in sync after node " + victim + " returned");
            }
        }
        System.out.println("ReplicationIT: " + ackedCount() + " acknowledged, " + writer.failed.get() + " failed " + writer.failures);
        assertTrue(ackedCount() > 1000, "the producer kept writing: " + ackedCount());
        checkEveryAcknowledgedRecordOnce();
    }

    @Test
    @Order(2)
    void aLeaderSuspendedPastItsSessionRejoinsAsAFollowerWithNothingLostOrForked() throws Exception {
        Writer writer = new Writer();
        try (writer) {
            writer.awaitMore(200, "writing");
            int leader0 = describe().partitions().get(0).leader().id();
            cluster.suspend(leader0);
            try {
                LocalCluster.await(Duration.ofSeconds(60), "partition 0 led by another node while " + leader0 + " is suspended", () -> {
                    try {
                        TopicPartitionInfo p0 = describe().partitions().get(0);
                        return p0.leader() != null && p0.leader().id() != leader0;
                    } catch (Exception e) {
                        return false;
                    }
                });
                long ms = writer.awaitMore(500, "acknowledgements through the other nodes while " + leader0 + " is suspended");
                System.out.println("ReplicationIT: 500 acknowledgements " + ms + " ms after partition 0 moved from suspended node " + leader0);
            } finally {
                cluster.resume(leader0);
            }
            awaitFullyInSync(Duration.ofSeconds(90), "the resumed node back in every ISR");
            writer.awaitMore(200, "writing after the resume");
        }
        checkEveryAcknowledgedRecordOnce();
    }

    @Test
    @Order(3)
    void aRollingRestartUnderLoadGivesTheProducerNoError() throws Exception {
        Writer writer = new Writer();
        try (writer) {
            for (int node = 0; node < 3; node++) {
                writer.awaitMore(200, "writing before node " + node + " restarts");
                assertEquals(0, cluster.stop(node).exitCode(), "SIGTERM stop of node " + node);
                writer.awaitMore(200, "writing while node " + node + " is down");
                cluster.restart(node);
                awaitFullyInSync(Duration.ofSeconds(90), "node " + node + " back in every ISR");
            }
            writer.awaitMore(200, "writing after the rolling restart");
        }
        assertEquals(0, writer.failed.get(), "no record failed during a rolling restart: " + writer.failures);
        checkEveryAcknowledgedRecordOnce();
    }

    @Test
    @Order(4)
    void acknowledgedRecordsSurviveKillOfEveryNodeAtOnce() throws Exception {
        for (int node = 0; node < 3; node++) {
            ProcessHandle.of(cluster.pid(node)).ifPresent(ProcessHandle::destroyForcibly);
        }
        for (int node = 0; node < 3; node++) {
            long pid = cluster.pid(node);
            LocalCluster.await(Duration.ofSeconds(30), "node to be gone", () -> pid <= 0 || ProcessHandle.of(pid).isEmpty());
        }
        long t0 = System.nanoTime();
        LocalCluster.Result started = cluster.launcher(List.of("cluster", "3"));
        assertEquals(0, started.exitCode(), started.output());
        long launched = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        awaitFullyInSync(Duration.ofSeconds(120), "every partition led and fully in sync after every node was killed");
        System.out.println("ReplicationIT: every node killed at once: the launcher had the cluster up after " + launched
                + " ms, every partition led and fully in sync after " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) + " ms");
        checkEveryAcknowledgedRecordOnce();
    }

    @Test
    @Order(5)
    void withOneNodeDownMinInsyncReplicasIsMetOrRefusedAndWithTwoDownAcksAllTimesOutRetriably() throws Exception {
        String strict = "strict";
        String quorumless = "quorumless";
        try (Admin a = admin(0, 1, 2)) {
            a.createTopics(List.of(new NewTopic(strict, 1, (short) 3).configs(Map.of("min.insync.replicas", "3")),
                    new NewTopic(quorumless, 1, (short) 3).configs(Map.of("min.insync.replicas", "2")))).all().get(60, TimeUnit.SECONDS);
        }
        LocalCluster.await(Duration.ofSeconds(60), "both new topics fully in sync",
                () -> isr(strict, 0, 1, 2).size() == 3 && isr(quorumless, 0, 1, 2).size() == 3);
        try (KafkaProducer<String, String> p = quickProducer(bootstrap(0, 1, 2), "all")) {
            p.send(new ProducerRecord<>(strict, "every replica in sync")).get(30, TimeUnit.SECONDS);
        }
        int survivor = leader(quorumless);
        int first = (survivor + 1) % 3;
        int second = (survivor + 2) % 3;
        cluster.kill(first);
        LocalCluster.await(Duration.ofSeconds(60), "killed node " + first + " leaves the ISRs",
                () -> isr(strict, survivor, second).size() == 2 && isr(quorumless, survivor, second).size() == 2);
        try (KafkaProducer<String, String> p = quickProducer(bootstrap(survivor, second), "all")) {
            long t0 = System.nanoTime();
            java.util.concurrent.ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(
                    java.util.concurrent.ExecutionException.class, () -> p.send(new ProducerRecord<>(strict, "refused")).get(30, TimeUnit.SECONDS));
            org.junit.jupiter.api.Assertions.assertInstanceOf(org.apache.kafka.common.errors.NotEnoughReplicasException.class, e.getCause(),
                    "acks=all with 2 in sync of min.insync.replicas=3: " + e.getCause());
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(ms < 5_000, "refused at once, not after a timeout: " + ms + " ms");
            System.out.println("ReplicationIT: node " + first + " down: acks=all to min.insync.replicas=3 refused NOT_ENOUGH_REPLICAS in " + ms + " ms");
        }
        try (KafkaProducer<String, String> p = quickProducer(bootstrap(survivor, second), "1")) {
            p.send(new ProducerRecord<>(strict, "acks=1 still writes")).get(30, TimeUnit.SECONDS);
        }

        cluster.kill(second); // no quorum left: the ISR cannot shrink, so acks=all waits for a replica that is gone
        Properties timing = new Properties();
        timing.put("delivery.timeout.ms", "15000");
        timing.put("request.timeout.ms", "10000");
        timing.put("enable.idempotence", "true");
        KafkaProducer<String, String> waiting = producer(bootstrap(survivor), "all", timing);
        try {
            long t0 = System.nanoTime();
            java.util.concurrent.ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(
                    java.util.concurrent.ExecutionException.class,
                    () -> waiting.send(new ProducerRecord<>(quorumless, "not acknowledged")).get(60, TimeUnit.SECONDS));
            org.junit.jupiter.api.Assertions.assertInstanceOf(org.apache.kafka.common.errors.RetriableException.class, e.getCause(),
                    "acks=all with 2 of 3 nodes down: " + e.getCause());
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(ms < 30_000, "failed within the delivery timeout, no hang: " + ms + " ms");
            System.out.println("ReplicationIT: nodes " + first + " and " + second + " down: acks=all failed " + e.getCause().getClass().getSimpleName()
                    + " after " + ms + " ms, not acknowledged");
        } finally {
            waiting.close(Duration.ofSeconds(10)); // bounded: it may still wait for the nodes that are gone
        }
        cluster.restart(second);
        try (KafkaProducer<String, String> p = producer(bootstrap(survivor, second), "all", timing)) {
            long t0 = System.nanoTime();
            p.send(new ProducerRecord<>(quorumless, "after node " + second + " returned")).get(60, TimeUnit.SECONDS);
            System.out.println("ReplicationIT: node " + second + " back: acks=all acknowledged again, "
                    + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) + " ms after its restart");
        }
    }

    /** The ISR of partition 0 of {@code topic}, as the given (live) nodes describe it; empty when they do not answer. */
    private static Set<Integer> isr(String topic, int... nodes) {
        try (Admin a = admin(nodes)) {
            TopicPartitionInfo p = a.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic).partitions().get(0);
            return p.isr().stream().map(org.apache.kafka.common.Node::id).collect(java.util.stream.Collectors.toSet());
        } catch (Exception e) {
            return Set.of();
        }
    }

    private static int leader(String topic) throws Exception {
        try (Admin a = admin(0, 1, 2)) {
            return a.describeTopics(List.of(topic)).allTopicNames().get(60, TimeUnit.SECONDS).get(topic).partitions().get(0).leader().id();
        }
    }

    /** No retries: an error comes back as the broker answered it. */
    private static KafkaProducer<String, String> quickProducer(String bootstrap, String acks) {
        Properties p = new Properties();
        p.put("retries", "0");
        p.put("enable.idempotence", "false");
        p.put("delivery.timeout.ms", "10000");
        p.put("request.timeout.ms", "8000");
        return producer(bootstrap, acks, p);
    }

    private static KafkaProducer<String, String> producer(String bootstrap, String acks, Properties extra) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("acks", acks);
        p.putAll(extra);
        return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    private static int ackedCount() {
        return ACKED.values().stream().mapToInt(Map::size).sum();
    }

    /** Reads every partition from the start to its end: each acknowledged value at its offset, no value twice. */
    private static void checkEveryAcknowledgedRecordOnce() throws Exception {
        Map<Integer, TreeMap<Long, String>> read = new HashMap<>();
        Map<TopicPartition, Long> ends = readAll(read);
        Set<String> seen = new HashSet<>();
        for (TreeMap<Long, String> part : read.values()) {
            for (String v : part.values()) {
                assertTrue(seen.add(v), "value " + v + " is in the log twice (a retry was written again)");
            }
        }
        int checked = 0;
        for (Map.Entry<Integer, ConcurrentSkipListMap<Long, String>> e : ACKED.entrySet()) {
            TreeMap<Long, String> part = read.getOrDefault(e.getKey(), new TreeMap<>());
            for (Map.Entry<Long, String> a : e.getValue().entrySet()) {
                if (!a.getValue().equals(part.get(a.getKey()))) {
                    String why = diagnose(e.getKey(), a.getKey(), part, ends);
                    assertEquals(a.getValue(), part.get(a.getKey()), "partition " + e.getKey() + " offset " + a.getKey()
                            + " was acknowledged with this value; " + why);
                }
                checked++;
            }
            long previous = -1;
            for (String v : part.values()) { // one producer, one partition: values in send order
                long n = Long.parseLong(v.substring(1));
                assertTrue(n > previous, "partition " + e.getKey() + " holds " + v + " after v" + previous);
                previous = n;
            }
        }
        assertEquals(ackedCount(), checked);
    }

    /** Reads every partition from its start to the end offsets it asks for first; returns those end offsets. */
    private static Map<TopicPartition, Long> readAll(Map<Integer, TreeMap<Long, String>> read) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap(0, 1, 2));
        p.put("enable.auto.commit", "false");
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> tps = new ArrayList<>();
            for (int i = 0; i < PARTITIONS; i++) {
                tps.add(new TopicPartition(TOPIC, i));
            }
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            Map<TopicPartition, Long> ends = consumer.endOffsets(tps, Duration.ofSeconds(60));
            long deadline = System.currentTimeMillis() + 120_000;
            while (System.currentTimeMillis() < deadline && tps.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    read.computeIfAbsent(r.partition(), k -> new TreeMap<>()).put(r.offset(), r.value());
                }
            }
            return ends;
        }
    }

    /**
     * What a missing acknowledged record means: a read that ended early (the end offset the reader
     * was given) or a hole in the log; read again after a pause to tell a stale answer from a loss.
     * The nodes' logs are kept under target/replication-it-logs.
     */
    private static String diagnose(int partition, long offset, TreeMap<Long, String> part, Map<TopicPartition, Long> ends) {
        StringBuilder b = new StringBuilder();
        b.append("the reader was given end offset ").append(ends.get(new TopicPartition(TOPIC, partition)))
                .append(", read ").append(part.size()).append(" records");
        if (!part.isEmpty()) {
            b.append(" (").append(part.firstKey()).append("..").append(part.lastKey()).append(")");
        }
        b.append(", records above the missing offset: ").append(part.tailMap(offset, false).size());
        for (int node = 0; node < 3; node++) {
            try {
                b.append("; node ").append(node).append(" sees ").append(partitionView(node, partition));
            } catch (RuntimeException ex) {
                b.append("; node ").append(node).append(" did not answer: ").append(ex.getMessage());
            }
        }
        try {
            Thread.sleep(5_000);
            Map<Integer, TreeMap<Long, String>> again = new HashMap<>();
            Map<TopicPartition, Long> ends2 = readAll(again);
            b.append("; read again 5 s later: end offset ").append(ends2.get(new TopicPartition(TOPIC, partition)))
                    .append(", the offset holds ").append(again.getOrDefault(partition, new TreeMap<>()).get(offset));
        } catch (Exception ex) {
            b.append("; the second read failed: ").append(ex);
        }
        b.append("; ").append(keepLogs());
        return b.toString();
    }

    /** Copies every node's log under target/replication-it-logs; says where. */
    private static String keepLogs() {
        if (cluster == null) {
            return "no cluster";
        }
        Path kept = Path.of("target", "replication-it-logs", Long.toString(System.currentTimeMillis()));
        try {
            java.nio.file.Files.createDirectories(kept);
            for (int node = 0; node < cluster.size(); node++) {
                if (java.nio.file.Files.exists(cluster.logFile(node))) {
                    java.nio.file.Files.copy(cluster.logFile(node), kept.resolve("node-" + node + ".log"));
                }
            }
            return "node logs kept in " + kept.toAbsolutePath();
        } catch (java.io.IOException ex) {
            return "node logs not kept: " + ex;
        }
    }
}
