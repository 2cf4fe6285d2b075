package org.tributary.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.tributary.server.TxnRequests.marker;
import static org.tributary.server.TxnRequests.produce;
import static org.tributary.server.TxnRequests.txnRecords;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.tributary.log.AbortedTxn;
import org.tributary.partition.Partition;

/**
 * Three brokers in one JVM: the leader dies between a transaction's data and its marker. The new
 * leader, which built its transactions as a follower, serves the same last stable offset and
 * aborted list, takes the retried marker, and read_committed consumers see only committed records.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class TransactionFailoverTest {
    private static final String TOPIC = "tx-failover";
    private static final TopicPartition TP = new TopicPartition(TOPIC, 0);
    private InJvmCluster cluster;

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private Partition replica(int broker) {
        return cluster.replica(broker, TP);
    }

    @Test
    void aNewLeaderKeepsOpenAndAbortedTransactionsAndTakesTheRetriedMarker() throws Exception {
        // raw batches and markers without a coordinator: verification (KIP-890) off, as it would have to be in Kafka
        cluster = new InJvmCluster(Map.of("transaction.partition.verification.enable", "false")).start();
        try (Admin a = cluster.admin(1)) {
            a.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 3).configs(Map.of("min.insync.replicas", "2"))))
                    .all().get(30, TimeUnit.SECONDS);
        }
        InJvmCluster.await("partition has a leader", 30_000, () -> {
            try {
                return replica(1).leader() > 0;
            } catch (RuntimeException e) {
                return false;
            }
        });
        int leader = replica(1).leader();
        long a = 8001;
        long b = 8002;
        long c = 8003;
        try (RawClient raw = new RawClient(cluster.kafkaPort(leader))) {
            assertEquals(0, produce(raw, TOPIC, 0, txnRecords(a, (short) 0, 0, "a1", "a2")).errorCode()); // 0..1
            assertEquals(0, produce(raw, TOPIC, 0, txnRecords(b, (short) 0, 0, "b1")).errorCode()); // 2
            assertEquals(List.of(Errors.NONE), marker(raw, a, (short) 0, 1, false, TOPIC, 0)); // 3
            assertEquals(List.of(Errors.NONE), marker(raw, b, (short) 0, 1, true, TOPIC, 0)); // 4
            assertEquals(0, produce(raw, TOPIC, 0, txnRecords(c, (short) 0, 0, "c1")).errorCode()); // 5, its marker never comes
        }
        List<AbortedTxn> aborted = List.of(new AbortedTxn(a, 0, 3, 2));
        assertEquals(5, replica(leader).lastStableOffset());
        for (int id = 1; id <= 3; id++) {
            int broker = id;
            InJvmCluster.await("broker " + id + " has the transactions", 30_000,
                    () -> replica(broker).highWatermark() == 6 && replica(broker).lastStableOffset() == 5);
        }

        cluster.crash(leader);
        int survivor = leader == 1 ? 2 : 1;
        InJvmCluster.await("a new leader", 60_000, () -> {
            Partition p = replica(survivor);
            return p.leader() > 0 && p.leader() != leader && replica(p.leader()).isLeader();
        });
        int next = replica(survivor).leader();
        Partition newLeader = replica(next);
        assertEquals(5, newLeader.lastStableOffset(), "c is still open on the new leader");
        assertEquals(aborted, newLeader.abortedTransactions(0, newLeader.lastStableOffset()));

        int other = 6 - leader - next;
        try (KafkaConsumer<byte[], byte[]> committed = consumer(cluster.bootstrap(next, other))) {
            committed.assign(List.of(TP));
            assertEquals(List.of("b1"), TransactionDataProtocolTest.pollUntilPosition(committed, TP, 5));
        }
        try (RawClient raw = new RawClient(cluster.kafkaPort(next))) {
            assertEquals(List.of(Errors.NONE), marker(raw, c, (short) 0, 1, true, TOPIC, 0)); // the coordinator retries: 6
        }
        assertEquals(7, newLeader.lastStableOffset());
        try (KafkaConsumer<byte[], byte[]> committed = consumer(cluster.bootstrap(next, other))) {
            committed.assign(List.of(TP));
            assertEquals(List.of("b1", "c1"), TransactionDataProtocolTest.pollUntilPosition(committed, TP, 7));
        }
        cluster.startBroker(leader);
        InJvmCluster.await("the old leader catches up with the same transactions", 60_000,
                () -> replica(leader).logEndOffset() == 7 && replica(leader).lastStableOffset() == 7);
        assertEquals(aborted, replica(leader).abortedTransactions(0, 7));
    }

    private static KafkaConsumer<byte[], byte[]> consumer(String bootstrap) {
        return new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap, "isolation.level", "read_committed",
                "enable.auto.commit", false, "auto.offset.reset", "earliest"), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }
}
