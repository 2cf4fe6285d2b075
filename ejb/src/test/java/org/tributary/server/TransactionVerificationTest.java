package org.tributary.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tributary.server.TxnClientRequests.addOffsets;
import static org.tributary.server.TxnClientRequests.addPartitions;
import static org.tributary.server.TxnClientRequests.endTxn;
import static org.tributary.server.TxnClientRequests.initProducerId;
import static org.tributary.server.TxnClientRequests.produce;
import static org.tributary.server.TxnClientRequests.txnOffsetCommit;
import static org.tributary.server.TxnRequests.txnRecords;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.tributary.partition.ReplicaManager;
import org.tributary.server.TxnClientRequests.ProducerIdAndEpoch;

/**
 * KIP-890 part 1 on one broker, with raw requests of a producer whose steps the test chooses: the
 * late batch of an ended transaction and a batch for a partition never added are refused with
 * Kafka's errors and nothing is appended (the last stable offset does not get stuck), a zombie's
 * batch after a new epoch is refused, and so is a TxnOffsetCommit before AddOffsetsToTxn. Without
 * verification the same late batch hangs the partition, which is what this guards against.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TransactionVerificationTest {
    private static final short PRODUCE_V12 = 12;
    private static final short PRODUCE_V10 = 10;
    private TestBroker broker;
    private Admin admin;

    @BeforeAll
    void start() throws Exception {
        broker = new TestBroker();
        admin = broker.admin();
    }

    @AfterAll
    void stop() {
        if (admin != null) {
            admin.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    private static void createTopic(Admin a, String topic, int partitions) throws Exception {
        a.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
    }

    private static long offset(Admin a, TopicPartition tp, IsolationLevel level) throws Exception {
        return a.listOffsets(Map.of(tp, OffsetSpec.latest()), new ListOffsetsOptions(level)).partitionResult(tp).get().offset();
    }

    /** A transaction with one record on {@code tp}, aborted, its markers written. */
    private static ProducerIdAndEpoch abortedTransaction(RawClient c, Admin a, String id, TopicPartition tp) throws Exception {
        ProducerIdAndEpoch p = initProducerId(c, id);
        assertEquals(Errors.NONE, addPartitions(c, id, p, tp));
        assertEquals(Errors.NONE, produce(c, PRODUCE_V12, id, tp, txnRecords(p.id(), p.epoch(), 0, "a")));
        assertEquals(Errors.NONE, endTxn(c, id, p, false));
        InJvmCluster.await("the abort marker on " + tp, 20_000,
                () -> uncheck(() -> offset(a, tp, IsolationLevel.READ_COMMITTED) == offset(a, tp, IsolationLevel.READ_UNCOMMITTED)));
        return p;
    }

    @Test
    void theLateBatchOfAnEndedTransactionIsRefusedAndTheLastStableOffsetMovesOn() throws Exception {
        String topic = "verify-hang";
        TopicPartition tp = new TopicPartition(topic, 0);
        createTopic(admin, topic, 1);
        try (RawClient c = new RawClient(broker.port())) {
            ProducerIdAndEpoch p = abortedTransaction(c, admin, "hang-1", tp);
            long end = offset(admin, tp, IsolationLevel.READ_UNCOMMITTED);
            // the batch that was delayed in the network arrives after the abort (KIP-890's hanging transaction)
            assertEquals(Errors.TRANSACTION_ABORTABLE, produce(c, PRODUCE_V12, "hang-1", tp, txnRecords(p.id(), p.epoch(), 1, "late")));
            assertEquals(Errors.INVALID_TXN_STATE, produce(c, PRODUCE_V10, "hang-1", tp, txnRecords(p.id(), p.epoch(), 1, "late")),
                    "clients before Produce v11 do not know TRANSACTION_ABORTABLE");
            assertEquals(end, offset(admin, tp, IsolationLevel.READ_UNCOMMITTED), "nothing appended");
            assertEquals(end, offset(admin, tp, IsolationLevel.READ_COMMITTED), "the last stable offset is not held back");
        }
    }

    @Test
    void withoutVerificationTheSameLateBatchHangsThePartition() throws Exception {
        try (TestBroker plain = new TestBroker(Map.of("transaction.partition.verification.enable", "false"));
                Admin a = plain.admin();
                RawClient c = new RawClient(plain.port())) {
            TopicPartition tp = new TopicPartition("verify-off", 0);
            createTopic(a, tp.topic(), 1);
            ProducerIdAndEpoch p = abortedTransaction(c, a, "hang-off", tp);
            long end = offset(a, tp, IsolationLevel.READ_UNCOMMITTED);
            assertEquals(Errors.NONE, produce(c, PRODUCE_V12, "hang-off", tp, txnRecords(p.id(), p.epoch(), 1, "late")));
            assertEquals(end, offset(a, tp, IsolationLevel.READ_COMMITTED), "an open transaction no coordinator knows of");
            assertEquals(end + 1, offset(a, tp, IsolationLevel.READ_UNCOMMITTED));
        }
    }

    @Test
    void aPartitionNeverAddedIsRefusedWhileAnAddedOneIsWritten() throws Exception {
        String topic = "verify-unadded";
        createTopic(admin, topic, 2);
        TopicPartition added = new TopicPartition(topic, 0);
        TopicPartition skipped = new TopicPartition(topic, 1);
        try (RawClient c = new RawClient(broker.port())) {
            ProducerIdAndEpoch p = initProducerId(c, "unadded-1");
            assertEquals(Errors.NONE, addPartitions(c, "unadded-1", p, added));
            assertEquals(Errors.TRANSACTION_ABORTABLE, produce(c, PRODUCE_V12, "unadded-1", skipped, txnRecords(p.id(), p.epoch(), 0, "x")));
            assertEquals(0L, offset(admin, skipped, IsolationLevel.READ_UNCOMMITTED), "nothing appended to the partition never added");
            assertEquals(Errors.NONE, produce(c, PRODUCE_V12, "unadded-1", added, txnRecords(p.id(), p.epoch(), 0, "y")));
            assertEquals(Errors.NONE, produce(c, PRODUCE_V12, "unadded-1", added, txnRecords(p.id(), p.epoch(), 1, "z")),
                    "the open transaction needs no second verification");
            assertEquals(Errors.NONE, endTxn(c, "unadded-1", p, true));
            InJvmCluster.await("the commit marker", 20_000, () -> uncheck(() -> offset(admin, added, IsolationLevel.READ_COMMITTED) == 3));
            assertEquals(0L, offset(admin, skipped, IsolationLevel.READ_COMMITTED));
        }
    }

    @Test
    void aZombieBatchAfterANewEpochIsRefused() throws Exception {
        String topic = "verify-zombie";
        createTopic(admin, topic, 2);
        TopicPartition first = new TopicPartition(topic, 0);
        TopicPartition late = new TopicPartition(topic, 1);
        try (RawClient c = new RawClient(broker.port())) {
            ProducerIdAndEpoch zombie = initProducerId(c, "zombie-1");
            assertEquals(Errors.NONE, addPartitions(c, "zombie-1", zombie, first, late));
            assertEquals(Errors.NONE, produce(c, PRODUCE_V12, "zombie-1", first, txnRecords(zombie.id(), zombie.epoch(), 0, "z0")));
            ProducerIdAndEpoch successor = initProducerId(c, "zombie-1"); // aborts the zombie's transaction, bumps the epoch
            assertTrue(successor.epoch() > zombie.epoch());
            for (TopicPartition tp : List.of(first, late)) {
                InJvmCluster.await("the abort marker of the zombie's transaction on " + tp, 20_000,
                        () -> uncheck(() -> offset(admin, tp, IsolationLevel.READ_COMMITTED) == offset(admin, tp,
                                IsolationLevel.READ_UNCOMMITTED) && offset(admin, tp, IsolationLevel.READ_UNCOMMITTED) > 0));
            }
            long end = offset(admin, late, IsolationLevel.READ_UNCOMMITTED);
            assertEquals(Errors.INVALID_PRODUCER_EPOCH, produce(c, PRODUCE_V12, "zombie-1", late,
                    txnRecords(zombie.id(), zombie.epoch(), 1, "z1")));
            assertEquals(end, offset(admin, late, IsolationLevel.READ_UNCOMMITTED), "nothing appended");
            assertEquals(end, offset(admin, late, IsolationLevel.READ_COMMITTED), "nothing left open");
        }
    }

    @Test
    void aTxnOffsetCommitBeforeAddOffsetsToTxnIsRefused() throws Exception {
        String group = "verify-group";
        TopicPartition consumed = new TopicPartition("verify-consumed", 0);
        createTopic(admin, consumed.topic(), 1);
        ReplicaManager replicas = broker.server().replicaManager().orElseThrow();
        try (RawClient c = new RawClient(broker.port())) {
            InJvmCluster.await("the group coordinator", 30_000, () -> uncheck(() -> TxnClientRequests.findCoordinator(c,
                    org.apache.kafka.common.requests.FindCoordinatorRequest.CoordinatorType.GROUP, group) >= 0));
            ProducerIdAndEpoch p = initProducerId(c, "offsets-1");
            long before = offsetsTopicEnd(replicas);
            assertEquals(Errors.TRANSACTION_ABORTABLE, txnOffsetCommit(c, (short) 4, "offsets-1", p, group, consumed, 5));
            assertEquals(Errors.INVALID_TXN_STATE, txnOffsetCommit(c, (short) 3, "offsets-1", p, group, consumed, 5),
                    "TxnOffsetCommit before v4 does not know TRANSACTION_ABORTABLE");
            assertEquals(before, offsetsTopicEnd(replicas), "nothing written to __consumer_offsets");
            assertEquals(Errors.NONE, addOffsets(c, "offsets-1", p, group));
            assertEquals(Errors.NONE, txnOffsetCommit(c, (short) 4, "offsets-1", p, group, consumed, 7));
            assertEquals(Errors.NONE, endTxn(c, "offsets-1", p, true));
            InJvmCluster.await("the committed offset", 20_000, () -> uncheck(() -> {
                var o = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().get(consumed);
                return o != null && o.offset() == 7;
            }));
        }
    }

    private static long offsetsTopicEnd(ReplicaManager replicas) {
        long sum = 0;
        for (int i = 0; i < 50; i++) {
            sum += replicas.partition(new TopicPartition(Topic.GROUP_METADATA_TOPIC_NAME, i)).map(p -> p.logEndOffset()).orElse(0L);
        }
        return sum;
    }

    interface Check {
        boolean get() throws Exception;
    }

    static boolean uncheck(Check c) {
        try {
            return c.get();
        } catch (Exception e) {
            return false;
        }
    }
}
