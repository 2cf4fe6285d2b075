package org.tributary.txn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.tributary.coordinator.CoordinatorLog;
import org.tributary.coordinator.CoordinatorShards;
import org.tributary.testing.FakeTime;

class TransactionCoordinatorTest {
    static final String ID = "txn-1";
    static final TopicPartition A = new TopicPartition("a", 0);
    static final TopicPartition B = new TopicPartition("b", 1);
    static final TopicPartition C = new TopicPartition("c", 2);

    final FakeTime time = new FakeTime(1_000_000L);
    final MemoryTxnLog log = new MemoryTxnLog();
    final AtomicLong ids = new AtomicLong(1000);
    final FakeSender sender = new FakeSender();
    final TxnConfig config = TxnConfig.defaults();
    CoordinatorShards shards;
    TransactionCoordinator tc;
    int partition;

    /** Records what the coordinator sends; a test answers it. */
    static final class FakeSender implements TxnMarkerSender {
        final List<Markers> sent = new ArrayList<>();
        final List<CompletableFuture<Map<TopicPartition, Errors>>> answers = new ArrayList<>();

        @Override
        public synchronized CompletableFuture<Map<TopicPartition, Errors>> send(Markers markers) {
            sent.add(markers);
            CompletableFuture<Map<TopicPartition, Errors>> f = new CompletableFuture<>();
            answers.add(f);
            return f;
        }

        Markers last() {
            return sent.get(sent.size() - 1);
        }

        /** Answers the last send: every partition with {@code e}. */
        void answerLast(Errors e) {
            Map<TopicPartition, Errors> m = new HashMap<>();
            last().partitions().forEach(tp -> m.put(tp, e));
            answers.get(answers.size() - 1).complete(m);
        }
    }

    @BeforeEach
    void setUp() {
        shards = new CoordinatorShards("__transaction_state", log::leaderEpoch, Runnable::run);
        tc = new TransactionCoordinator(config, log, shards, time, ids::getAndIncrement, sender, Runnable::run);
        partition = tc.partitionFor(ID);
        shards.becameLeader(partition, log.leaderEpoch(partition));
    }

    TransactionCoordinator.InitResult init(String id) {
        return tc.initProducerId(id, 60_000, -1L, (short) -1).join();
    }

    /** Another transactional id of the same partition. */
    String sibling() {
        for (int i = 0;; i++) {
            if (tc.partitionFor("txn-other-" + i) == partition) {
                return "txn-other-" + i;
            }
        }
    }

    TxnSnapshot state(String id) {
        return tc.describe(id).orElseThrow().state();
    }

    TxnSnapshot lastRecord() {
        List<CoordinatorLog.Entry> l = log.log(partition);
        return TransactionLogRecords.parseValue(l.get(l.size() - 1).value());
    }

    @Test
    void partitionIsKafkasHashOfTheTransactionalId() {
        assertEquals(Math.abs(ID.hashCode()) % 50, partition);
    }

    @Test
    void initAssignsAProducerIdAndBumpsTheEpochEachTime() {
        TransactionCoordinator.InitResult first = init(ID);
        assertEquals(new TransactionCoordinator.InitResult(Errors.NONE, 1000L, (short) 0), first);
        assertEquals(TxnState.EMPTY, lastRecord().state());
        TransactionCoordinator.InitResult second = init(ID);
        assertEquals(new TransactionCoordinator.InitResult(Errors.NONE, 1000L, (short) 1), second);
        assertEquals(2, log.log(partition).size());
    }

    @Test
    void timeoutAboveTheMaximumIsRefused() {
        assertEquals(Errors.INVALID_TRANSACTION_TIMEOUT, tc.initProducerId(ID, 900_001, -1L, (short) -1).join().error());
        assertEquals(Errors.INVALID_TRANSACTION_TIMEOUT, tc.initProducerId(ID, 0, -1L, (short) -1).join().error());
        assertTrue(log.log(partition).isEmpty());
    }

    @Test
    void notCoordinatorOrStillLoading() {
        List<Runnable> deferred = new ArrayList<>();
        CoordinatorShards s = new CoordinatorShards("__transaction_state", log::leaderEpoch, deferred::add);
        TransactionCoordinator other = new TransactionCoordinator(config, log, s, time, ids::getAndIncrement, sender, Runnable::run);
        assertEquals(Errors.NOT_COORDINATOR, other.initProducerId(ID, 1000, -1L, (short) -1).join().error());
        s.becameLeader(partition, log.leaderEpoch(partition));
        assertEquals(Errors.COORDINATOR_LOAD_IN_PROGRESS, other.initProducerId(ID, 1000, -1L, (short) -1).join().error());
        deferred.forEach(Runnable::run);
        assertEquals(Errors.NONE, other.initProducerId(ID, 1000, -1L, (short) -1).join().error());
    }

    @Test
    void commitWritesPrepareThenMarkersThenComplete() {
        TransactionCoordinator.InitResult p = init(ID);
        assertEquals(Errors.NONE, tc.addPartitions(ID, p.producerId(), p.epoch(), Set.of(A, B)).join());
        assertEquals(Errors.NONE, tc.addPartitions(ID, p.producerId(), p.epoch(), Set.of(C)).join());
        TxnSnapshot ongoing = state(ID);
        assertEquals(TxnState.ONGOING, ongoing.state());
        assertEquals(Set.of(A, B, C), ongoing.partitions());
        assertEquals(time.milliseconds(), ongoing.startMs());

        log.autoReplicate = false;
        CompletableFuture<Errors> end = tc.endTxn(ID, p.producerId(), p.epoch(), true);
        assertFalse(end.isDone(), "answered only once PrepareCommit is durable");
        assertTrue(sender.sent.isEmpty(), "no marker before the prepare is durable");
        log.replicate(partition);
        assertEquals(Errors.NONE, end.join());
        assertEquals(TxnState.PREPARE_COMMIT, state(ID).state());
        TxnMarkerSender.Markers m = sender.last();
        assertEquals(new TxnMarkerSender.Markers(p.producerId(), p.epoch(), true, log.leaderEpoch(partition), Set.of(A, B, C)), m);

        sender.answerLast(Errors.NONE);
        log.replicate(partition);
        TxnSnapshot done = state(ID);
        assertEquals(TxnState.COMPLETE_COMMIT, done.state());
        assertTrue(done.partitions().isEmpty());
        assertEquals(TxnState.COMPLETE_COMMIT, lastRecord().state());
    }

    @Test
    void abortSendsAbortMarkers() {
        TransactionCoordinator.InitResult p = init(ID);
        tc.addPartitions(ID, p.producerId(), p.epoch(), Set.of(A)).join();
        assertEquals(Errors.NONE, tc.endTxn(ID, p.producerId(), p.epoch(), false).join());
        assertFalse(sender.last().commit());
        sender.answerLast(Errors.NONE);
        assertEquals(TxnState.COMPLETE_ABORT, state(ID).state());
    }

    @Test
    void olderEpochAndUnknownProducerAreRefused() {
        TransactionCoordinator.InitResult zombie = init(ID);
        TransactionCoordinator.InitResult fresh = init(ID);
        assertEquals(Errors.PRODUCER_FENCED, tc.addPartitions(ID, zombie.producerId(), zombie.epoch(), Set.of(A)).join());
        assertEquals(Errors.PRODUCER_FENCED, tc.endTxn(ID, zombie.producerId(), zombie.epoch(), true).join());
        assertEquals(Errors.INVALID_PRODUCER_ID_MAPPING, tc.addPartitions(ID, 42L, fresh.epoch(), Set.of(A)).join());
        assertEquals(Errors.INVALID_PRODUCER_ID_MAPPING, tc.endTxn(sibling(), fresh.producerId(), fresh.epoch(), true).join());
        assertEquals(Errors.NONE, tc.addPartitions(ID, fresh.producerId(), fresh.epoch(), Set.of(A)).join());
    }

    @Test
    void endTxnWithoutATransactionIsInvalid() {
        TransactionCoordinator.InitResult p = init(ID);
        assertEquals(Errors.INVALID_TXN_STATE, tc.endTxn(ID, p.producerId(), p.epoch(), true).join());
    }

    @Test
    void concurrentEndTxnIsAnsweredAsKafkaDoes() {
        TransactionCoordinator.InitResult p = init(ID);
        tc.addPartitions(ID, p.producerId(), p.epoch(), Set.of(A, B)).join();
        log.autoReplicate = false;
        CompletableFuture<Errors> first = tc.endTxn(ID, p.producerId(), p.epoch(), true);
        assertEquals(Errors.CONCURRENT_TRANSACTIONS, tc.endTxn(ID, p.producerId(), p.epoch(), true).join(), "prepare being written");
        assertEquals(Errors.CONCURRENT_TRANSACTIONS, tc.addPartitions(ID, p.producerId(), p.epoch(), Set.of(C)).join());
        log.replicate(partition);
        assertEquals(Errors.NONE, first.join());
        assertEquals(Errors.CONCURRENT_TRANSACTIONS, tc.endTxn(ID, p.producerId(), p.epoch(), true).join(), "markers being written");
        assertEquals(Errors.INVALID_TXN_STATE, tc.endTxn(ID, p.producerId(), p.epoch(), false).join());
        assertEquals(Errors.CONCURRENT_TRANSACTIONS, tc.initProducerId(ID, 60_000, -1L, (short) -1).join().error());
        sender.answerLast(Errors.NONE);
        log.replicate(partition);
        assertEquals(Errors.NONE, tc.endTxn(ID, p.producerId(), p.epoch(), true).join(), "a retried commit succeeds");
        assertEquals(Errors.INVALID_TXN_STATE, tc.endTxn(ID, p.producerId(), p.epoch(), false).join());
    }

    @Test
    void initDuringATransactionAbortsItWithABumpedEpochFirst() {
        TransactionCoordinator.InitResult old = init(ID);
        tc.addPartitions(ID, old.producerId(), old.epoch(), Set.of(A, B)).join();
        assertEquals(Errors.CONCURRENT_TRANSACTIONS, init(ID).error());
        TxnMarkerSender.Markers abort = sender.last();
        assertFalse(abort.commit());
        assertEquals(old.epoch() + 1, abort.producerEpoch(), "the markers carry the fencing epoch");
        assertEquals(Set.of(A, B), abort.partitions());
        assertEquals(Errors.CONCURRENT_TRANSACTIONS, init(ID).error(), "until the markers are written");
        assertEquals(Errors.PRODUCER_FENCED, tc.endTxn(ID, old.producerId(), old.epoch(), true).join());
        sender.answerLast(Errors.NONE);
        TransactionCoordinator.InitResult fresh = init(ID);
        assertEquals(Errors.NONE, fresh.error());
        assertEquals(old.epoch() + 2, fresh.epoch());
        assertEquals(old.producerId(), fresh.producerId());
    }

    @Test
    void markersAreRetriedUntilEveryPartitionAnswers() {
        TransactionCoordinator.InitResult p = init(ID);
        tc.addPartitions(ID, p.producerId(), p.epoch(), Set.of(A, B, C)).join();
        tc.endTxn(ID, p.producerId(), p.epoch(), true).join();
        sender.answers.get(0).complete(Map.of(A, Errors.NONE, B, Errors.NOT_LEADER_OR_FOLLOWER, C, Errors.UNKNOWN_TOPIC_OR_PARTITION));
        assertEquals(1, sender.sent.size());
        tc.tick();
        assertEquals(1, sender.sent.size(), "not before the backoff");
        time.advance(config.markerRetryBackoffMs());
        tc.tick();
        assertEquals(Set.of(B), sender.last().partitions(), "only the partition that failed, to whoever leads it now");
        assertEquals(TxnState.PREPARE_COMMIT, state(ID).state());
        sender.answerLast(Errors.NONE);
        assertEquals(TxnState.COMPLETE_COMMIT, state(ID).state());
    }

    @Test
    void timedOutTransactionIsAbortedAndItsProducerFenced() {
        TransactionCoordinator.InitResult p = tc.initProducerId(ID, 5_000, -1L, (short) -1).join();
        tc.addPartitions(ID, p.producerId(), p.epoch(), Set.of(A)).join();
        time.advance(5_001);
        tc.tick();
        assertEquals(TxnState.ONGOING, state(ID).state(), "checked every abort interval");
        time.advance(config.abortTimedOutIntervalMs());
        tc.tick();
        TxnSnapshot aborting = state(ID);
        assertEquals(TxnState.PREPARE_ABORT, aborting.state());
        assertEquals(p.epoch() + 1, aborting.epoch());
        assertFalse(sender.last().commit());
        assertEquals(p.epoch() + 1, sender.last().producerEpoch());
        sender.answerLast(Errors.NONE);
        assertEquals(TxnState.COMPLETE_ABORT, state(ID).state());
        assertEquals(Errors.PRODUCER_FENCED, tc.addPartitions(ID, p.producerId(), p.epoch(), Set.of(A)).join());
        assertEquals(Errors.PRODUCER_FENCED, tc.endTxn(ID, p.producerId(), p.epoch(), true).join());
    }

    @Test
    void idleTransactionalIdsExpire() {
        init(ID);
        time.advance(config.idExpirationMs() + config.idExpirationIntervalMs());
        tc.tick();
        assertTrue(tc.describe(ID).isEmpty());
        List<CoordinatorLog.Entry> l = log.log(partition);
        assertEquals(null, l.get(l.size() - 1).value(), "a tombstone");
        assertEquals(1000L + 1, init(ID).producerId() , "a new producer id afterwards");
    }

    @Test
    void exhaustedEpochGetsANewProducerId() {
        TransactionCoordinator.InitResult p = init(ID);
        TxnSnapshot s = state(ID);
        log.partitions.get(partition).add(new CoordinatorLog.Entry(TransactionLogRecords.key(ID), TransactionLogRecords.value(
                new TxnSnapshot(p.producerId(), -1L, TxnTransitions.MAX_EPOCH, (short) -1, s.timeoutMs(), TxnState.EMPTY, Set.of(), -1L,
                        time.milliseconds()))));
        log.replicate(partition);
        reload();
        TransactionCoordinator.InitResult rotated = init(ID);
        assertEquals(Errors.NONE, rotated.error());
        assertEquals(0, rotated.epoch());
        assertTrue(rotated.producerId() != p.producerId());
    }

    @Test
    void recoveringProducerKip360() {
        TransactionCoordinator.InitResult p = init(ID);
        TransactionCoordinator.InitResult bumped = tc.initProducerId(ID, 60_000, p.producerId(), p.epoch()).join();
        assertEquals(new TransactionCoordinator.InitResult(Errors.NONE, p.producerId(), (short) (p.epoch() + 1)), bumped);
        TransactionCoordinator.InitResult retry = tc.initProducerId(ID, 60_000, p.producerId(), p.epoch()).join();
        assertEquals(bumped, retry, "a retry of a bump whose answer was lost gets the same epoch");
        assertEquals(Errors.PRODUCER_FENCED, tc.initProducerId(ID, 60_000, 777L, (short) 0).join().error());
        assertEquals(Errors.PRODUCER_FENCED, tc.initProducerId(ID, 60_000, p.producerId(), (short) 9).join().error());
    }

    @Test
    void verifyOnlyAnswersWhetherPartitionsAreInTheTransaction() {
        TransactionCoordinator.InitResult p = init(ID);
        tc.addPartitions(ID, p.producerId(), p.epoch(), Set.of(A)).join();
        Map<TopicPartition, Errors> v = tc.verifyPartitions(ID, p.producerId(), p.epoch(), Set.of(A, B));
        assertEquals(Map.of(A, Errors.NONE, B, Errors.TRANSACTION_ABORTABLE), v);
        assertEquals(Map.of(A, Errors.PRODUCER_FENCED), tc.verifyPartitions(ID, p.producerId(), (short) (p.epoch() + 1), Set.of(A)));
        assertEquals(TxnState.ONGOING, state(ID).state());
        assertEquals(Set.of(A), state(ID).partitions(), "verifying adds nothing");
    }

    /** The partition moves away and comes back: replayed from the log. */
    void reload() {
        shards.resigned(partition, log.leaderEpoch(partition));
        log.loseLeadership(partition);
        int epoch = log.regainLeadership(partition);
        shards.becameLeader(partition, epoch);
    }

    @Test
    void reloadReproducesEveryTransactionAndResumesPreparedMarkers() {
        String other = sibling();
        TransactionCoordinator.InitResult p = init(ID);
        tc.addPartitions(ID, p.producerId(), p.epoch(), Set.of(A, B)).join();
        TransactionCoordinator.InitResult q = init(other);
        tc.addPartitions(other, q.producerId(), q.epoch(), Set.of(C)).join();
        tc.endTxn(ID, p.producerId(), p.epoch(), true).join();
        TxnSnapshot before = state(ID);
        TxnSnapshot otherBefore = state(other);
        assertEquals(1, sender.sent.size());

        reload();
        assertEquals(Errors.NONE, tc.checkCoordinator(ID));
        assertEquals(before.withEpoch(before.epoch(), (short) -1), state(ID), "PrepareCommit reproduced");
        assertEquals(otherBefore.withEpoch(otherBefore.epoch(), (short) -1), state(other), "Ongoing reproduced");
        assertEquals(2, sender.sent.size(), "the markers are resumed on load");
        TxnMarkerSender.Markers resumed = sender.last();
        assertTrue(resumed.commit());
        assertEquals(Set.of(A, B), resumed.partitions());
        assertEquals(log.leaderEpoch(partition), resumed.coordinatorEpoch(), "with the new coordinator epoch");
        sender.answers.get(0).complete(Map.of(A, Errors.NONE, B, Errors.NONE)); // the old leadership's answer is ignored
        assertEquals(TxnState.PREPARE_COMMIT, state(ID).state());
        sender.answerLast(Errors.NONE);
        assertEquals(TxnState.COMPLETE_COMMIT, state(ID).state());
    }

    @Test
    void resignAnswersNotCoordinatorAndUncommittedWritesAreLost() {
        TransactionCoordinator.InitResult p = init(ID);
        log.autoReplicate = false;
        CompletableFuture<Errors> add = tc.addPartitions(ID, p.producerId(), p.epoch(), Set.of(A));
        shards.resigned(partition, log.leaderEpoch(partition));
        log.loseLeadership(partition);
        assertEquals(Errors.NOT_COORDINATOR, add.join());
        assertEquals(Errors.NOT_COORDINATOR, tc.endTxn(ID, p.producerId(), p.epoch(), true).join());
        shards.becameLeader(partition, log.regainLeadership(partition));
        assertEquals(TxnState.EMPTY, state(ID).state(), "the add above the high watermark was truncated");
    }

    @Test
    void tooFewInSyncReplicasIsCoordinatorNotAvailable() {
        log.tooFewInSyncReplicas = true;
        assertEquals(Errors.COORDINATOR_NOT_AVAILABLE, init(ID).error());
        assertTrue(tc.describe(ID).isEmpty());
    }
}
