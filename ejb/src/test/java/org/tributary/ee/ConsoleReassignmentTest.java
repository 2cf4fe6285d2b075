package org.tributary.ee;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.PartitionReassignment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.tributary.server.ThreeBrokerCluster;

/**
 * The console's and REST API's partition reassignments on three brokers in one JVM: they go
 * in-process through broker 1's AlterPartitionReassignments / ListPartitionReassignments handler to
 * the active controller, so Kafka's Admin client sees the same reassignment; a move completes with
 * the new replicas, one held back by a replication throttle is listed (with the replicas being
 * added shown in the partition view) and can be cancelled, and bad input gets the admin error that
 * names the field.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ConsoleReassignmentTest {
    private ThreeBrokerCluster cluster;
    private BrokerAdmin console;

    @BeforeAll
    void start() throws Exception {
        cluster = ThreeBrokerCluster.start(Map.of());
        console = new BrokerAdmin(cluster.server(1), cluster.bootstrap(1));
    }

    @AfterAll
    void stop() {
        if (console != null) {
            console.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private void createTopic(String name, List<Integer> replicas, Map<String, String> configs) throws Exception {
        try (Admin a = cluster.admin(2)) {
            a.createTopics(List.of(new NewTopic(name, Map.of(0, replicas)).configs(configs))).all().get(30, TimeUnit.SECONDS);
        }
        ThreeBrokerCluster.await("broker 1 knows " + name, 30_000, () -> console.topic(name).isPresent());
    }

    private PartitionInfo partition(String topic) {
        return console.requireTopic(topic).partitions().get(0);
    }

    private List<Integer> replicasSeenByKafkaAdmin(String topic) throws Exception {
        try (Admin a = cluster.admin(3)) {
            return a.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic).partitions().get(0).replicas()
                    .stream().map(Node::id).toList();
        }
    }

    @Test
    void aMoveStartedByTheConsoleCompletesWithTheNewReplicas() throws Exception {
        createTopic("console-moved", List.of(1, 2), Map.of());
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrap(1, 2, 3),
                ProducerConfig.ACKS_CONFIG, "all"), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < 20; i++) {
                p.send(new ProducerRecord<>("console-moved", 0, null, new byte[100])).get(10, TimeUnit.SECONDS);
            }
        }
        console.reassign("alice", "console-moved", 0, List.of(3, 2));
        ThreeBrokerCluster.await("the move completes: replicas [3, 2], both in sync, nothing listed", 60_000, () -> {
            PartitionInfo p = partition("console-moved");
            return p.replicas().equals(List.of(3, 2)) && p.isr().size() == 2 && p.adding().isEmpty() && p.removing().isEmpty()
                    && console.reassignments("alice").isEmpty();
        });
        assertEquals(List.of(3, 2), replicasSeenByKafkaAdmin("console-moved"));

        // moving to the replicas it has is complete at once: nothing in progress to return
        assertEquals(Optional.empty(), console.reassign("alice", "console-moved", 0, List.of(3, 2)));
    }

    @Test
    void aThrottledMoveIsListedHereAndToKafkaAdminAndCanBeCancelled() throws Exception {
        String topic = "console-held";
        TopicPartition tp = new TopicPartition(topic, 0);
        ConfigResource broker3 = new ConfigResource(ConfigResource.Type.BROKER, "3");
        createTopic(topic, List.of(1, 2), Map.of("follower.replication.throttled.replicas", "*"));
        try (Admin a = cluster.admin(1);
                KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        cluster.bootstrap(1, 2, 3), ProducerConfig.ACKS_CONFIG, "all"), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < 100; i++) { // 100 batches of 1 KB: at 1 B/s broker 3 copies one and then waits
                p.send(new ProducerRecord<>(topic, 0, null, new byte[1000])).get(10, TimeUnit.SECONDS);
            }
            a.incrementalAlterConfigs(Map.of(broker3, List.of(new AlterConfigOp(new ConfigEntry("follower.replication.throttled.rate", "1"),
                    AlterConfigOp.OpType.SET)))).all().get(30, TimeUnit.SECONDS);
            try {
                Optional<ReassignmentInfo> started = console.reassign("alice", topic, 0, List.of(1, 2, 3));
                ReassignmentInfo expected = new ReassignmentInfo(topic, 0, List.of(1, 2, 3), List.of(3), List.of());
                assertEquals(Optional.of(expected), started);
                assertEquals(List.of(expected), console.reassignments("alice"));
                Map<TopicPartition, PartitionReassignment> kafka = a.listPartitionReassignments().reassignments().get(30, TimeUnit.SECONDS);
                assertEquals(List.of(3), kafka.get(tp).addingReplicas(), "Kafka's Admin lists the console's reassignment: " + kafka);
                assertEquals(List.of(1, 2, 3), kafka.get(tp).replicas());
                ThreeBrokerCluster.await("broker 1's partition view shows broker 3 being added", 30_000,
                        () -> partition(topic).adding().equals(List.of(3)));
                PartitionInfo during = partition(topic);
                assertEquals(List.of(), during.removing());
                assertFalse(during.underReplicated(), "a replica being added does not make the partition under-replicated: " + during);

                console.cancelReassignment("alice", topic, 0);
                ThreeBrokerCluster.await("cancelled: back to [1, 2]", 30_000, () -> partition(topic).replicas().equals(List.of(1, 2))
                        && partition(topic).adding().isEmpty());
                assertEquals(List.of(), console.reassignments("alice"));
                assertTrue(a.listPartitionReassignments().reassignments().get(30, TimeUnit.SECONDS).isEmpty());
                AdminException none = assertThrows(AdminException.class, () -> console.cancelReassignment("alice", topic, 0));
                assertEquals(AdminException.Kind.NOT_FOUND, none.kind(), none.getMessage());
                assertEquals("partition", none.field());
            } finally {
                a.incrementalAlterConfigs(Map.of(broker3, List.of(new AlterConfigOp(new ConfigEntry("follower.replication.throttled.rate", null),
                        AlterConfigOp.OpType.DELETE)))).all().get(30, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void badInputGetsTheAdminErrorNamingTheField() throws Exception {
        createTopic("console-checked", List.of(1), Map.of());
        for (List<Integer> bad : List.of(List.<Integer>of(), List.of(1, 9), List.of(2, 2), List.of(-1))) {
            AdminException e = assertThrows(AdminException.class, () -> console.reassign("alice", "console-checked", 0, bad));
            assertEquals(AdminException.Kind.INVALID, e.kind(), bad + ": " + e.getMessage());
            assertEquals("replicas", e.field(), bad + ": " + e.getMessage());
        }
        AdminException unknownPartition = assertThrows(AdminException.class, () -> console.reassign("alice", "console-checked", 4, List.of(1)));
        assertEquals(AdminException.Kind.NOT_FOUND, unknownPartition.kind());
        assertEquals("partition", unknownPartition.field());
        AdminException unknownTopic = assertThrows(AdminException.class, () -> console.reassign("alice", "no-such-topic", 0, List.of(1)));
        assertEquals(AdminException.Kind.NOT_FOUND, unknownTopic.kind());
        assertEquals("topic", unknownTopic.field());
        assertEquals(List.of(1), partition("console-checked").replicas(), "nothing changed");
    }
}
