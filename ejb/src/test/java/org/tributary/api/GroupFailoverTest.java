package org.tributary.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.tributary.group.GroupDescription;
import org.tributary.group.GroupState;
import org.tributary.server.TestBroker;

/** Crashed members lose their partitions within the session timeout; static members and commits survive restarts. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GroupFailoverTest {
    private static final int SESSION_MS = 3000;
    private TestBroker broker;

    @BeforeEach
    void start() throws Exception {
        broker = new TestBroker(GroupClients.FAST_GROUPS);
    }

    @AfterEach
    void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    private void createTopic(String name, int partitions) throws Exception {
        try (Admin admin = broker.admin()) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get();
        }
    }

    private int generation(String group) {
        return broker.server().describeGroup(group).map(GroupDescription::generationId).orElse(-1);
    }

    private boolean stableWith(String group, int members) {
        return broker.server().describeGroup(group).map(d -> d.state() == GroupState.STABLE && d.members().size() == members)
                .orElse(false);
    }

    @Test
    void crashedMemberLosesItsPartitionsWithinTheSessionTimeout() throws Exception {
        createTopic("crash", 4);
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                ChildConsumer.class.getName(), broker.bootstrap(), "crash-group", "crash", String.valueOf(SESSION_MS))
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (KafkaConsumer<byte[], byte[]> survivor = GroupClients.consumer(broker, "crash-group",
                GroupClients.assignorClass("range"), Map.of())) {
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            String line;
            do {
                line = out.readLine(); // the child reports once it owns all 4 partitions alone
                assertTrue(line != null, "child consumer exited");
            } while (!line.equals("ASSIGNED 4"));
            survivor.subscribe(List.of("crash"));
            List<KafkaConsumer<byte[], byte[]>> one = List.of(survivor);
            GroupClients.pollUntil(one, 30_000, () -> survivor.assignment().size() == 2 && stableWith("crash-group", 2),
                    "the survivor and the child sharing the topic");

            child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            long killedAt = System.currentTimeMillis();
            GroupClients.pollUntil(one, SESSION_MS + 5_000, () -> survivor.assignment().size() == 4 && stableWith("crash-group", 1),
                    "the survivor taking over the crashed member's partitions");
            long took = System.currentTimeMillis() - killedAt;
            assertTrue(took < SESSION_MS + 2_000, "takeover took " + took + " ms");
        } finally {
            child.destroyForcibly();
        }
    }

    @Test
    void staticMemberRejoinsWithoutRebalanceAndCommitsSurviveRestart() throws Exception {
        createTopic("static", 4);
        Map<String, Object> a = Map.of(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "instance-a");
        Map<String, Object> b = Map.of(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "instance-b");
        String assignor = GroupClients.assignorClass("range");
        KafkaConsumer<byte[], byte[]> ca = GroupClients.consumer(broker, "static-group", assignor, a);
        KafkaConsumer<byte[], byte[]> cb = GroupClients.consumer(broker, "static-group", assignor, b);
        Set<TopicPartition> assignedToA;
        int generation;
        try {
            ca.subscribe(List.of("static"));
            cb.subscribe(List.of("static"));
            List<KafkaConsumer<byte[], byte[]>> both = List.of(ca, cb);
            GroupClients.pollUntil(both, 30_000, () -> GroupClients.exactlyOnce(both, "static", 4) && stableWith("static-group", 2),
                    "two static members");
            generation = generation("static-group");
            assignedToA = new HashSet<>(ca.assignment());
            Map<TopicPartition, OffsetAndMetadata> commits = new java.util.HashMap<>();
            assignedToA.forEach(tp -> commits.put(tp, new OffsetAndMetadata(7, "from-a")));
            ca.commitSync(commits);
            ca.close(); // a static member does not leave the group on close
            ca = GroupClients.consumer(broker, "static-group", assignor, a);
            ca.subscribe(List.of("static"));
            KafkaConsumer<byte[], byte[]> restarted = ca;
            List<KafkaConsumer<byte[], byte[]>> again = List.of(restarted, cb);
            GroupClients.pollUntil(again, 20_000, () -> restarted.assignment().equals(assignedToA), "instance-a rejoining");
            assertEquals(generation, generation("static-group"), "a static member's restart must not rebalance");
            assertEquals(assignedToA, restarted.assignment());
        } finally {
            ca.close();
            cb.close();
        }

        broker.restart();

        // the restarted broker loads its groups from __consumer_offsets after it starts serving
        // (clients get COORDINATOR_LOAD_IN_PROGRESS meanwhile and retry): wait for the load
        long loadDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (broker.server().describeGroup("static-group").isEmpty() && System.nanoTime() < loadDeadline) {
            Thread.sleep(20);
        }
        GroupDescription loaded = broker.server().describeGroup("static-group")
                .orElseThrow(() -> new AssertionError("static-group not loaded within 30 s of the restart"));
        assertEquals(generation, loaded.generationId());
        assertEquals(Set.of("instance-a", "instance-b"), new HashSet<>(loaded.members().stream()
                .map(GroupDescription.MemberDescription::groupInstanceId).toList()));
        try (KafkaConsumer<byte[], byte[]> ra = GroupClients.consumer(broker, "static-group", assignor, a);
                KafkaConsumer<byte[], byte[]> rb = GroupClients.consumer(broker, "static-group", assignor, b)) {
            ra.subscribe(List.of("static"));
            rb.subscribe(List.of("static"));
            List<KafkaConsumer<byte[], byte[]>> both = new ArrayList<>(List.of(ra, rb));
            GroupClients.pollUntil(both, 20_000, () -> ra.assignment().equals(assignedToA) && GroupClients.exactlyOnce(both, "static", 4),
                    "static members back after a broker restart");
            assertEquals(generation, generation("static-group"), "static members rejoin a restarted broker without a rebalance");
            Map<TopicPartition, OffsetAndMetadata> committed = ra.committed(assignedToA);
            for (TopicPartition tp : assignedToA) {
                assertEquals(7, committed.get(tp).offset(), tp.toString());
                assertEquals("from-a", committed.get(tp).metadata());
            }
        }
    }
}
