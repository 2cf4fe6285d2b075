package org.tributary.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.QuorumInfo;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.tributary.testkit.LocalCluster;

/**
 * The broker application redeployed and undeployed inside a running Payara Micro, one node (a
 * single voter of the metadata quorum): after each of two redeployments the same broker of the same
 * cluster serves again, with its quorum, its records and its committed offsets, and none of the old
 * deployment's threads is left; an undeployment closes the Kafka port and leaves no thread of ours
 * in a process that keeps running.
 *
 * <p>How the broker is made redeployable (found by trying, Payara Micro 6.2025.10): the launcher's
 * {@code TRIBUTARY_EXPLODED=true} unpacks the WAR into the node's autodeploy directory (set with a
 * pre-boot {@code set ...das-config.autodeploy-dir=...}), where Payara's autodeploy deploys it.
 * <ul>
 * <li>Redeploy: a newer modification time on {@code tributary/.reload} (Payara's dynamic reload,
 * polled every 2 s). The file must exist before the first deployment: creating it changes the
 * directory's time, which autodeploy watches, and both then redeploy at once and collide.
 * <li>Undeploy: an empty file {@code tributary_undeployRequested} next to the directory
 * (autodeploy; Payara deletes the directory and leaves {@code tributary_undeployed}). Only works
 * for an application autodeploy deployed: an application deployed by a post-boot {@code deploy}
 * command, or by {@code --deploy}, cannot be undeployed from outside a running Micro at all (it has
 * no admin listener), and deleting the exploded directory undeploys nothing.
 * </ul>
 * Threads are sampled with {@code jcmd <pid> Thread.print} (nothing new exposed by the node); a
 * thread of ours is one named like Tributary's, Ratis's or Netty's threads, or the H2 database's
 * of this node. A leaked thread is one of ours whose Java thread id is older than the redeployment.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedeployIT {
    private static final String TOPIC = "redeploy";
    private static final String GROUP = "redeploy-readers";
    private static final int RECORDS = 1000;
    private static final long COMMITTED = 600;
    /** From the moment of the redeploy request to a node serving with a quorum leader again. */
    private static final Duration BACK_WITHIN = Duration.ofSeconds(120);
    private static final int MAX_LOG_LINES = 200;
    private static final java.util.regex.Pattern OURS = java.util.regex.Pattern.compile(
            "tributary-.*|NettyRpcService-.*|\\d+@group-.*|\\d+-impl-thread\\d+|\\d+-groupManagement|\\d+-client-thread\\d+"
            + "|client-[0-9A-F]+-.*|JvmPauseMonitor\\d+|.*[Nn]etty.*|globalEventExecutor.*|threadDeathWatcher.*|ObjectCleanerThread"
            + "|MVStore background writer .*|H2-serialization|H2-save");

    @TempDir
    static Path data;
    static LocalCluster node;
    static String clusterId;
    static int brokerId;
    static int threadsBefore;
    static final List<String> values = IntStream.range(0, RECORDS).mapToObj(i -> "record-" + i).toList();
    static final List<String> extra = new ArrayList<>();

    @BeforeAll
    static void start() {
        node = LocalCluster.startOne(data, "", Map.of("TRIBUTARY_EXPLODED", "true"));
    }

    @AfterAll
    static void stop() throws IOException {
        if (node != null) {
            node.close();
            // kept for reading after the run (the data directory goes with the test)
            Files.copy(node.logFile(0), Path.of("target", "RedeployIT-server.log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }

    @Test
    @Order(1)
    void recordsAndACommittedOffsetBeforeTheRedeploy() throws Exception {
        try (Admin a = admin()) {
            a.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get(60, TimeUnit.SECONDS);
            clusterId = a.describeCluster().clusterId().get(30, TimeUnit.SECONDS);
            brokerId = a.describeCluster().nodes().get(30, TimeUnit.SECONDS).iterator().next().id();
        }
        assertEquals(RECORDS - 1, KafkaClients.produce(bootstrap(), TOPIC, values, 0).get(RECORDS - 1).offset());
        commit(COMMITTED);
        assertEquals(COMMITTED, committed());
        threadsBefore = ours(threads()).size();
        System.out.println("RedeployIT: before any redeploy, " + threadsBefore + " threads of ours: " + names(ours(threads())));
    }

    @Test
    @Order(2)
    void redeployingTwiceBringsBackTheSameBrokerWithItsDataAndLeavesNothingBehind() throws Exception {
        for (int round = 1; round <= 2; round++) {
            List<ThreadInfo> old = ours(threads());
            long newestOld = threads().stream().mapToLong(ThreadInfo::id).max().orElseThrow();
            long logMark = Files.size(node.logFile(0));
            long t0 = System.nanoTime();
            Path reload = appDir().resolve(".reload");
            Files.setLastModifiedTime(reload, FileTime.fromMillis(System.currentTimeMillis()));

            awaitLog(logMark, "TRIB-0003 Broker " + brokerId + " stopped", "the old deployment's broker to stop");
            long stoppedMs = ms(t0);
            LocalCluster.await(BACK_WITHIN, "the Kafka port to answer again", () -> portOpen());
            long portMs = ms(t0);
            int leader;
            try (Admin a = admin()) {
                leader = awaitQuorumLeader(a, t0);
                long readyMs = ms(t0);
                assertEquals(clusterId, a.describeCluster().clusterId().get(30, TimeUnit.SECONDS), "the same cluster");
                assertEquals(List.of(brokerId), a.describeCluster().nodes().get(30, TimeUnit.SECONDS).stream()
                        .map(org.apache.kafka.common.Node::id).toList(), "the same broker");
                System.out.printf("RedeployIT: redeploy %d: old broker stopped after %d ms, Kafka port open after %d ms,"
                        + " quorum leader %d after %d ms%n", round, stoppedMs, portMs, leader, readyMs);
            }
            assertEquals(brokerId, leader, "the single voter leads its quorum again (its storage lock was released)");
            awaitLog(logMark, "tributary was successfully deployed", "the redeployment to finish");

            List<String> all = new ArrayList<>(values);
            all.addAll(extra);
            assertEquals(all, KafkaClients.readAll(bootstrap(), TOPIC, all.size()), "every acknowledged record is still there");
            assertEquals(COMMITTED, committed(), "the committed offset is still there");
            String next = "after-redeploy-" + round;
            assertEquals(all.size(), KafkaClients.produce(bootstrap(), TOPIC, List.of(next), 0).get(0).offset(),
                    "a new produce after the redeploy");
            extra.add(next);

            List<ThreadInfo> now = ours(threads());
            List<ThreadInfo> leaked = now.stream().filter(t -> t.id() <= newestOld).toList();
            System.out.println("RedeployIT: redeploy " + round + ": threads of ours " + old.size() + " before, " + now.size()
                    + " after: " + names(now));
            assertEquals(List.of(), leaked, "threads of the old deployment still running");
            assertTrue(now.size() <= threadsBefore + 4, "threads of ours grow with redeploys: " + threadsBefore
                    + " before the first, " + now.size() + " after redeploy " + round + ": " + names(now));

            List<String> log = logSince(logMark);
            System.out.println("RedeployIT: redeploy " + round + ": " + log.size() + " log lines, "
                    + log.stream().filter(l -> l.contains("[SEVERE]")).count() + " SEVERE, " + stackTraces(log).size() + " stack traces");
            assertTrue(log.size() < MAX_LOG_LINES, "log lines written during redeploy " + round + ": " + log.size());
            assertEquals(List.of(), log.stream().filter(l -> l.contains("[SEVERE]")).toList(), "SEVERE records during the redeploy");
            assertEquals(List.of(), stackTraces(log), "stack traces during the redeploy");
        }
    }

    @Test
    @Order(3)
    void undeployingClosesTheKafkaPortAndLeavesNoThreadOfOursInAHealthyProcess() throws Exception {
        long pid = node.pid(0);
        long logMark = Files.size(node.logFile(0));
        long t0 = System.nanoTime();
        Files.createFile(appDir().resolveSibling("tributary_undeployRequested"));
        LocalCluster.await(Duration.ofSeconds(60), "the Kafka port to close", () -> !portOpen());
        long closedMs = ms(t0);
        LocalCluster.await(Duration.ofSeconds(60), "the undeployment to finish",
                () -> Files.exists(appDir().resolveSibling("tributary_undeployed")));
        long undeployedMs = ms(t0);
        LocalCluster.await(Duration.ofSeconds(10), "no thread of ours", () -> ours(threads()).isEmpty());
        System.out.printf("RedeployIT: undeploy: Kafka port closed after %d ms, undeployed after %d ms, threads of ours: %s%n",
                closedMs, undeployedMs, names(ours(threads())));
        assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "the server process keeps running");
        assertTrue(node.getResponse(0, "/health/live").statusCode() / 100 == 2, "the server still answers HTTP");
        List<String> log = logSince(logMark);
        System.out.println("RedeployIT: undeploy: " + log.size() + " log lines");
        assertTrue(log.size() < MAX_LOG_LINES, "log lines written during the undeploy: " + log.size());
        assertEquals(List.of(), log.stream().filter(l -> l.contains("[SEVERE]")).toList(), "SEVERE records during the undeploy");
        assertEquals(List.of(), stackTraces(log), "stack traces during the undeploy");
    }

    // ---- helpers ----

    private static Path appDir() {
        return node.dataDir(0).resolve("autodeploy/tributary");
    }

    private static String bootstrap() {
        return "127.0.0.1:" + node.kafkaPort(0);
    }

    private static Admin admin() {
        return KafkaClients.admin(node, 0);
    }

    private static long ms(long t0) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    }

    private static boolean portOpen() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", node.kafkaPort(0)), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int awaitQuorumLeader(Admin a, long t0) {
        int[] leader = {-1};
        Duration left = BACK_WITHIN.minusNanos(System.nanoTime() - t0);
        LocalCluster.await(left.isNegative() ? Duration.ZERO : left, "DescribeQuorum to answer with a leader", () -> {
            try {
                QuorumInfo q = a.describeMetadataQuorum().quorumInfo().get(10, TimeUnit.SECONDS);
                leader[0] = q.leaderId();
                return q.leaderId() >= 0;
            } catch (Exception e) {
                return false;
            }
        });
        return leader[0];
    }

    private static void commit(long offset) {
        try (KafkaConsumer<String, String> c = consumer()) {
            c.commitSync(Map.of(new TopicPartition(TOPIC, 0), new OffsetAndMetadata(offset)), Duration.ofSeconds(60));
        }
    }

    private static long committed() throws Exception {
        try (Admin a = admin()) {
            return a.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata().get(60, TimeUnit.SECONDS)
                    .get(new TopicPartition(TOPIC, 0)).offset();
        }
    }

    private static KafkaConsumer<String, String> consumer() {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap());
        p.put("group.id", GROUP);
        p.put("enable.auto.commit", "false");
        return new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
    }

    /** A thread of the node's JVM: name and Java thread id (ids only grow). */
    record ThreadInfo(String name, long id) {
    }

    /** The node's live threads, through {@code jcmd <pid> Thread.print}. */
    private static List<ThreadInfo> threads() {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        try {
            Process p = new ProcessBuilder(jcmd.toString(), Long.toString(node.pid(0)), "Thread.print").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("jcmd failed: " + out);
            }
            java.util.regex.Pattern header = java.util.regex.Pattern.compile("^\"(.*)\" #(\\d+) ", java.util.regex.Pattern.MULTILINE);
            java.util.regex.Matcher m = header.matcher(out);
            List<ThreadInfo> all = new ArrayList<>();
            while (m.find()) {
                all.add(new ThreadInfo(m.group(1), Long.parseLong(m.group(2))));
            }
            if (all.isEmpty()) {
                throw new IllegalStateException("no threads in jcmd output: " + out);
            }
            return all;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static List<ThreadInfo> ours(List<ThreadInfo> all) {
        return all.stream().filter(t -> OURS.matcher(t.name()).matches()).toList();
    }

    private static String names(List<ThreadInfo> ts) {
        return ts.stream().map(t -> t.name() + "#" + t.id()).sorted().toList().toString();
    }

    private static void awaitLog(long from, String text, String what) {
        LocalCluster.await(BACK_WITHIN, what, () -> logSince(from).stream().anyMatch(l -> l.contains(text)));
    }

    private static List<String> logSince(long byteOffset) {
        try (var ch = Files.newByteChannel(node.logFile(0))) {
            ch.position(byteOffset);
            String s = new String(java.nio.channels.Channels.newInputStream(ch).readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            return s.lines().filter(l -> !l.isBlank()).toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The first line of every stack trace (the line before a run of "at ..." frames). */
    private static List<String> stackTraces(List<String> log) {
        List<String> out = new ArrayList<>();
        for (int i = 1; i < log.size(); i++) {
            if (log.get(i).startsWith("\tat ") && !log.get(i - 1).startsWith("\tat ") && !log.get(i - 1).startsWith("Caused by")) {
                out.add(log.get(i - 1).trim());
            }
        }
        return out;
    }
}
