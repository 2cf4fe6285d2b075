package org.tributary.partition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.errors.TransactionCoordinatorFencedException;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Records;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tributary.log.AbortedTxn;
import org.tributary.log.LogConfig;
import org.tributary.log.LogCrash;
import org.tributary.log.PartitionLog;
import org.tributary.metadata.PartitionRegistration;
import org.tributary.testing.FakeTime;

/**
 * Transactions in one partition with injected time: the last stable offset follows open
 * transactions and the high watermark, markers are checked as Kafka checks them, aborts land in the
 * transaction index, a follower builds the same state from the leader's batches, and a restart
 * after an unclean stop restores open transactions and the aborted list.
 */
class PartitionTransactionsTest {
    private static final TopicPartition TP = new TopicPartition("t", 0);
    private static final Uuid ID = Uuid.randomUuid();
    private static final long A = 100;
    private static final long B = 200;

    @TempDir
    Path dir;
    private final FakeTime time = new FakeTime(1_000_000L);
    private PartitionLog log;
    private PartitionLog followerLog;

    @AfterEach
    void close() throws Exception {
        for (PartitionLog l : new PartitionLog[] {log, followerLog}) {
            if (l != null) {
                try {
                    l.close();
                } catch (RuntimeException e) {
                    // already crashed in the test
                }
            }
        }
    }

    private Partition openLeader(List<Integer> replicas) throws Exception {
        log = PartitionLog.open(dir.resolve("t-0"), LogConfig.from(Map.of(), Map.of()), time);
        Partition p = Partition.open(TP, ID, log, dir.resolve("t-0.snapshot"), 1, replicas);
        p.update(new PartitionRegistration(replicas, replicas, 1, 0, 0), time.milliseconds());
        return p;
    }

    static MemoryRecords txn(long pid, short epoch, int seq, String... values) {
        SimpleRecord[] recs = new SimpleRecord[values.length];
        for (int i = 0; i < values.length; i++) {
            recs[i] = new SimpleRecord(1_000_000L, ("k-" + values[i]).getBytes(), values[i].getBytes());
        }
        return MemoryRecords.withTransactionalRecords(Compression.NONE, pid, epoch, seq, recs);
    }

    static MemoryRecords plain(String value) {
        return MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(1_000_000L, ("k-" + value).getBytes(), value.getBytes()));
    }

    private long marker(Partition p, long pid, short epoch, int coordinatorEpoch, boolean commit) throws Exception {
        return p.appendTxnMarker(pid, epoch, coordinatorEpoch, commit, 0, (short) 1, time.milliseconds()).firstOffset();
    }

    @Test
    void lastStableOffsetStopsAtTheEarliestOpenTransaction() throws Exception {
        Partition p = openLeader(List.of(1));
        p.appendAsLeader(txn(A, (short) 0, 0, "a1", "a2")); // 0..1
        assertEquals(0, p.lastStableOffset());
        p.appendAsLeader(plain("x")); // 2
        p.appendAsLeader(txn(B, (short) 0, 0, "b1")); // 3
        assertEquals(4, p.highWatermark());
        assertEquals(0, p.lastStableOffset());
        assertThrows(InvalidTxnStateException.class, () -> p.appendAsLeader(
                MemoryRecords.withIdempotentRecords(Compression.NONE, A, (short) 0, 2, new SimpleRecord("y".getBytes()))),
                "a non-transactional write in the middle of a transaction");

        assertEquals(4, marker(p, A, (short) 0, 1, false));
        assertEquals(3, p.lastStableOffset(), "B is still open");
        assertEquals(List.of(new AbortedTxn(A, 0, 4, 3)), p.abortedTransactions(0, p.lastStableOffset()));
        assertEquals(List.of(), p.abortedTransactions(5, 6), "A ended before offset 5");

        assertEquals(5, marker(p, B, (short) 0, 1, true));
        assertEquals(6, p.lastStableOffset());
        assertEquals(List.of(new AbortedTxn(A, 0, 4, 3)), p.log().allAbortedTransactions(), "a commit is not indexed");
        assertTrue(p.producerState().ongoingTransactions().isEmpty());

        Partition.ProducerView a = p.activeProducers().stream().filter(v -> v.producerId() == A).findFirst().orElseThrow();
        assertEquals(-1L, a.currentTxnStartOffset());
        assertEquals(1, a.coordinatorEpoch());
        assertEquals(1, a.lastSequence());

        // a marker for a producer with nothing open is written but changes nothing
        assertEquals(6, marker(p, A, (short) 0, 1, false));
        assertEquals(7, p.lastStableOffset());
        assertEquals(1, p.log().allAbortedTransactions().size());
    }

    @Test
    void lastStableOffsetWaitsForTheHighWatermarkAndForTheMarkerToBeReplicated() throws Exception {
        Partition p = openLeader(List.of(1, 2, 3));
        p.appendAsLeader(txn(A, (short) 0, 0, "a1", "a2"));
        assertEquals(0, p.lastStableOffset());
        p.appendAsLeader(plain("x")); // 2
        fetch(p, 3);
        assertEquals(3, p.highWatermark());
        assertEquals(0, p.lastStableOffset(), "A is open");
        assertEquals(3, marker(p, A, (short) 0, 0, true));
        assertEquals(0, p.lastStableOffset(), "committed, but the marker is not below the high watermark yet");
        fetch(p, 4);
        assertEquals(4, p.lastStableOffset());
    }

    private static void fetch(Partition p, long offset) {
        for (int r : List.of(2, 3)) {
            p.onFollowerFetch(r, 1L, offset, -1, 0, 1_000_000L, id -> true, 1L);
        }
    }

    @Test
    void markersAreCheckedAsKafkaChecksThem() throws Exception {
        Partition p = openLeader(List.of(1));
        p.appendAsLeader(txn(A, (short) 3, 0, "a1"));
        assertThrows(InvalidProducerEpochException.class, () -> marker(p, A, (short) 2, 5, true));
        assertThrows(InvalidProducerEpochException.class, () -> p.appendAsLeader(txn(A, (short) 2, 1, "old")));
        // transaction version 2: the coordinator bumps the epoch for every marker
        assertThrows(InvalidProducerEpochException.class,
                () -> p.appendTxnMarker(A, (short) 3, 5, true, 2, (short) 1, time.milliseconds()));
        p.appendTxnMarker(A, (short) 4, 5, true, 2, (short) 1, time.milliseconds());
        p.appendTxnMarker(A, (short) 4, 5, true, 2, (short) 1, time.milliseconds()); // a retry of the same marker
        assertThrows(TransactionCoordinatorFencedException.class, () -> marker(p, A, (short) 4, 4, false));
        assertEquals(4, p.producerState().entry(A).orElseThrow().epoch());
        MemoryRecords control = MemoryRecords.withEndTransactionMarker(0L, 1_000_000L, 0, A, (short) 4,
                new EndTransactionMarker(ControlRecordType.ABORT, 5));
        assertThrows(InvalidRecordException.class, () -> p.appendAsLeader(control), "clients cannot write markers");
        p.appendAsLeader(txn(A, (short) 4, 0, "next")); // the new epoch starts at sequence 0
        assertEquals(0, p.expireProducers(time.milliseconds() + 10_000_000L, 1000), "an open transaction keeps its producer");
    }

    @Test
    void coordinatorAppendsCheckEpochsButNotSequences() throws Exception {
        Partition p = openLeader(List.of(1));
        // a group coordinator writing transactional offset commits: every batch starts at sequence 0
        assertEquals(0, p.appendAsCoordinator(txn(A, (short) 1, 0, "o1"), (short) 1).firstOffset());
        Partition.AppendResult second = p.appendAsCoordinator(txn(A, (short) 1, 0, "o2"), (short) 1);
        assertEquals(1, second.firstOffset());
        assertTrue(!second.duplicate(), "not taken for a retry");
        assertThrows(InvalidProducerEpochException.class, () -> p.appendAsCoordinator(txn(A, (short) 0, 0, "old"), (short) 1));
        assertEquals(0, p.lastStableOffset());
        marker(p, A, (short) 1, 0, true);
        assertEquals(3, p.lastStableOffset());
    }

    @Test
    void aVerifiedCoordinatorAppendIsRefusedOnceAMarkerEndedTheTransaction() throws Exception {
        Partition p = openLeader(List.of(1));
        // TxnOffsetCommit verification starts without a sequence; the coordinator's batch carries 0: not out of order
        Object guard = p.startTxnVerification(A, org.apache.kafka.common.record.internal.RecordBatch.NO_SEQUENCE, (short) 0,
                time.milliseconds());
        assertEquals(0, p.appendAsCoordinator(txn(A, (short) 0, 0, "o1"), (short) 1, guard).firstOffset());
        assertEquals(null, p.startTxnVerification(A, -1, (short) 0, time.milliseconds()), "open now: nothing to verify");
        assertEquals(1, p.appendAsCoordinator(txn(A, (short) 0, 0, "o2"), (short) 1, null).firstOffset());
        marker(p, A, (short) 0, 0, false); // 2

        // the race: verification started, the transaction's marker lands, then the verified write arrives
        Object late = p.startTxnVerification(B, -1, (short) 0, time.milliseconds());
        marker(p, B, (short) 0, 0, false); // 3
        assertThrows(InvalidTxnStateException.class, () -> p.appendAsCoordinator(txn(B, (short) 0, 0, "late"), (short) 1, late));
        // the transaction was open when the write started (no guard needed), but ended before it was appended
        assertThrows(InvalidTxnStateException.class, () -> p.appendAsCoordinator(txn(A, (short) 0, 0, "after"), (short) 1, null));
        assertEquals(4, p.logEndOffset(), "nothing written");
        assertEquals(4, p.lastStableOffset(), "no transaction left open");

        // verification off: the unchecked coordinator append opens the transaction as before
        p.appendAsCoordinator(txn(B, (short) 0, 0, "unchecked"), (short) 1);
        assertEquals(4, p.lastStableOffset());
    }

    @Test
    void followerBuildsTheSameTransactionsAndKeepsThemWhenItBecomesLeader() throws Exception {
        Partition leader = openLeader(List.of(1, 2));
        leader.appendAsLeader(txn(A, (short) 0, 0, "a1", "a2")); // 0..1
        leader.appendAsLeader(txn(B, (short) 0, 0, "b1")); // 2
        marker(leader, A, (short) 0, 7, false); // 3
        leader.appendAsLeader(plain("x")); // 4
        leader.onFollowerFetch(2, 1L, 5, -1, 0, 1_000_000L, id -> true, 1L);
        assertEquals(2, leader.lastStableOffset());

        followerLog = PartitionLog.open(dir.resolve("f/t-0"), LogConfig.from(Map.of(), Map.of()), time);
        Partition follower = Partition.open(TP, ID, followerLog, dir.resolve("f/t-0.snapshot"), 2, List.of(1, 2));
        follower.update(new PartitionRegistration(List.of(1, 2), List.of(1, 2), 1, 0, 0), time.milliseconds());
        follower.appendAsFollower(copy(leader.log().read(0, 1 << 20, 5, true).records()), 5, 0, 0);
        assertEquals(5, follower.logEndOffset());
        assertEquals(2, follower.lastStableOffset());
        assertEquals(List.of(new AbortedTxn(A, 0, 3, 2)), follower.abortedTransactions(0, 5));

        follower.update(new PartitionRegistration(List.of(1, 2), List.of(2), 2, 1, 1), time.milliseconds());
        assertTrue(follower.isLeader());
        assertEquals(2, follower.lastStableOffset(), "B is still open on the new leader");
        marker(follower, B, (short) 0, 8, true);
        assertEquals(6, follower.lastStableOffset());
    }

    static MemoryRecords copy(Records records) throws Exception {
        ByteBuffer buf = ByteBuffer.allocate(records.sizeInBytes());
        ((FileRecords) records).readInto(buf, 0); // leaves it flipped
        return MemoryRecords.readableRecords(buf);
    }

    @Test
    void uncleanRestartRebuildsOpenTransactionsAndTheTransactionIndex() throws Exception {
        Partition p = openLeader(List.of(1));
        p.appendAsLeader(txn(A, (short) 0, 0, "a1", "a2")); // 0..1
        p.appendAsLeader(txn(B, (short) 0, 0, "b1")); // 2
        marker(p, A, (short) 0, 1, false); // 3
        p.appendAsLeader(plain("x")); // 4
        List<AbortedTxn> aborted = List.of(new AbortedTxn(A, 0, 3, 2));
        assertEquals(aborted, p.log().allAbortedTransactions());
        LogCrash.crash(log);
        try (Stream<Path> files = Files.list(dir.resolve("t-0"))) {
            for (Path f : files.filter(f -> f.toString().endsWith(".txnindex")).toList()) {
                Files.delete(f); // as if the index write was lost with the process
            }
        }

        Partition reopened = openLeader(List.of(1));
        assertEquals(5, reopened.highWatermark());
        assertEquals(2, reopened.lastStableOffset(), "B is open again after the restart");
        assertEquals(aborted, reopened.abortedTransactions(0, 5), "the aborted list is rebuilt from the log");
        marker(reopened, B, (short) 0, 1, true);
        assertEquals(6, reopened.lastStableOffset());
    }

    @Test
    void uncleanRestartFromASnapshotTakenInsideTransactions() throws Exception {
        Partition p = openLeader(List.of(1));
        p.appendAsLeader(txn(A, (short) 0, 0, "a1")); // 0
        p.appendAsLeader(txn(B, (short) 0, 0, "b1")); // 1
        p.snapshotProducerState(); // A and B open
        marker(p, A, (short) 0, 1, false); // 2
        p.appendAsLeader(txn(B, (short) 0, 1, "b2")); // 3
        LogCrash.crash(log);

        Partition reopened = openLeader(List.of(1));
        assertEquals(1, reopened.lastStableOffset());
        assertEquals(List.of(new AbortedTxn(A, 0, 2, 1)), reopened.log().allAbortedTransactions(), "indexed once");
        assertEquals(Map.of(1L, B), reopened.producerState().ongoingTransactions());
        marker(reopened, B, (short) 0, 1, false);
        assertEquals(List.of(new AbortedTxn(A, 0, 2, 1), new AbortedTxn(B, 1, 4, 5)), reopened.log().allAbortedTransactions());
        assertEquals(5, reopened.lastStableOffset());
    }
}
