package org.tributary.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.tools.LeaderElectionCommand;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.tributary.partition.Partition;
import org.tributary.testkit.KafkaTools;

/**
 * Preferred leaders on three brokers in one JVM: with {@code auto.leader.rebalance.enable} the
 * controller gives a restarted broker its partitions back once it is in sync again; without it
 * leadership stays where it moved until Kafka's {@code kafka-leader-election} tool asks (PREFERRED
 * for all partitions); and an offline partition whose ISR is down gets its alive out-of-sync
 * replica as leader only through an UNCLEAN election.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class LeaderBalancingClusterTest {
    private static final String TOPIC = "lb";
    private static final int PARTITIONS = 6;
    private InJvmCluster cluster;

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private Partition replica(int broker, String topic, int p) {
        return cluster.replica(broker, new TopicPartition(topic, p));
    }

    /** The leader broker {@code broker}'s engine sees for partition {@code p}; -2 while it has not applied the partition yet. */
    private int leaderSeenBy(int broker, int p) {
        return cluster.broker(broker).server().replicaManager().orElseThrow().replica(new TopicPartition(TOPIC, p))
                .map(Partition::leader).orElse(-2);
    }

    private TopicDescription describe(int via, String topic) throws Exception {
        try (Admin a = cluster.admin(via)) {
            return a.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
        }
    }

    /** Partition -> preferred replica (the first of its replica list). */
    private Map<Integer, Integer> preferred(int via) throws Exception {
        Map<Integer, Integer> m = new TreeMap<>();
        for (TopicPartitionInfo i : describe(via, TOPIC).partitions()) {
            m.put(i.partition(), i.replicas().get(0).id());
        }
        return m;
    }

    /** Whether every live broker's engine sees {@code leaderOf(p)} leading each partition. */
    private boolean everyBrokerSees(java.util.function.IntUnaryOperator leaderOf) {
        for (int b : cluster.brokers.keySet()) {
            for (int p = 0; p < PARTITIONS; p++) {
                if (leaderSeenBy(b, p) != leaderOf.applyAsInt(p)) {
                    return false;
                }
            }
        }
        return true;
    }

    private boolean fullIsr(int via) {
        try {
            return describe(via, TOPIC).partitions().stream().allMatch(i -> i.isr().size() == 3);
        } catch (Exception e) {
            return false;
        }
    }

    /** A broker that leads some partitions and is not the active controller (so stopping it measures balancing alone). */
    private int victim(Map<Integer, Integer> preferred) {
        int controller = cluster.controllerId();
        return preferred.values().stream().filter(b -> b != controller).findFirst().orElseThrow();
    }

    /** Creates the topic, stops {@code victim}, waits for its leaderships to move, restarts it and waits until it is back in every ISR. */
    private Map<Integer, Integer> moveLeadershipAway(Map<String, String> settings) throws Exception {
        cluster = new InJvmCluster(settings).start();
        try (Admin a = cluster.admin(1)) {
            a.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 3))).all().get(30, TimeUnit.SECONDS);
        }
        InJvmCluster.await("every replica in sync", 30_000, () -> fullIsr(1));
        Map<Integer, Integer> preferred = preferred(1);
        InJvmCluster.await("the preferred replicas lead at first", 30_000, () -> everyBrokerSees(preferred::get));
        int victim = victim(preferred);
        cluster.stop(victim);
        int survivor = victim == 1 ? 2 : 1;
        InJvmCluster.await("broker " + victim + "'s partitions have other leaders", 30_000,
                () -> preferred.keySet().stream().filter(p -> preferred.get(p) == victim)
                        .allMatch(p -> leaderSeenBy(survivor, p) > 0 && leaderSeenBy(survivor, p) != victim));
        cluster.startBroker(victim);
        return preferred;
    }

    @Test
    void theControllerGivesARestartedBrokerItsPreferredLeadershipsBackOnceInSync() throws Exception {
        Map<Integer, Integer> preferred = moveLeadershipAway(Map.of("leader.imbalance.check.interval.seconds", "1"));
        long started = System.nanoTime();
        InJvmCluster.await("the restarted broker is back in every ISR", 60_000, () -> fullIsr(1));
        long inSyncMs = (System.nanoTime() - started) / 1_000_000;
        long expands = 0;
        long shrinks = 0;
        for (int b : cluster.brokers.keySet()) {
            expands += cluster.broker(b).server().metrics().isrExpands().count();
            shrinks += cluster.broker(b).server().metrics().isrShrinks().count();
        }
        // once per partition; more only after a leader's own shrink (a lagging replica dropped and taken back), never counted twice
        assertTrue(expands >= PARTITIONS && expands <= PARTITIONS + shrinks, "the leaders took the restarted broker back into each "
                + "partition's ISR once (IsrExpandsPerSec " + expands + ", IsrShrinksPerSec " + shrinks + ", " + PARTITIONS + " partitions)");
        InJvmCluster.await("every partition is led by its preferred replica again, as every broker sees it", 30_000,
                () -> everyBrokerSees(preferred::get));
        long backMs = (System.nanoTime() - started) / 1_000_000;
        System.out.println("leader balancing: restarted broker in sync after " + inSyncMs + " ms, its leaderships back after " + backMs
                + " ms (check interval 1 s)");
        assertTrue(backMs < 30_000);
        TopicDescription d = describe(1, TOPIC);
        for (TopicPartitionInfo i : d.partitions()) {
            assertEquals(preferred.get(i.partition()), i.leader().id(), "the metadata answer agrees: " + i);
        }
    }

    @Test
    void withoutAutomaticBalancingLeadershipStaysUntilAPreferredElectionIsAskedFor() throws Exception {
        Map<Integer, Integer> preferred = moveLeadershipAway(Map.of("auto.leader.rebalance.enable", "false",
                "leader.imbalance.check.interval.seconds", "1"));
        InJvmCluster.await("the restarted broker is back in every ISR", 60_000, () -> fullIsr(1));
        Map<Integer, Integer> moved = new TreeMap<>();
        for (int p = 0; p < PARTITIONS; p++) {
            moved.put(p, replica(1, TOPIC, p).leader());
        }
        List<Integer> away = preferred.keySet().stream().filter(p -> !preferred.get(p).equals(moved.get(p))).toList();
        assertFalse(away.isEmpty(), "some partitions are led by another replica: " + moved + " vs preferred " + preferred);
        // three check intervals in which an enabled balancer would have acted: leadership must not move
        long until = System.currentTimeMillis() + 3_000;
        while (System.currentTimeMillis() < until) {
            assertTrue(everyBrokerSees(moved::get), "leadership stayed where it moved");
            Thread.sleep(100);
        }

        String out = KafkaTools.run("kafka-leader-election", LeaderElectionCommand::main, "--bootstrap-server", cluster.bootstrap(1, 2, 3),
                "--election-type", "PREFERRED", "--all-topic-partitions");
        String prefix = "Successfully completed leader election (PREFERRED) for partitions ";
        assertTrue(out.startsWith(prefix) && out.trim().endsWith("EXIT 0"), out);
        java.util.Set<String> elected = java.util.Set.of(out.substring(prefix.length(), out.indexOf('\n')).split(", "));
        assertEquals(away.stream().map(p -> TOPIC + "-" + p).collect(java.util.stream.Collectors.toSet()), elected,
                "exactly the partitions led by another replica were elected");
        InJvmCluster.await("the preferred replicas lead again, as every broker sees it", 30_000, () -> everyBrokerSees(preferred::get));

        String again = KafkaTools.run("kafka-leader-election", LeaderElectionCommand::main, "--bootstrap-server", cluster.bootstrap(1, 2, 3),
                "--election-type", "PREFERRED", "--all-topic-partitions");
        assertEquals("EXIT 0", again.trim(), "as Kafka: all partitions balanced, nothing elected and nothing to report");
        String one = KafkaTools.run("kafka-leader-election", LeaderElectionCommand::main, "--bootstrap-server", cluster.bootstrap(1, 2, 3),
                "--election-type", "PREFERRED", "--topic", TOPIC, "--partition", "0");
        assertEquals("Valid replica already elected for partitions " + TOPIC + "-0\nEXIT 0", one.trim());
    }

    @Test
    void anOfflinePartitionGetsItsOutOfSyncReplicaAsLeaderOnlyThroughAnUncleanElection() throws Exception {
        cluster = new InJvmCluster(Map.of("auto.leader.rebalance.enable", "false")).start();
        cluster.prepare(4);
        cluster.startBroker(4); // an observer: brokers 3 and 4 can be down while voters 1 and 2 keep the quorum
        String topic = "u";
        TopicPartition tp = new TopicPartition(topic, 0);
        try (Admin a = cluster.admin(1)) {
            InJvmCluster.await("broker 4 registered", 30_000, () -> {
                try {
                    return a.describeCluster().nodes().get().stream().anyMatch(n -> n.id() == 4);
                } catch (Exception e) {
                    return false;
                }
            });
            a.createTopics(List.of(new NewTopic(topic, Map.of(0, List.of(4, 3))))).all().get(30, TimeUnit.SECONDS);
        }
        InJvmCluster.await("both replicas in sync", 30_000, () -> isr(topic).size() == 2);
        cluster.stop(3);
        InJvmCluster.await("broker 3 left the ISR", 30_000, () -> isr(topic).equals(List.of(4)));
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrap(4),
                ProducerConfig.ACKS_CONFIG, "1", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false), new ByteArraySerializer(),
                new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, 0, null, "only-on-4".getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);
        }
        cluster.stop(4);
        cluster.startBroker(3);
        InJvmCluster.await("the partition is offline with broker 4 its whole ISR, and broker 3 is alive", 60_000, () -> {
            try {
                TopicPartitionInfo i = describe(1, topic).partitions().get(0);
                return i.leader() == null && i.isr().stream().map(n -> n.id()).toList().equals(List.of(4))
                        && liveBrokers().contains(3);
            } catch (Exception e) {
                return false;
            }
        });

        String preferredOut = KafkaTools.run("kafka-leader-election", LeaderElectionCommand::main, "--bootstrap-server", cluster.bootstrap(1, 2),
                "--election-type", "PREFERRED", "--topic", topic, "--partition", "0");
        assertTrue(preferredOut.contains("Error completing leader election (PREFERRED) for partition: u-0: "
                + "org.apache.kafka.common.errors.PreferredLeaderNotAvailableException"), preferredOut);
        assertTrue(preferredOut.contains("EXIT 1"), preferredOut);
        assertEquals(null, describe(1, topic).partitions().get(0).leader(), "a PREFERRED election does not pick an out-of-sync replica");

        String unclean = KafkaTools.run("kafka-leader-election", LeaderElectionCommand::main, "--bootstrap-server", cluster.bootstrap(1, 2),
                "--election-type", "UNCLEAN", "--topic", topic, "--partition", "0");
        assertEquals("Successfully completed leader election (UNCLEAN) for partitions u-0\nEXIT 0", unclean.trim());
        InJvmCluster.await("broker 3 leads partition 0 alone, as every broker sees it", 30_000, () -> {
            for (int b : cluster.brokers.keySet()) {
                Optional<Partition> r = cluster.broker(b).server().replicaManager().orElseThrow().replica(tp);
                if (r.isPresent() && r.get().leader() != 3) {
                    return false;
                }
            }
            return isr(topic).equals(List.of(3));
        });
        String again = KafkaTools.run("kafka-leader-election", LeaderElectionCommand::main, "--bootstrap-server", cluster.bootstrap(1, 2),
                "--election-type", "UNCLEAN", "--topic", topic, "--partition", "0");
        assertEquals("Valid replica already elected for partitions u-0\nEXIT 0", again.trim());
    }

    private List<Integer> isr(String topic) {
        try {
            return describe(1, topic).partitions().get(0).isr().stream().map(n -> n.id()).toList();
        } catch (Exception e) {
            return List.of();
        }
    }

    private List<Integer> liveBrokers() throws Exception {
        try (Admin a = cluster.admin(1)) {
            List<Integer> ids = new ArrayList<>();
            a.describeCluster().nodes().get(30, TimeUnit.SECONDS).forEach(n -> ids.add(n.id()));
            return ids;
        }
    }
}
