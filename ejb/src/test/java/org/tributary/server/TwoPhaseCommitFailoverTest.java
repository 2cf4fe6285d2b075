package org.tributary.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.tributary.server.TwoPhaseRequests.addPartitions;
import static org.tributary.server.TwoPhaseRequests.coordinator;
import static org.tributary.server.TwoPhaseRequests.endTxn;
import static org.tributary.server.TxnRequests.produce;
import static org.tributary.server.TxnRequests.txnRecords;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A two-phase-commit transaction left open (its producer flushed and went away) survives the stop
 * of its coordinator's broker: the new leader of its {@code __transaction_state} partition (RF 3)
 * loads it with the two-phase mark, still Ongoing, and the external manager's commit, sent there,
 * makes exactly its records visible to read_committed.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class TwoPhaseCommitFailoverTest {
    private static final String TXN = "xa-failover";
    private static final String TOPIC = "xa-fo";
    private InJvmCluster cluster;

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aTwoPhaseTransactionSurvivesItsCoordinatorAndCommitsAtTheNewOne() throws Exception {
        cluster = new InJvmCluster(Map.of("transaction.state.log.num.partitions", "6", "transaction.two.phase.commit.enable", "true",
                "transaction.abort.timed.out.transaction.cleanup.interval.ms", "200")).start();
        Map<Integer, Integer> leaders;
        try (Admin a = cluster.admin(1)) {
            a.createTopics(List.of(new NewTopic(TOPIC, 2, (short) 3))).all().get(30, TimeUnit.SECONDS);
            TopicDescription d = a.describeTopics(List.of(TOPIC)).allTopicNames().get().get(TOPIC);
            leaders = Map.of(0, d.partitions().get(0).leader().id(), 1, d.partitions().get(1).leader().id());
        }
        int first;
        InitProducerIdResponseData p;
        try (RawClient any = new RawClient(cluster.kafkaPort(1))) {
            int[] found = {-1};
            InJvmCluster.await("a coordinator for " + TXN, 60_000, () -> {
                try {
                    found[0] = coordinator(any, TXN);
                    return found[0] > 0;
                } catch (Exception e) {
                    return false;
                }
            });
            first = found[0];
        }
        try (RawClient c = new RawClient(cluster.kafkaPort(first))) {
            p = TwoPhaseCommitProtocolTest.awaitInit(c, TXN, 1_000, true);
            assertEquals(Errors.NONE.code(), p.errorCode());
            assertEquals(Set.of(Errors.NONE), addPartitions(c, TXN, p.producerId(), p.producerEpoch(), TOPIC, 0, 1));
        }
        for (int part = 0; part < 2; part++) {
            try (RawClient leader = new RawClient(cluster.kafkaPort(leaders.get(part)))) {
                assertEquals(Errors.NONE.code(), produce(leader, TXN, TOPIC, part,
                        txnRecords(p.producerId(), p.producerEpoch(), 0, "xa-" + part)).errorCode());
            }
        }

        cluster.stop(first);
        int survivor = first == 1 ? 2 : 1;
        int[] next = {-1};
        try (RawClient any = new RawClient(cluster.kafkaPort(survivor)); Admin a = cluster.admin(survivor)) {
            InJvmCluster.await("the new coordinator has loaded the transaction", 60_000, () -> {
                try {
                    next[0] = coordinator(any, TXN);
                    if (next[0] <= 0 || next[0] == first) {
                        return false;
                    }
                    TransactionDescription d = a.describeTransactions(List.of(TXN)).description(TXN).get(10, TimeUnit.SECONDS);
                    return d.coordinatorId() == next[0];
                } catch (Exception e) {
                    return false;
                }
            });
            assertNotEquals(first, next[0]);
            TransactionDescription d = a.describeTransactions(List.of(TXN)).description(TXN).get(10, TimeUnit.SECONDS);
            assertEquals("ONGOING", d.state().name());
            assertEquals(Integer.MAX_VALUE, d.transactionTimeoutMs(), "loaded with the two-phase mark");
            assertEquals(2, d.topicPartitions().size());
        }
        try (RawClient c = new RawClient(cluster.kafkaPort(next[0]))) {
            Errors[] e = {null};
            InJvmCluster.await("the manager's commit is accepted", 60_000, () -> {
                try {
                    e[0] = endTxn(c, TXN, p.producerId(), p.producerEpoch(), true);
                    return e[0] != Errors.COORDINATOR_LOAD_IN_PROGRESS && e[0] != Errors.NOT_COORDINATOR
                            && e[0] != Errors.COORDINATOR_NOT_AVAILABLE;
                } catch (Exception ex) {
                    return false;
                }
            });
            assertEquals(Errors.NONE, e[0]);
        }
        assertEquals(List.of("xa-0", "xa-1"), readCommitted(survivor));
    }

    private List<String> readCommitted(int via) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + cluster.kafkaPort(via));
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<String> seen = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = List.of(new TopicPartition(TOPIC, 0), new TopicPartition(TOPIC, 1));
            c.assign(parts);
            c.seekToBeginning(parts);
            long deadline = System.currentTimeMillis() + 60_000;
            while (seen.size() < 2 && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    seen.add(new String(r.value(), StandardCharsets.UTF_8));
                }
            }
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp)) && System.currentTimeMillis() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(r -> seen.add(new String(r.value(), StandardCharsets.UTF_8)));
            }
        }
        seen.sort(null);
        return seen;
    }
}
