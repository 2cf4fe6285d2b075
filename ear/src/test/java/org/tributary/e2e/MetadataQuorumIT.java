package org.tributary.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.QuorumInfo;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
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
 * kill -9 of every node at once. Node i has broker id i (the launcher's default).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MetadataQuorumIT {
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
                assertEquals(q.leaderId(), a.describeCluster().controller().get().id(), "the quorum leader is the controller");
            }
        }
        KafkaClients.produce("127.0.0.1:" + cluster.kafkaPort(1), "orders", List.of("a", "b", "c"), 0);
    }

    @Test
    @Order(2)
    void killingTheControllerCostsSecondsAndLosesNothingCommitted() throws Exception {
        int controller;
        try (Admin a = admin(0, 1, 2)) {
            controller = a.describeCluster().controller().get(30, TimeUnit.SECONDS).id();
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
    }
}
