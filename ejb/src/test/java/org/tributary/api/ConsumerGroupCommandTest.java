package org.tributary.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.tools.consumer.group.ConsumerGroupCommand;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tributary.testkit.KafkaTools;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.tributary.group.GroupState;
import org.tributary.group.PartitionLag;
import org.tributary.server.TestBroker;

/** Kafka's own kafka-consumer-groups tool (ConsumerGroupCommand 4.3.1) against the broker: list, describe, reset, delete. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ConsumerGroupCommandTest {
    private TestBroker broker;

    @BeforeAll
    void start() throws Exception {
        broker = new TestBroker(GroupClients.FAST_GROUPS);
    }

    @AfterAll
    void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    /** Runs the tool in-process; returns stdout and stderr together. */
    private String tool(String... args) {
        List<String> all = new ArrayList<>(List.of("--bootstrap-server", broker.bootstrap(), "--timeout", "20000"));
        all.addAll(List.of(args));
        return KafkaTools.run("kafka-consumer-groups", ConsumerGroupCommand::main, all.toArray(String[]::new));
    }

    /** Rows of the describe table for a topic: partition → columns. */
    private static Map<Integer, String[]> rows(String describe, String topic) {
        Map<Integer, String[]> out = new java.util.TreeMap<>();
        for (String line : describe.lines().toList()) {
            String[] cols = line.trim().split("\\s+");
            if (cols.length >= 4 && cols[1].equals(topic) && cols[2].matches("\\d+")) {
                out.put(Integer.parseInt(cols[2]), cols);
            }
        }
        return out;
    }

    @Test
    void listDescribeResetAndDelete() throws Exception {
        try (Admin admin = broker.admin()) {
            admin.createTopics(List.of(new NewTopic("tool-topic", 3, (short) 1))).all().get();
        }
        try (KafkaProducer<byte[], byte[]> p = broker.producer(Map.of())) {
            for (int i = 0; i < 30; i++) {
                p.send(new ProducerRecord<>("tool-topic", i % 3, null, ("v" + i).getBytes(StandardCharsets.UTF_8)));
            }
        }
        KafkaConsumer<byte[], byte[]> c = GroupClients.consumer(broker, "tool-group", GroupClients.assignorClass("range"),
                Map.of("client.id", "tool-client"));
        try {
            c.subscribe(List.of("tool-topic"));
            int[] read = {0};
            long deadline = System.currentTimeMillis() + 30_000;
            while (read[0] < 30 && System.currentTimeMillis() < deadline) {
                read[0] += c.poll(java.time.Duration.ofMillis(100)).count();
            }
            assertEquals(30, read[0]);
            c.commitSync();

            assertTrue(tool("--list").lines().anyMatch("tool-group"::equals));

            String active = tool("--describe", "--group", "tool-group");
            Map<Integer, String[]> rows = rows(active, "tool-topic");
            assertEquals(3, rows.size(), active);
            for (String[] r : rows.values()) {
                // GROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG CONSUMER-ID HOST CLIENT-ID
                assertEquals("tool-group", r[0]);
                assertEquals("10", r[3]);
                assertEquals("10", r[4]);
                assertEquals("0", r[5]);
                assertTrue(r[6].startsWith("tool-client-"), String.join(" ", r));
                assertEquals("tool-client", r[8]);
            }
            String members = tool("--describe", "--group", "tool-group", "--members");
            assertTrue(members.contains("tool-client") && members.lines().anyMatch(l -> l.trim().endsWith("3")), members);
            String state = tool("--describe", "--group", "tool-group", "--state");
            assertTrue(state.contains("range") && state.contains("Stable"), state);

            String activeReset = tool("--reset-offsets", "--to-earliest", "--execute", "--group", "tool-group", "--topic", "tool-topic");
            assertTrue(activeReset.contains("can only be reset if the group 'tool-group' is inactive, but the current state is Stable"),
                    activeReset);
            String busy = tool("--delete", "--group", "tool-group");
            assertTrue(busy.contains("not empty"), busy);
        } finally {
            c.close();
        }

        String inactive = tool("--describe", "--group", "tool-group");
        assertTrue(inactive.contains("Consumer group 'tool-group' has no active members."), inactive);
        assertEquals(3, rows(inactive, "tool-topic").size(), inactive);

        String reset = tool("--reset-offsets", "--to-earliest", "--execute", "--group", "tool-group", "--topic", "tool-topic");
        Map<Integer, String[]> resetRows = rows(reset, "tool-topic");
        assertEquals(3, resetRows.size(), reset);
        resetRows.values().forEach(r -> assertEquals("0", r[3], reset));
        for (PartitionLag lag : broker.server().lag("tool-group")) {
            assertEquals(0, lag.committedOffset());
            assertEquals(10, lag.logEndOffset());
            assertEquals(10, lag.lag());
        }
        Map<Integer, String[]> afterReset = rows(tool("--describe", "--group", "tool-group"), "tool-topic");
        afterReset.values().forEach(r -> assertEquals("10", r[5]));
        assertEquals(GroupState.EMPTY, broker.server().describeGroup("tool-group").orElseThrow().state());

        String deleted = tool("--delete", "--group", "tool-group");
        assertTrue(deleted.contains("Deletion of requested consumer groups ('tool-group') was successful."), deleted);
        assertTrue(tool("--list").lines().noneMatch("tool-group"::equals));
        String missing = tool("--describe", "--group", "tool-group");
        // Kafka 4.x answers DescribeGroups v6 for an unknown group with GROUP_ID_NOT_FOUND; the tool reports it
        assertTrue(missing.contains("GroupIdNotFoundException: Group tool-group not found."), missing);
        assertTrue(broker.server().describeGroup("tool-group").isEmpty());
    }
}
