package org.tributary.txn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;
import org.tributary.config.BrokerConfig;
import org.tributary.coordinator.CoordinatorLog;
import org.tributary.coordinator.CoordinatorShards;
import org.tributary.testing.FakeTime;

/**
 * KIP-939 at the coordinator, as Kafka 4.3.1: InitProducerId with enable_2pc (allowed by
 * {@code transaction.two.phase.commit.enable}) gives a transactional id whose transactions the
 * timeout never aborts, before and after a reload from {@code __transaction_state};
 * keep_prepared_txn is refused; a new InitProducerId still aborts the open transaction.
 */
class TwoPhaseCommitCoordinatorTest {
    static final String ID = "xa-1";
    static final TopicPartition A = new TopicPartition("a", 0);
    static final TopicPartition B = new TopicPartition("b", 1);
    static final long DAY_MS = 86_400_000L;

    final FakeTime time = new FakeTime(1_000_000L);
    final MemoryTxnLog log = new MemoryTxnLog();
    final AtomicLong ids = new AtomicLong(1000);
    final TransactionCoordinatorTest.FakeSender sender = new TransactionCoordinatorTest.FakeSender();
    CoordinatorShards shards;
    TransactionCoordinator tc;
    TxnConfig config;
    int partition;

    void start(boolean enabled) {
        config = TxnConfig.from(BrokerConfig.of(Map.of("transaction.two.phase.commit.enable", Boolean.toString(enabled))));
        shards = new CoordinatorShards("__transaction_state", log::leaderEpoch, Runnable::run);
        tc = new TransactionCoordinator(config, log, shards, time, ids::getAndIncrement, sender, Runnable::run);
        partition = tc.partitionFor(ID);
        shards.becameLeader(partition, log.leaderEpoch(partition));
    }

    TransactionCoordinator.InitResult init2pc(String id, int timeoutMs) {
        return tc.initProducerId(id, timeoutMs, -1L, (short) -1, true, false).join();
    }

    TxnSnapshot state(String id) {
        return tc.describe(id).orElseThrow().state();
    }

    /** Another transactional id of the same {@code __transaction_state} partition. */
    String sibling() {
        for (int i = 0;; i++) {
            if (tc.partitionFor("plain-" + i) == partition) {
                return "plain-" + i;
            }
        }
    }

    /** Advances past every abort check for {@code ms}, ticking as the broker does. */
    void runFor(long ms) {
        long end = time.milliseconds() + ms;
        while (time.milliseconds() < end) {
            time.advance(Math.min(config.abortTimedOutIntervalMs(), end - time.milliseconds()));
            tc.tick();
        }
    }

    @Test
    void refusedAsAnAuthorizationFailureWhileTheBrokerDoesNotAllowIt() {
        start(false);
        assertEquals(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, init2pc(ID, 60_000).error());
        assertEquals(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
                tc.initProducerId(ID, 60_000, -1L, (short) -1, true, true).join().error(), "checked before keep_prepared_txn");
        assertTrue(log.log(partition).isEmpty(), "nothing written");
        assertEquals(Errors.NONE, tc.initProducerId(ID, 60_000, -1L, (short) -1, false, false).join().error(), "plain init still works");
    }

    @Test
    void keepPreparedTxnIsUnsupportedAsInKafka431() {
        start(true);
        assertEquals(Errors.UNSUPPORTED_VERSION, tc.initProducerId(ID, 60_000, -1L, (short) -1, true, true).join().error());
        assertEquals(Errors.UNSUPPORTED_VERSION, tc.initProducerId(ID, 60_000, -1L, (short) -1, false, true).join().error());
        assertTrue(log.log(partition).isEmpty(), "nothing written");
    }

    @Test
    void theRequestedTimeoutIsNeitherCheckedNorKept() {
        start(true);
        TransactionCoordinator.InitResult p = init2pc(ID, 0);
        assertEquals(Errors.NONE, p.error(), "a timeout Kafka would refuse without 2PC");
        assertEquals(Integer.MAX_VALUE, state(ID).timeoutMs());
        assertEquals(Errors.NONE, init2pc(ID, Integer.MAX_VALUE).error(), "nor one above transaction.max.timeout.ms");
        java.util.List<CoordinatorLog.Entry> l = log.log(partition);
        assertEquals(Integer.MAX_VALUE, TransactionLogRecords.parseValue(l.get(l.size() - 1).value()).timeoutMs(),
                "the mark is in __transaction_state");
    }

    @Test
    void aTwoPhaseTransactionIsNeverAbortedByTheTimeout() {
        start(true);
        String plain = sibling();
        TransactionCoordinator.InitResult p = init2pc(ID, 1_000);
        TransactionCoordinator.InitResult q = tc.initProducerId(plain, 1_000, -1L, (short) -1).join();
        assertEquals(Errors.NONE, tc.addPartitions(ID, p.producerId(), p.epoch(), Set.of(A, B)).join());
        assertEquals(Errors.NONE, tc.addPartitions(plain, q.producerId(), q.epoch(), Set.of(A)).join());

        runFor(2 * config.abortTimedOutIntervalMs());
        assertEquals(TxnState.PREPARE_ABORT, state(plain).state(), "the plain transaction with the same timeout is aborted");
        sender.answerLast(Errors.NONE);
        runFor(30 * DAY_MS); // past Integer.MAX_VALUE ms (24.8 days) too
        assertEquals(TxnState.ONGOING, state(ID).state());
        assertEquals(p.epoch(), state(ID).epoch(), "not fenced");
        assertEquals(1, sender.sent.size(), "no markers for it");

        assertEquals(Errors.NONE, tc.endTxn(ID, p.producerId(), p.epoch(), true).join(), "its manager still commits it");
        assertTrue(sender.last().commit());
        assertEquals(Set.of(A, B), sender.last().partitions());
        sender.answerLast(Errors.NONE);
        assertEquals(TxnState.COMPLETE_COMMIT, state(ID).state());
    }

    @Test
    void theTwoPhaseMarkSurvivesAReloadFromTheLog() {
        start(true);
        TransactionCoordinator.InitResult p = init2pc(ID, 1_000);
        tc.addPartitions(ID, p.producerId(), p.epoch(), Set.of(A)).join();

        shards.resigned(partition, log.leaderEpoch(partition)); // the partition moves to another broker and back
        log.loseLeadership(partition);
        shards.becameLeader(partition, log.regainLeadership(partition));

        TxnSnapshot loaded = state(ID);
        assertEquals(TxnState.ONGOING, loaded.state());
        assertEquals(Integer.MAX_VALUE, loaded.timeoutMs());
        runFor(30 * DAY_MS);
        assertEquals(TxnState.ONGOING, state(ID).state(), "the new coordinator does not abort it either");
        assertTrue(sender.sent.isEmpty());
        assertEquals(Errors.NONE, tc.endTxn(ID, p.producerId(), p.epoch(), false).join());
        assertFalse(sender.last().commit());
    }

    @Test
    void aNewInitWithoutKeepAbortsTheOpenTransaction() {
        start(true);
        TransactionCoordinator.InitResult old = init2pc(ID, 1_000);
        tc.addPartitions(ID, old.producerId(), old.epoch(), Set.of(A, B)).join();
        assertEquals(Errors.CONCURRENT_TRANSACTIONS, init2pc(ID, 1_000).error());
        assertFalse(sender.last().commit(), "the previous instance's transaction is aborted");
        assertEquals(old.epoch() + 1, sender.last().producerEpoch());
        assertEquals(Set.of(A, B), sender.last().partitions());
        sender.answerLast(Errors.NONE);
        TransactionCoordinator.InitResult fresh = init2pc(ID, 1_000);
        assertEquals(Errors.NONE, fresh.error());
        assertEquals(old.epoch() + 2, fresh.epoch());
        assertEquals(Errors.PRODUCER_FENCED, tc.endTxn(ID, old.producerId(), old.epoch(), true).join());

        TransactionCoordinator.InitResult plain = tc.initProducerId(ID, 5_000, -1L, (short) -1).join();
        assertEquals(Errors.NONE, plain.error());
        assertEquals(5_000, state(ID).timeoutMs(), "an init without enable_2pc ends the mark");
    }
}
