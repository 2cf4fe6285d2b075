package org.tributary.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.DescribeMetadataQuorumOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.QuorumInfo;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopic;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopicCollection;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicResult;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseTopic;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.CreateTopicsRequest;
import org.apache.kafka.common.requests.CreateTopicsResponse;
import org.apache.kafka.common.requests.DescribeConfigsRequest;
import org.apache.kafka.common.requests.DescribeConfigsResponse;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.MetadataResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.tributary.testkit.LocalCluster;

/**
 * Three real Payara Micro nodes are one cluster with one metadata truth (the metadata quorum):
 * a topic created through one node is the same on every node (Kafka clients and kcat), the
 * controller's loss costs seconds, and the metadata survives a full stop with SIGTERM and with
 * kill -9 of every node at once. A suspended (SIGSTOP) controller is replaced within seconds and
 * comes back as a follower that catches up; a node cut off from the majority refuses admin writes
 * with Kafka's retriable REQUEST_TIMED_OUT, in bounded time, and still answers reads. Kafka's own
 * {@code kafka-metadata-quorum} and {@code kafka-configs} work against the cluster, and a fourth
 * node joins the running cluster as a broker that follows the quorum as an observer. Node i has
 * broker id i (the launcher's default). The tests share one cluster and run in order.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MetadataQuorumIT {
    /** The launcher's hazelcast.max.no.heartbeat.seconds (server-config/hazelcast/local-cluster.xml). */
    private static final long GRID_HEARTBEAT_TIMEOUT_MS = 8_000;

    @TempDir
    static Path data;
    static LocalCluster cluster;

    @BeforeAll
    static void start() {
        cluster = LocalCluster.start(data, 3);
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

    private static String kcatList(int node) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("kcat", "-b", "127.0.0.1:" + cluster.kafkaPort(node), "-L", "-m", "10")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "kcat finished");
        return out;
    }

    @Test
    @Order(1)
    void aTopicCreatedThroughOneNodeIsTheSameOnEveryNode() throws Exception {
        try (Admin a = admin(0)) {
            a.createTopics(List.of(new NewTopic("orders", 6, (short) 3))).all().get(60, TimeUnit.SECONDS);
        }
        awaitTopicOnEveryNode("orders", 6, 3); // the other brokers learn of it after the answer, as Kafka's do
        String listing = kcatList(2);
        assertTrue(listing.contains("3 brokers:"), listing);
        assertTrue(listing.contains("topic \"orders\" with 6 partitions"), listing);
        for (int node = 0; node < 3; node++) {
            try (Admin a = admin(node)) {
                TopicDescription d = a.describeTopics(List.of("orders")).allTopicNames().get(30, TimeUnit.SECONDS).get("orders");
                assertEquals(6, d.partitions().size());
                assertEquals(Set.of(0, 1, 2), d.partitions().stream().map(p -> p.leader().id()).collect(Collectors.toSet()),
                        "leaders spread over the three brokers, as seen through node " + node);
                QuorumInfo q = a.describeMetadataQuorum().quorumInfo().get(30, TimeUnit.SECONDS);
                assertEquals(Set.of(0, 1, 2), q.voters().stream().map(QuorumInfo.ReplicaState::replicaId).collect(Collectors.toSet()));
                assertEquals(q.leaderId(), controllerSeenBy(node), "node " + node + " names the quorum leader as the active controller");
                // Kafka clients are sent to the answering broker, which forwards (as Kafka's KRaft brokers name an alive broker)
                assertEquals(node, controllerInMetadataOf(node), "node " + node + "'s Metadata names itself as the controller");
            }
        }
        KafkaClients.produce("127.0.0.1:" + cluster.kafkaPort(1), "orders", List.of("a", "b", "c"), 0);
    }

    @Test
    @Order(2)
    void killingTheControllerCostsSecondsAndLosesNothingCommitted() throws Exception {
        int controller;
        try (Admin a = admin(0, 1, 2)) {
            controller = a.describeMetadataQuorum().quorumInfo().get(30, TimeUnit.SECONDS).leaderId();
        }
        long t0 = System.nanoTime();
        cluster.kill(controller);
        int survivor = controller == 0 ? 1 : 0;
        try (Admin a = admin(survivor)) {
            a.createTopics(List.of(new NewTopic("after-kill", 3, (short) 2))).all().get(60, TimeUnit.SECONDS);
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            System.out.println("MetadataQuorumIT: CreateTopics succeeded " + ms + " ms after kill -9 of the controller");
            assertTrue(ms < 30_000, "a new controller within seconds, took " + ms + " ms");
            assertTrue(a.listTopics().names().get().contains("orders"), "nothing committed is lost");
        }
        cluster.restart(controller);
        try (Admin a = admin(controller)) {
            assertTrue(a.listTopics().names().get(30, TimeUnit.SECONDS).containsAll(Set.of("orders", "after-kill")),
                    "the restarted node catches up with what was committed while it was down");
        }
    }

    @Test
    @Order(3)
    void metadataSurvivesAFullStopWithSigtermAndWithKillOfEveryNode() throws Exception {
        try (Admin a = admin(0, 1, 2)) {
            a.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, "after-kill"), List.of(
                    new AlterConfigOp(new ConfigEntry("max.message.bytes", "200000"), AlterConfigOp.OpType.SET))))
                    .all().get(60, TimeUnit.SECONDS);
            a.alterConsumerGroupOffsets(RESTART_GROUP, COMMITTED).all().get(60, TimeUnit.SECONDS);
        }
        assertEquals(0, cluster.launcher(List.of("stop")).exitCode());
        assertEquals(0, cluster.launcher(List.of("cluster", "3")).exitCode());
        checkEverythingIsBack();
        for (int node = 0; node < 3; node++) {
            ProcessHandle.of(cluster.pid(node)).ifPresent(ProcessHandle::destroyForcibly);
        }
        for (int node = 0; node < 3; node++) {
            long pid = cluster.pid(node);
            LocalCluster.await(Duration.ofSeconds(30), "node to be gone", () -> pid <= 0 || ProcessHandle.of(pid).isEmpty());
        }
        assertEquals(0, cluster.launcher(List.of("cluster", "3")).exitCode());
        checkEverythingIsBack();
    }

    @Test
    @Order(4)
    void aSuspendedControllerIsReplacedAndComesBackAsAFollowerThatCaughtUp() throws Exception {
        QuorumInfo before = awaitQuorum();
        int old = before.leaderId();
        int[] others = IntStream.range(0, 3).filter(n -> n != old).toArray();
        long newControllerMs;
        long createdMs;
        long alteredMs;
        int createAttempts;
        int alterAttempts;
        String inFlightOutcome;
        // a write sent to the controller just before it freezes: it may or may not happen, but all nodes must agree
        long[] logFrom = new long[3];
        for (int n = 0; n < 3; n++) {
            logFrom[n] = Files.size(cluster.logFile(n));
        }
        Admin inFlightAdmin = admin(old);
        try {
            inFlightAdmin.describeCluster().nodes().get(30, TimeUnit.SECONDS); // connected, so the write leaves at once
            KafkaFuture<Void> inFlight = inFlightAdmin.createTopics(List.of(new NewTopic("in-flight", 2, (short) 3))).all();
            cluster.suspend(old);
            long t0 = System.nanoTime();
            try {
                LocalCluster.await(Duration.ofSeconds(30), "the other nodes to reach the same new controller while " + old
                        + " is suspended", () -> {
                            int c = leaderReachedThrough(others[0]);
                            return c >= 0 && c != old && c == leaderReachedThrough(others[1]);
                        });
                newControllerMs = msSince(t0);
                try (Admin a = admin(others[0])) {
                    createAttempts = retried("CreateTopics through node " + others[0], attempt -> {
                        try {
                            a.createTopics(List.of(new NewTopic("during-suspend", 3, (short) 2))).all().get(30, TimeUnit.SECONDS);
                        } catch (ExecutionException e) {
                            // a retry of a create that did happen the first time
                            if (!(attempt > 1 && e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException)) {
                                throw e;
                            }
                        }
                    });
                    createdMs = msSince(t0);
                }
                try (Admin a = admin(others[1])) {
                    alterAttempts = retried("IncrementalAlterConfigs through node " + others[1], attempt -> a.incrementalAlterConfigs(Map.of(
                            new ConfigResource(ConfigResource.Type.TOPIC, "orders"), List.of(new AlterConfigOp(
                                    new ConfigEntry("retention.ms", "3600000"), AlterConfigOp.OpType.SET)))).all().get(30, TimeUnit.SECONDS));
                    alteredMs = msSince(t0);
                }
                // stay suspended past the grid's heartbeat timeout (8 s in the launcher's grid settings):
                // the others' grid drops the member, the resumed node at first sees them gone, and the
                // grid merges again after it resumes; a pause like a long stop-the-world collection
                long pastGridTimeout = GRID_HEARTBEAT_TIMEOUT_MS + 4_000 - msSince(t0);
                if (pastGridTimeout > 0) {
                    Thread.sleep(pastGridTimeout);
                }
            } finally {
                cluster.resume(old);
            }
            inFlightOutcome = outcome(inFlight);
        } finally {
            inFlightAdmin.close(Duration.ofSeconds(5));
        }
        System.out.println("MetadataQuorumIT: controller " + old + " suspended; new controller named by the others after "
                + newControllerMs + " ms, CreateTopics done after " + createdMs + " ms (" + createAttempts + " attempt(s)), config"
                + " altered after " + alteredMs + " ms (" + alterAttempts + " attempt(s)); the write sent just before SIGSTOP: "
                + inFlightOutcome);
        assertTrue(newControllerMs < 15_000, "a new controller within seconds, took " + newControllerMs + " ms");


        LocalCluster.await(Duration.ofSeconds(60), "every node, the resumed one too, to name the same controller", () -> {
            int c = controllerSeenBy(0);
            return c >= 0 && c == controllerSeenBy(1) && c == controllerSeenBy(2);
        });
        QuorumInfo after = awaitQuorum();
        assertEquals(controllerSeenBy(old), after.leaderId(), "the resumed node names the quorum leader");
        // Kafka's invariant for its ActiveControllerCount gauge: summed over the cluster it is 1, on the active controller;
        // the resumed old leader must not go on reporting itself
        int[] counts = new int[3];
        LocalCluster.await(Duration.ofSeconds(60), () -> "exactly one node, the controller, to report ActiveControllerCount 1;"
                + " at the deadline " + stateOfControllers(counts) + "\n" + tributaryLogTails(40), () -> {
            for (int n = 0; n < 3; n++) {
                counts[n] = activeControllerCount(n);
            }
            int controller = controllerSeenBy(0);
            return IntStream.of(counts).allMatch(c -> c == 0 || c == 1) && IntStream.of(counts).sum() == 1 && controller >= 0
                    && controller < 3 && counts[controller] == 1;
        });
        System.out.println("MetadataQuorumIT: ActiveControllerCount per node " + java.util.Arrays.toString(counts));
        assertTrue(after.leaderEpoch() > before.leaderEpoch(), "the old leader's epoch " + before.leaderEpoch()
                + " ended: an election happened (now epoch " + after.leaderEpoch() + ", leader " + after.leaderId() + ")");
        awaitSameMetadataEverywhere();
        String view = metadataView(old);
        assertTrue(view.contains("\nduring-suspend "), "the resumed node has the topic created while it was suspended:\n" + view);
        assertTrue(view.contains("\norders retention.ms=3600000\n"),
                "the resumed node has the config change made while it was suspended:\n" + view);
        assertEquals(3, partitionsOf(view, "during-suspend"), view);
        // how the grid took the pause (TRIB-0012: a member left; TRIB-0011: joined; TRIB-0013: registered again after a merge)
        boolean dropped = false;
        for (int n : others) {
            dropped |= readFrom(cluster.logFile(n), logFrom[n]).contains("TRIB-0012");
        }
        if (dropped) {
            LocalCluster.await(Duration.ofSeconds(60), "the resumed node " + old + ", dropped by the grid, to merge back into it",
                    () -> {
                        try {
                            return readFrom(cluster.logFile(old), logFrom[old]).contains("TRIB-0013");
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    });
        }
        for (int n = 0; n < 3; n++) {
            int node = n;
            readFrom(cluster.logFile(n), logFrom[n]).lines().filter(l -> l.contains("TRIB-001"))
                    .forEach(l -> System.out.println("MetadataQuorumIT: node " + node + " grid: " + l.replaceAll("^.*(TRIB-001)", "$1")));
        }
        // once the grid has settled, whatever it reported meanwhile, every node still names the quorum's leader
        int leader = awaitQuorum().leaderId();
        for (int n = 0; n < 3; n++) {
            assertEquals(leader, controllerSeenBy(n), "node " + n + " names the quorum leader after the grid settled");
        }
    }

    @Test
    @Order(5)
    void aNodeCutOffFromTheMajorityRefusesWritesWithARetriableTimeoutAndStillAnswersReads() throws Exception {
        int controller = awaitQuorum().leaderId();
        int lone = controller == 0 ? 1 : 0;
        int[] frozen = IntStream.range(0, 3).filter(n -> n != lone).toArray();
        long logFrom = Files.size(cluster.logFile(lone));
        Properties stock = new Properties();
        stock.put("bootstrap.servers", KafkaClients.bootstrap(cluster, lone));
        Admin stockAdmin = Admin.create(stock); // Kafka's default timeouts: request.timeout.ms 30 s
        long rawMs;
        long adminMs;
        CreatableTopicResult answer;
        Throwable adminFailure;
        String loneLog;
        try {
            for (int n : frozen) {
                cluster.suspend(n);
            }
            try {
                long t0 = System.nanoTime();
                KafkaFuture<Void> viaAdmin = stockAdmin.createTopics(List.of(new NewTopic("minority-admin", 1, (short) 1)),
                        new CreateTopicsOptions().timeoutMs(20_000)).all();
                CreateTopicsRequestData data = new CreateTopicsRequestData().setTimeoutMs(5_000)
                        .setTopics(new CreatableTopicCollection(List.of(new CreatableTopic().setName("minority-write")
                                .setNumPartitions(1).setReplicationFactor((short) 1)).iterator()));
                CreateTopicsResponse r = (CreateTopicsResponse) RawKafka.send(cluster.kafkaPort(lone),
                        new CreateTopicsRequest.Builder(data), Duration.ofSeconds(40));
                rawMs = msSince(t0);
                answer = r.data().topics().find("minority-write");
                ExecutionException e = assertThrows(ExecutionException.class, () -> viaAdmin.get(40, TimeUnit.SECONDS),
                        "a CreateTopics through the node without a majority never succeeds");
                adminMs = msSince(t0);
                adminFailure = e.getCause();
                MetadataResponse m = (MetadataResponse) RawKafka.send(cluster.kafkaPort(lone),
                        new MetadataRequest.Builder(List.of("orders"), false), Duration.ofSeconds(10));
                MetadataResponseTopic orders = m.data().topics().find("orders");
                assertEquals(Errors.NONE.code(), orders.errorCode(), "reads still answer on the minority side");
                assertEquals(6, orders.partitions().size());
                loneLog = readFrom(cluster.logFile(lone), logFrom).lines().filter(l -> l.contains("[org.tributary"))
                        .map(l -> l.replaceFirst("^\\[([^\\]]*)\\].*\\[levelValue: \\d+\\] ", "$1 ")).collect(Collectors.joining("\n"));
            } finally {
                for (int n : frozen) {
                    cluster.resume(n);
                }
            }
        } finally {
            stockAdmin.close(Duration.ofSeconds(5));
        }
        System.out.println("MetadataQuorumIT: node " + lone + " alone answered CreateTopics after " + rawMs + " ms with "
                + Errors.forCode(answer.errorCode()) + " (" + answer.errorMessage() + "); a stock Admin client failed after "
                + adminMs + " ms with " + adminFailure + "; the node logged meanwhile:\n" + loneLog);
        assertEquals(Errors.REQUEST_TIMED_OUT, Errors.forCode(answer.errorCode()), answer.errorMessage());
        assertTrue(rawMs < 20_000, "answered within its timeout, took " + rawMs + " ms");
        assertInstanceOf(org.apache.kafka.common.errors.TimeoutException.class, adminFailure);
        assertInstanceOf(RetriableException.class, adminFailure);
        assertTrue(adminMs < 30_000, "the Admin client's call ended in bounded time, took " + adminMs + " ms");
        String rawLog = readFrom(cluster.logFile(lone), logFrom);
        assertFalse(rawLog.contains("\tat org.tributary"), "no stack trace from Tributary in the log of the node without a majority");

        long resumed = System.nanoTime();
        int[] attempts = {0};
        try (Admin a = admin(lone)) {
            LocalCluster.await(Duration.ofSeconds(60), "the same CreateTopics through node " + lone + " to succeed after SIGCONT", () -> {
                attempts[0]++;
                try {
                    a.createTopics(List.of(new NewTopic("minority-write", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
                    return true;
                } catch (ExecutionException e) {
                    // retriable errors while the quorum reconnects; anything else (the topic already there) fails the test
                    if (!(e.getCause() instanceof RetriableException)) {
                        throw new AssertionError("the write refused on the minority side must not have happened", e.getCause());
                    }
                    return false;
                } catch (InterruptedException | java.util.concurrent.TimeoutException e) {
                    return false;
                }
            });
        }
        System.out.println("MetadataQuorumIT: after SIGCONT the same CreateTopics succeeded after " + msSince(resumed) + " ms ("
                + attempts[0] + " attempt(s))");
        awaitSameMetadataEverywhere();
        assertTrue(metadataView(lone).contains("\nminority-write "));
    }

    @Test
    @Order(6)
    void kafkasOwnMetadataQuorumAndConfigsToolsWork() throws Exception {
        String bootstrap = KafkaClients.bootstrap(cluster, 0, 1, 2);
        QuorumInfo q0 = awaitQuorum();
        String status = KafkaCli.metadataQuorum("--bootstrap-server", bootstrap, "describe", "--status");
        QuorumInfo q1 = awaitQuorum();
        assertTrue(status.strip().endsWith("EXIT 0"), status);
        long leader = field(status, "LeaderId");
        long epoch = field(status, "LeaderEpoch");
        long hw = field(status, "HighWatermark");
        assertEquals(q1.leaderId(), leader, status);
        assertEquals(q1.leaderEpoch(), epoch, status);
        assertTrue(q0.highWatermark() <= hw && hw <= q1.highWatermark() && hw > 0, "high watermark " + hw + " between "
                + q0.highWatermark() + " and " + q1.highWatermark());
        Matcher voters = Pattern.compile("CurrentVoters:\\s*(\\[.*\\])").matcher(status);
        assertTrue(voters.find(), status);
        assertEquals(Set.of(0L, 1L, 2L), ids(voters.group(1)), status);

        List<String[]> rows = new ArrayList<>();
        LocalCluster.await(Duration.ofSeconds(30), "describe --replication to show the three voters caught up", () -> {
            rows.clear();
            rows.addAll(replicationRows(KafkaCli.metadataQuorum("--bootstrap-server", bootstrap, "describe", "--replication")));
            return rows.size() == 3 && rows.stream().allMatch(r -> r[3].equals("0"));
        });
        QuorumInfo q2 = awaitQuorum();
        assertEquals(Set.of("0", "1", "2"), rows.stream().map(r -> r[0]).collect(Collectors.toSet()));
        assertEquals(List.of(Integer.toString(q2.leaderId())), rows.stream().filter(r -> r[6].equals("Leader")).map(r -> r[0]).toList());
        assertEquals(2, rows.stream().filter(r -> r[6].equals("Follower")).count());
        for (String[] r : rows) {
            assertTrue(Long.parseLong(r[2]) > 0 && Long.parseLong(r[4]) > 0, "log end offset and last fetch of " + r[0]);
        }

        String altered = KafkaCli.configs("--bootstrap-server", KafkaClients.bootstrap(cluster, 0), "--alter",
                "--entity-type", "topics", "--entity-name", "orders", "--add-config", "retention.ms=7200000");
        assertTrue(altered.contains("Completed updating config for topic orders."), altered);
        String described = KafkaCli.configs("--bootstrap-server", KafkaClients.bootstrap(cluster, 2), "--describe",
                "--entity-type", "topics", "--entity-name", "orders");
        assertTrue(described.contains("Dynamic configs for topic orders are:"), described);
        assertTrue(described.contains("retention.ms=7200000 sensitive=false"), described);
        LocalCluster.await(Duration.ofSeconds(30), "every node to have the change",
                () -> IntStream.range(0, 3).allMatch(n -> metadataView(n).contains("retention.ms=7200000")));
    }

    @Test
    @Order(7)
    void aFourthNodeJoinsTheRunningClusterAsABrokerAndQuorumObserver() throws Exception {
        long t0 = System.nanoTime();
        int added = cluster.addNode();
        assertEquals(3, added);
        try (Admin a = admin(0, 1, 2, 3)) {
            LocalCluster.await(Duration.ofSeconds(60), "DescribeCluster to list four brokers", () -> {
                try {
                    return a.describeCluster().nodes().get(10, TimeUnit.SECONDS).stream().map(Node::id)
                            .collect(Collectors.toSet()).equals(Set.of(0, 1, 2, 3));
                } catch (Exception e) {
                    return false;
                }
            });
            System.out.println("MetadataQuorumIT: node 3 added and listed by DescribeCluster after " + msSince(t0) + " ms");
            QuorumInfo q = awaitQuorum();
            assertEquals(Set.of(0, 1, 2), q.voters().stream().map(QuorumInfo.ReplicaState::replicaId).collect(Collectors.toSet()));
            assertEquals(Set.of(3), q.observers().stream().map(QuorumInfo.ReplicaState::replicaId).collect(Collectors.toSet()));
            List<String[]> rows = replicationRows(KafkaCli.metadataQuorum("--bootstrap-server", KafkaClients.bootstrap(cluster, 3),
                    "describe", "--replication"));
            assertEquals(List.of("3"), rows.stream().filter(r -> r[6].equals("Observer")).map(r -> r[0]).toList());
            assertEquals(3, rows.stream().filter(r -> !r[6].equals("Observer")).count());

            a.createTopics(List.of(new NewTopic("four", 4, (short) 2))).all().get(60, TimeUnit.SECONDS);
            // Kafka's contract (Admin.createTopics): the brokers learn of a created topic some time after
            // the answer, and describeTopics through one that has not yet fails with UNKNOWN_TOPIC_OR_PARTITION
            awaitTopicOnEveryNode("four", 4, 4);
            TopicDescription d = a.describeTopics(List.of("four")).allTopicNames().get(30, TimeUnit.SECONDS).get("four");
            assertEquals(Set.of(0, 1, 2, 3), d.partitions().stream().map(p -> p.leader().id()).collect(Collectors.toSet()),
                    "leaders spread over the four brokers");
            int partition = d.partitions().stream().filter(p -> p.leader().id() == 3).findFirst().orElseThrow().partition();
            List<RecordMetadata> acks = KafkaClients.produce(KafkaClients.bootstrap(cluster, 0), "four", List.of("x", "y", "z"), partition);
            assertEquals(3, acks.size());
            assertEquals(List.of("x", "y", "z"), KafkaClients.readAll(KafkaClients.bootstrap(cluster, 1), "four", partition, 3));
        }
    }

    /**
     * An operator moves a partition onto the new node with the admin REST API (as the console does),
     * the move completes, and Kafka's {@code kafka-leader-election} makes the new node, now the
     * preferred replica, its leader; the records written before the move are read from it.
     */
    @Test
    @Order(8)
    void aPartitionMovesOntoTheNewNodeThroughTheAdminApiAndLeadsThereAfterAPreferredElection() throws Exception {
        long t0 = System.nanoTime();
        java.net.http.HttpResponse<String> r = cluster.send(0, "PUT", "/api/topics/orders/partitions/0/replicas", "{\"replicas\":[3,1,2]}");
        assertTrue(r.statusCode() == 202 && r.body().replaceAll("\\s", "").contains("\"adding\":[3]") || r.statusCode() == 200,
                "PUT replicas answers 202 with node 3 being added (or 200 if the move was already over): " + r.statusCode() + " "
                        + r.body());
        LocalCluster.await(Duration.ofSeconds(90), "the move of orders-0 onto node 3 to complete",
                () -> cluster.get(1, "/api/reassignments").replaceAll("\\s", "").equals("[]"));
        System.out.println("MetadataQuorumIT: orders-0 moved onto node 3 through the admin API in " + msSince(t0) + " ms");
        try (Admin a = admin(0, 1, 2, 3)) {
            TopicPartitionInfo p0 = a.describeTopics(List.of("orders")).allTopicNames().get(30, TimeUnit.SECONDS).get("orders")
                    .partitions().get(0);
            assertEquals(List.of(3, 1, 2), p0.replicas().stream().map(Node::id).toList());
            String out = KafkaCli.leaderElection("--bootstrap-server", KafkaClients.bootstrap(cluster, 0, 1), "--election-type",
                    "PREFERRED", "--topic", "orders", "--partition", "0");
            assertFalse(out.contains("EXIT 1"), out);
            LocalCluster.await(Duration.ofSeconds(60), "node 3 to lead orders-0", () -> {
                try {
                    return a.describeTopics(List.of("orders")).allTopicNames().get(10, TimeUnit.SECONDS).get("orders")
                            .partitions().get(0).leader().id() == 3;
                } catch (Exception e) {
                    return false;
                }
            });
        }
        assertEquals(List.of("a", "b", "c"), KafkaClients.readAll(KafkaClients.bootstrap(cluster, 3), "orders", 0, 3),
                "the records written before the move, read from the new leader");
        java.net.http.HttpResponse<String> none = cluster.send(2, "DELETE", "/api/topics/orders/partitions/0/reassignment", null);
        assertEquals(404, none.statusCode(), "cancelling a move that is over: " + none.body());
    }

    /** The quorum as DescribeQuorum reports it through any node, waiting (bounded) while there is no leader. */
    /**
     * KIP-853 with Kafka's own tool: {@code add-controller} makes the fourth node (an observer) a
     * voter, {@code remove-controller} makes node 0 an observer again, named by the directory id
     * that {@code describe --replication} shows; the cluster keeps working through both, and node 0
     * comes back from a restart as the observer it now is.
     */
    @Test
    @Order(9)
    void kafkasAddAndRemoveControllerChangeTheVotersOnline() throws Exception {
        String bootstrap = KafkaClients.bootstrap(cluster, 0, 1, 2);
        java.util.Properties node3 = new java.util.Properties();
        node3.setProperty("node.id", "3");
        node3.setProperty("process.roles", "broker,controller");
        node3.setProperty("log.dirs", cluster.dataDir(3).toString());
        node3.setProperty("controller.listener.names", "CONTROLLER");
        node3.setProperty("listeners", "CONTROLLER://127.0.0.1:" + cluster.quorumPort(3));
        Path config = data.resolve("node-3-controller.properties");
        try (java.io.Writer w = Files.newBufferedWriter(config)) {
            node3.store(w, null);
        }
        String added = KafkaCli.metadataQuorum("--bootstrap-server", bootstrap, "--command-config", config.toString(), "add-controller");
        assertTrue(added.contains("Added controller 3 with directory id " + directoryId(3)), added);
        assertTrue(added.strip().endsWith("EXIT 0"), added);
        QuorumInfo q = awaitQuorum();
        assertEquals(Set.of(0, 1, 2, 3), q.voters().stream().map(QuorumInfo.ReplicaState::replicaId).collect(Collectors.toSet()));
        assertEquals(Set.of(), q.observers().stream().map(QuorumInfo.ReplicaState::replicaId).collect(Collectors.toSet()));
        String again = KafkaCli.metadataQuorum("--bootstrap-server", bootstrap, "--command-config", config.toString(), "add-controller");
        assertTrue(again.contains("is a voter already") && !again.strip().endsWith("EXIT 0"), again);

        List<String[]> rows = replicationRows(KafkaCli.metadataQuorum("--bootstrap-server", bootstrap, "describe", "--replication"));
        String dir0 = rows.stream().filter(r -> r[0].equals("0")).findFirst().orElseThrow()[1];
        assertEquals(directoryId(0), dir0, "describe --replication shows node 0's directory id");
        String removed = KafkaCli.metadataQuorum("--bootstrap-server", KafkaClients.bootstrap(cluster, 1), "remove-controller",
                "--controller-id", "0", "--controller-directory-id", dir0);
        assertTrue(Pattern.compile("Removed\\s+KRaft controller 0 with directory id " + dir0).matcher(removed).find(), removed);
        LocalCluster.await(Duration.ofSeconds(60), "node 0 to be an observer", () -> {
            QuorumInfo now = awaitQuorum();
            return now.voters().stream().map(QuorumInfo.ReplicaState::replicaId).collect(Collectors.toSet()).equals(Set.of(1, 2, 3))
                    && now.observers().stream().map(QuorumInfo.ReplicaState::replicaId).toList().equals(List.of(0));
        });
        try (Admin a = admin(0, 1, 2, 3)) {
            a.createTopics(List.of(new NewTopic("after-voters", 3, (short) 3))).all().get(60, TimeUnit.SECONDS);
        }
        awaitTopicOnEveryNode("after-voters", 3, 3);

        cluster.stop(0);
        cluster.restart(0);
        QuorumInfo back = awaitQuorum();
        assertEquals(Set.of(1, 2, 3), back.voters().stream().map(QuorumInfo.ReplicaState::replicaId).collect(Collectors.toSet()));
        assertEquals(List.of(0), back.observers().stream().map(QuorumInfo.ReplicaState::replicaId).toList());
        assertTrue(Files.readString(cluster.dataDir(0).resolve("quorum-voters")).startsWith("1@"), "node 0 keeps the new voters");
        KafkaClients.produce(KafkaClients.bootstrap(cluster, 0), "after-voters", List.of("v"), 0);
        assertEquals(List.of("v"), KafkaClients.readAll(KafkaClients.bootstrap(cluster, 3), "after-voters", 0, 1));
    }

    private static String directoryId(int node) throws IOException {
        java.util.Properties p = new java.util.Properties();
        try (java.io.Reader r = Files.newBufferedReader(cluster.dataDir(node).resolve("meta.properties"))) {
            p.load(r);
        }
        return p.getProperty("directory.id");
    }

    private static QuorumInfo awaitQuorum() {
        QuorumInfo[] out = new QuorumInfo[1];
        try (Admin a = admin(0, 1, 2)) {
            LocalCluster.await(Duration.ofSeconds(60), "DescribeQuorum to name a leader", () -> {
                try {
                    out[0] = a.describeMetadataQuorum(new DescribeMetadataQuorumOptions().timeoutMs(10_000)).quorumInfo()
                            .get(15, TimeUnit.SECONDS);
                    return out[0].leaderId() >= 0;
                } catch (Exception e) {
                    return false;
                }
            });
        }
        return out[0];
    }

    /** The node's {@code kafka_controller_KafkaController_ActiveControllerCount} at /metrics; -1 when it does not answer. */
    /** Waits until the Metadata answer of each of the first {@code nodes} nodes has the topic with all its partitions led. */
    private static void awaitTopicOnEveryNode(String topic, int partitions, int nodes) {
        for (int n = 0; n < nodes; n++) {
            int node = n;
            LocalCluster.await(Duration.ofSeconds(30), "node " + node + " to have topic " + topic + " with " + partitions
                    + " led partitions", () -> {
                        try {
                            MetadataResponseTopic t = ((MetadataResponse) RawKafka.send(cluster.kafkaPort(node),
                                    new MetadataRequest.Builder(List.of(topic), false), Duration.ofSeconds(10))).data().topics().find(topic);
                            return t != null && t.errorCode() == Errors.NONE.code() && t.partitions().size() == partitions
                                    && t.partitions().stream().allMatch(p -> p.leaderId() >= 0);
                        } catch (IOException e) {
                            return false;
                        }
                    });
        }
    }

    /** Each node's ActiveControllerCount as last read and the controller it names now, for a failure message. */
    private static String stateOfControllers(int[] counts) {
        StringBuilder b = new StringBuilder();
        for (int n = 0; n < counts.length; n++) {
            b.append("node ").append(n).append(": ActiveControllerCount ").append(counts[n]).append(", names controller ")
                    .append(controllerSeenBy(n)).append("; ");
        }
        return b.toString();
    }

    /** The last {@code lines} lines of each node's log that Tributary wrote, for a failure message. */
    private static String tributaryLogTails(int lines) {
        StringBuilder b = new StringBuilder();
        for (int n = 0; n < 3; n++) {
            try {
                List<String> own = Files.readAllLines(cluster.logFile(n), StandardCharsets.UTF_8).stream()
                        .filter(l -> l.contains("[org.tributary") || l.contains("TRIB-")).toList();
                b.append("--- node ").append(n).append(", last ").append(lines).append(" lines of Tributary's log:\n");
                own.subList(Math.max(0, own.size() - lines), own.size()).forEach(l -> b.append(l).append('\n'));
            } catch (IOException | RuntimeException e) {
                b.append("--- node ").append(n).append(": log unreadable: ").append(e).append('\n');
            }
        }
        return b.toString();
    }

    private static int activeControllerCount(int node) {
        try {
            java.net.http.HttpResponse<String> r = cluster.getResponse(node, "/metrics");
            for (String line : r.body().split("\n")) {
                if (r.statusCode() == 200 && line.startsWith("kafka_controller_KafkaController_ActiveControllerCount")) {
                    return (int) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
        } catch (RuntimeException e) {
            // not answering (yet): the caller waits
        }
        return -1;
    }

    private static final java.util.regex.Pattern CONTROLLER_ID = java.util.regex.Pattern.compile("\"controllerId\"\\s*:\\s*(-?\\d+)");

    /**
     * The active controller (the quorum's leader) as this node knows it, from its own admin API
     * ({@code /api/cluster}, asked directly, not through a client that may pick another node); -1
     * when it knows none or does not answer.
     */
    private static int controllerSeenBy(int node) {
        try {
            java.net.http.HttpResponse<String> r = cluster.getResponse(node, "/api/cluster");
            java.util.regex.Matcher m = CONTROLLER_ID.matcher(r.body());
            return r.statusCode() == 200 && m.find() ? Integer.parseInt(m.group(1)) : -1;
        } catch (RuntimeException e) {
            return -1;
        }
    }

    /**
     * The quorum leader that answers DescribeQuorum sent to this node (which forwards it to the
     * leader it knows, over the quorum's transport, not HTTP), or -1 when no answer comes within 3 s:
     * while the old leader is frozen, a node that still follows it gets no answer.
     */
    private static int leaderReachedThrough(int node) {
        try {
            org.apache.kafka.common.requests.DescribeQuorumResponse r = (org.apache.kafka.common.requests.DescribeQuorumResponse)
                    RawKafka.send(cluster.kafkaPort(node), new org.apache.kafka.common.requests.DescribeQuorumRequest.Builder(
                            org.apache.kafka.common.requests.DescribeQuorumRequest.singletonRequest(
                                    new org.apache.kafka.common.TopicPartition("__cluster_metadata", 0))), Duration.ofSeconds(3));
            if (r.data().errorCode() != Errors.NONE.code() || r.data().topics().isEmpty()
                    || r.data().topics().get(0).partitions().isEmpty()) {
                return -1;
            }
            org.apache.kafka.common.message.DescribeQuorumResponseData.PartitionData p = r.data().topics().get(0).partitions().get(0);
            return p.errorCode() == Errors.NONE.code() ? p.leaderId() : -1;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** The controller id in this node's own Metadata answer, or -1 when it does not answer within 10 s. */
    private static int controllerInMetadataOf(int node) {
        try {
            return ((MetadataResponse) RawKafka.send(cluster.kafkaPort(node), new MetadataRequest.Builder(List.of(), false),
                    Duration.ofSeconds(10))).data().controllerId();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * Waits until every node's own view of the metadata (its admin API, not a client that may ask
     * another node) is the same: topics, ids, config overrides, partition leaders, epochs, replicas
     * and ISRs.
     */
    private static void awaitSameMetadataEverywhere() {
        String[] views = new String[3];
        try {
            LocalCluster.await(Duration.ofSeconds(60), "the same metadata on every node", () -> {
                for (int n = 0; n < 3; n++) {
                    views[n] = metadataView(n);
                }
                return views[0].equals(views[1]) && views[1].equals(views[2]);
            });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\nnode 0:\n" + views[0] + "\nnode 1:\n" + views[1] + "\nnode 2:\n" + views[2], e);
        }
    }

    /**
     * This node's own answer (Kafka protocol, asked directly): one line per topic (name, id) and
     * per partition (leader, epoch, replicas, ISR), and the {@code retention.ms} of {@code orders}
     * from DescribeConfigs.
     */
    private static String metadataView(int node) {
        try {
            MetadataResponse m = (MetadataResponse) RawKafka.send(cluster.kafkaPort(node), MetadataRequest.Builder.allTopics(),
                    Duration.ofSeconds(10));
            TreeMap<String, String> topics = new TreeMap<>();
            for (MetadataResponseTopic t : m.data().topics()) {
                StringBuilder b = new StringBuilder(t.name()).append(' ').append(t.topicId()).append(" error ").append(t.errorCode()).append('\n');
                t.partitions().stream().sorted(java.util.Comparator.comparingInt(p -> p.partitionIndex())).forEach(p -> b.append("  ")
                        .append(t.name()).append('-').append(p.partitionIndex()).append(" leader ").append(p.leaderId())
                        .append(" epoch ").append(p.leaderEpoch()).append(" replicas ").append(p.replicaNodes())
                        .append(" isr ").append(p.isrNodes()).append('\n'));
                topics.put(t.name(), b.toString());
            }
            DescribeConfigsResponse c = (DescribeConfigsResponse) RawKafka.send(cluster.kafkaPort(node),
                    new DescribeConfigsRequest.Builder(new DescribeConfigsRequestData().setResources(List.of(
                            new DescribeConfigsRequestData.DescribeConfigsResource().setResourceType(ConfigResource.Type.TOPIC.id())
                                    .setResourceName("orders").setConfigurationKeys(List.of("retention.ms"))))),
                    Duration.ofSeconds(10));
            String retention = c.data().results().get(0).configs().stream().filter(e -> e.name().equals("retention.ms"))
                    .map(e -> e.value()).findFirst().orElse("?");
            return "\n" + String.join("", topics.values()) + "orders retention.ms=" + retention + "\n";
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static int partitionsOf(String view, String topic) {
        return (int) view.lines().filter(l -> l.startsWith("  " + topic + "-")).count();
    }

    /** An admin call a client application would retry: retried while it fails with a retriable error, for at most 60 s. */
    @FunctionalInterface
    private interface AdminCall {
        void run(int attempt) throws Exception;
    }

    /** Runs the call until it succeeds; returns the number of attempts. Non-retriable failures fail at once. */
    private static int retried(String what, AdminCall call) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (int attempt = 1;; attempt++) {
            try {
                call.run(attempt);
                return attempt;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof RetriableException) || System.nanoTime() > deadline) {
                    throw e;
                }
                System.out.println("MetadataQuorumIT: " + what + " attempt " + attempt + " failed, retrying: " + e.getCause());
            }
        }
    }

    private static String outcome(KafkaFuture<Void> f) {
        try {
            f.get(90, TimeUnit.SECONDS);
            return "created";
        } catch (ExecutionException e) {
            return "failed: " + e.getCause();
        } catch (Exception e) {
            throw new AssertionError("the write sent before SIGSTOP got no outcome within 90 s after SIGCONT", e);
        }
    }

    private static long field(String toolOutput, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + ":\\s*(-?\\d+)\\s*$").matcher(toolOutput);
        assertTrue(m.find(), "no " + name + " in:\n" + toolOutput);
        return Long.parseLong(m.group(1));
    }

    private static Set<Long> ids(String nodes) {
        Set<Long> out = new TreeSet<>();
        Matcher m = Pattern.compile("\"id\":\\s*(\\d+)").matcher(nodes);
        while (m.find()) {
            out.add(Long.parseLong(m.group(1)));
        }
        return out;
    }

    /** The rows of {@code describe --replication}: NodeId DirectoryId LogEndOffset Lag LastFetchTimestamp LastCaughtUpTimestamp Status. */
    private static List<String[]> replicationRows(String toolOutput) {
        List<String[]> rows = new ArrayList<>();
        for (String line : toolOutput.split("\n")) {
            String[] cols = line.trim().split("\\s+");
            if (cols.length == 7 && cols[0].matches("\\d+")) {
                rows.add(cols);
            }
        }
        return rows;
    }

    private static String readFrom(Path file, long offset) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            byte[] b = new byte[(int) Math.max(0, f.length() - offset)];
            f.seek(offset);
            f.readFully(b);
            return new String(b, StandardCharsets.UTF_8);
        }
    }

    private static long msSince(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
    }

    /** A group's committed offsets, written before the full stops and read after each. */
    private static final String RESTART_GROUP = "restart-group";
    private static final Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> COMMITTED =
            Map.of(new org.apache.kafka.common.TopicPartition("orders", 0), new org.apache.kafka.clients.consumer.OffsetAndMetadata(1, "m0"),
                    new org.apache.kafka.common.TopicPartition("orders", 5), new org.apache.kafka.clients.consumer.OffsetAndMetadata(0, "m5"));

    private static void checkEverythingIsBack() throws Exception {
        try (Admin a = admin(2)) {
            LocalCluster.await(Duration.ofSeconds(60), "three live brokers", () -> {
                try {
                    return a.describeCluster().nodes().get().stream().map(Node::id).collect(Collectors.toSet()).equals(Set.of(0, 1, 2));
                } catch (Exception e) {
                    return false;
                }
            });
            TopicDescription d = a.describeTopics(List.of("orders")).allTopicNames().get(30, TimeUnit.SECONDS).get("orders");
            assertEquals(6, d.partitions().size());
            for (TopicPartitionInfo p : d.partitions()) {
                assertEquals(3, p.replicas().size());
            }
            assertTrue(a.listTopics().names().get().contains("after-kill"));
        }
        assertEquals(List.of("a", "b", "c"), KafkaClients.readAll("127.0.0.1:" + cluster.kafkaPort(0), "orders", 3),
                "acknowledged records are still there");
        try (Admin a = admin(1)) {
            ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, "after-kill");
            assertEquals("200000", a.describeConfigs(List.of(r)).all().get(60, TimeUnit.SECONDS).get(r).get("max.message.bytes").value(),
                    "a topic config override survives the full stop");
            assertEquals(COMMITTED, a.listConsumerGroupOffsets(RESTART_GROUP).partitionsToOffsetAndMetadata().get(60, TimeUnit.SECONDS),
                    "committed offsets (with their metadata) survive the full stop");
        }
    }
}
