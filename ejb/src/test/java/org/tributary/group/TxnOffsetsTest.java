package org.tributary.group;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tributary.group.GroupCoordinatorTest.G;
import static org.tributary.group.GroupCoordinatorTest.join;
import static org.tributary.group.GroupCoordinatorTest.offset;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.tributary.testing.FakeTime;

/**
 * Transactional offsets (KIP-98 TxnOffsetCommit, KIP-447): pending until the producer's marker,
 * invisible to OffsetFetch meanwhile (UNSTABLE_OFFSET_COMMIT with require_stable), taken up on
 * COMMIT unless a later write is visible, dropped on ABORT; rebuilt the same way by a replay.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class TxnOffsetsTest {
    static final long PID = 7L;
    final FakeTime time = new FakeTime(1_000_000L);
    final MemoryCoordinatorLog log = new MemoryCoordinatorLog();
    final Queue<Runnable> loader = new ArrayDeque<>();
    final GroupCoordinator coordinator = new GroupCoordinator(GroupConfig.defaults().withInitialRebalanceDelayMs(0), log, time,
            meta -> Set.of(new String(meta, StandardCharsets.UTF_8).split(",")), loader::add, Runnable::run);
    final int partition = coordinator.partitionFor(G);
    final TopicPartition tp0 = new TopicPartition("t", 0);
    final TopicPartition tp1 = new TopicPartition("t", 1);
    final TopicPartition tp2 = new TopicPartition("t", 2);

    @BeforeEach
    void lead() {
        coordinator.becameLeader(partition, log.leaderEpoch(partition));
        runLoader();
    }

    void runLoader() {
        for (Runnable r = loader.poll(); r != null; r = loader.poll()) {
            r.run();
        }
    }

    Errors commit(TopicPartition tp, long o) {
        return coordinator.offsets().commit(new GroupOffsets.CommitRequest(G, "", null, -1, Map.of(tp, offset(o)))).join().get(tp);
    }

    Errors txnCommit(long pid, TopicPartition tp, long o) {
        return txnCommit(pid, "", null, -1, tp, offset(o));
    }

    Errors txnCommit(long pid, String member, String instance, int generation, TopicPartition tp, CommittedOffset o) {
        return coordinator.txnOffsets().commit(new TxnOffsetCommits.TxnCommitRequest("tx", pid, (short) 0, G, member, instance,
                generation, Map.of(tp, o))).join().get(tp);
    }

    /** Writes the marker to the log and tells the coordinator, as WriteTxnMarkers does once it is replicated. */
    void marker(long pid, boolean commit) throws IOException {
        long at = log.writeMarker(partition, pid, commit);
        coordinator.markerWritten(new TopicPartition("__consumer_offsets", partition), pid, (short) 0, commit, at);
    }

    long fetched(TopicPartition tp) {
        GroupOffsets.FetchResult r = coordinator.offsets().fetch(G, List.of(tp));
        assertEquals(Errors.NONE, r.error());
        return r.offsets().get(tp).offset();
    }

    boolean unstable(TopicPartition tp) {
        GroupOffsets.FetchResult r = coordinator.offsets().fetch(G, List.of(tp), true);
        assertEquals(Errors.NONE, r.error());
        return r.unstable().contains(tp);
    }

    /** Loses and regains the partition: a new leadership replays the log. */
    void failOver() {
        log.loseLeadership(partition);
        coordinator.resigned(partition, log.epoch(partition));
        runLoader();
        int epoch = log.regainLeadership(partition);
        coordinator.becameLeader(partition, epoch);
        runLoader();
        assertEquals(Errors.NONE, coordinator.checkCoordinator(G));
    }

    @Test
    void pendingOffsetsAreInvisibleUntilTheCommitMarker() throws IOException {
        assertEquals(Errors.NONE, commit(tp0, 5));
        assertEquals(Errors.NONE, txnCommit(PID, tp0, 10));
        assertEquals(5, fetched(tp0), "a pending transactional offset is not shown");
        assertTrue(unstable(tp0), "require_stable: UNSTABLE_OFFSET_COMMIT while the transaction is open");
        assertFalse(unstable(tp1));
        marker(PID, true);
        assertEquals(10, fetched(tp0));
        assertFalse(unstable(tp0));
    }

    @Test
    void anAbortMarkerDropsThem() throws IOException {
        assertEquals(Errors.NONE, commit(tp0, 5));
        assertEquals(Errors.NONE, txnCommit(PID, tp0, 10));
        marker(PID, false);
        assertEquals(5, fetched(tp0));
        assertFalse(unstable(tp0));
        marker(PID, true); // a later commit of the producer does not bring the aborted offset back
        assertEquals(5, fetched(tp0));
    }

    @Test
    void aLaterPlainCommitWinsOverAnEarlierTransactionalOne() throws IOException {
        assertEquals(Errors.NONE, txnCommit(PID, tp0, 10));
        assertEquals(Errors.NONE, commit(tp0, 7));
        marker(PID, true);
        assertEquals(7, fetched(tp0), "Kafka's rule: the write later in the log wins");
    }

    @Test
    void aMarkerEndsOnlyWhatItsTransactionWroteBeforeIt() throws IOException {
        assertEquals(Errors.NONE, txnCommit(PID, tp0, 10));
        long at = log.writeMarker(partition, PID, true);
        assertEquals(Errors.NONE, txnCommit(PID, tp1, 20)); // the producer's next transaction, before the first marker is heard of
        coordinator.markerWritten(new TopicPartition("__consumer_offsets", partition), PID, (short) 0, true, at);
        assertEquals(10, fetched(tp0));
        assertEquals(-1, fetched(tp1));
        assertTrue(unstable(tp1));
    }

    @Test
    void aReplayResolvesInterleavedTransactionsByTheirMarkers() throws IOException {
        assertEquals(Errors.NONE, commit(tp0, 1));
        assertEquals(Errors.NONE, txnCommit(7L, tp0, 10));
        assertEquals(Errors.NONE, txnCommit(8L, tp1, 20));
        assertEquals(Errors.NONE, commit(tp1, 3)); // later than producer 8's write: stays after its commit
        log.writeMarker(partition, 7L, true);
        log.writeMarker(partition, 8L, true);
        assertEquals(Errors.NONE, txnCommit(9L, tp2, 30));
        log.writeMarker(partition, 9L, false);
        assertEquals(Errors.NONE, txnCommit(10L, tp0, 40)); // still open at the end of the log
        failOver();
        assertEquals(10, fetched(tp0));
        assertEquals(3, fetched(tp1));
        assertEquals(-1, fetched(tp2));
        assertTrue(unstable(tp0));
        assertFalse(unstable(tp1));
        assertFalse(unstable(tp2));
        marker(10L, true); // the open transaction's marker reaches the new leadership
        assertEquals(40, fetched(tp0));
        assertFalse(unstable(tp0));
        failOver(); // and a second replay agrees
        assertEquals(40, fetched(tp0));
        assertEquals(3, fetched(tp1));
        assertEquals(-1, fetched(tp2));
    }

    @Test
    void aMarkerHeardWhileThePartitionLoadsIsAppliedOnceLoaded() throws IOException {
        assertEquals(Errors.NONE, txnCommit(PID, tp0, 10));
        log.afterReplay = () -> { // the marker lands after the replay read the log, before the load installs
            try {
                assertEquals(Errors.COORDINATOR_LOAD_IN_PROGRESS, coordinator.checkCoordinator(G));
                marker(PID, true);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
        failOver();
        assertEquals(10, fetched(tp0));
        assertFalse(unstable(tp0));
    }

    @Test
    void kip447ChecksTheMemberAndGeneration() {
        JoinResult first = coordinator.join(join("", "instance-1", "consumer", "range")).join();
        assertEquals(Errors.NONE, first.error());
        String member = first.memberId();
        assertEquals(Errors.NONE, coordinator.sync(G, 1, member, "instance-1", null, null,
                Map.of(member, "mine".getBytes(StandardCharsets.UTF_8))).join().error());
        assertEquals(Errors.ILLEGAL_GENERATION, txnCommit(PID, member, "instance-1", 2, tp0, offset(1)));
        assertEquals(Errors.UNKNOWN_MEMBER_ID, txnCommit(PID, "someone-else", null, 1, tp0, offset(1)));
        assertEquals(Errors.FENCED_INSTANCE_ID, txnCommit(PID, "someone-else", "instance-1", 1, tp0, offset(1)));
        assertEquals(Errors.UNKNOWN_MEMBER_ID, txnCommit(PID, member, "instance-2", 1, tp0, offset(1)), "an unknown static member");
        assertEquals(Errors.ILLEGAL_GENERATION, txnCommit(PID, member, "instance-1", -1, tp0, offset(1)), "a member without generation");
        assertEquals(Errors.NONE, txnCommit(PID, tp1, 2), "no member fields (TxnOffsetCommit before v3): accepted, as Kafka");
        CommittedOffset big = new CommittedOffset(1, -1, "x".repeat(5000), 0L, -1L);
        assertEquals(Errors.OFFSET_METADATA_TOO_LARGE, txnCommit(PID, member, "instance-1", 1, tp0, big));
        assertEquals(Errors.NONE, txnCommit(PID, member, "instance-1", 1, tp0, offset(1)));
    }

    @Test
    void deletingTheGroupDropsItsPendingTransactionalOffsets() throws IOException {
        assertEquals(Errors.NONE, txnCommit(PID, tp0, 10));
        long before = log.tombstones();
        assertEquals(Map.of(G, Errors.NONE), coordinator.deleteGroups(List.of(G)).join());
        assertTrue(log.tombstones() > before + 1, "an offset tombstone for the pending partition and the group's");
        marker(PID, true);
        assertEquals(-1, fetched(tp0), "the tombstone written after the transactional offset removes it, as Kafka's replay");
        failOver();
        assertEquals(-1, fetched(tp0));
    }

    @Test
    void offsetDeleteWritesATombstoneForAPendingTransactionalOffset() throws IOException {
        assertEquals(Errors.NONE, commit(tp1, 1));
        assertEquals(Errors.NONE, txnCommit(PID, tp0, 10));
        long before = log.tombstones();
        assertEquals(Errors.NONE, coordinator.offsets().delete(G, List.of(tp0)).join().getKey());
        assertEquals(before + 1, log.tombstones());
        assertFalse(unstable(tp0));
        marker(PID, true);
        assertEquals(-1, fetched(tp0));
    }
}
