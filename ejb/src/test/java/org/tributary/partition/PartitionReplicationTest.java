package org.tributary.partition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.compress.Compression;
import org.tributary.testing.FakeTime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tributary.log.LogConfig;
import org.tributary.log.PartitionLog;
import org.tributary.metadata.PartitionRegistration;

/**
 * The leader's replication rules on one partition with injected time: the high watermark is the
 * smallest log end offset of the maximal ISR and never moves back; acks=all completes only then,
 * and reports a shrink below min.insync.replicas; a follower joins the ISR only once it reaches the
 * high watermark and the start of the current leader epoch; one lagging longer than
 * replica.lag.time.max.ms is proposed for removal; a stale leader epoch is fenced; a follower
 * whose last epoch the leader does not hold is told where to truncate.
 */
class PartitionReplicationTest {
    private static final TopicPartition TP = new TopicPartition("t", 0);
    private static final Uuid ID = Uuid.randomUuid();
    private static final IntPredicate ALL_ELIGIBLE = id -> true;
    private static final long LAG_MS = 30_000;

    @TempDir
    Path dir;
    private final FakeTime time = new FakeTime(1_000_000L);
    private PartitionLog log;
    private Partition leader;

    @BeforeEach
    void open() throws Exception {
        log = PartitionLog.open(dir.resolve("t-0"), LogConfig.from(Map.of(), Map.of("min.insync.replicas", "2")), time);
        leader = Partition.open(TP, ID, log, dir.resolve("t-0.snapshot"), 1, List.of(1, 2, 3));
        assertEquals(Partition.Transition.BECAME_LEADER, leader.update(new PartitionRegistration(List.of(1, 2, 3), List.of(1, 2, 3), 1, 0, 0),
                time.milliseconds()));
    }

    @AfterEach
    void close() throws Exception {
        log.close();
    }

    private static MemoryRecords records(String... values) {
        SimpleRecord[] r = new SimpleRecord[values.length];
        for (int i = 0; i < values.length; i++) {
            r[i] = new SimpleRecord(0L, null, values[i].getBytes());
        }
        return MemoryRecords.withRecords(Compression.NONE, r);
    }

    private Partition.FollowerFetch fetch(int replica, long offset) {
        return leader.onFollowerFetch(replica, 7L, offset, log.latestEpoch().orElse(-1), 0, time.milliseconds(), ALL_ELIGIBLE, 5L);
    }

    /**
     * A new leader epoch that cannot be written (here its checkpoint's temporary file is blocked by a
     * directory) leaves the partition OFFLINE, refusing appends, instead of a leader without its
     * epoch recorded or its followers tracked. The failed write fails the log, as any I/O error in
     * its directory does (Kafka's log directory goes offline): given the same registration again,
     * even once the disk is usable, it still leads nothing; reopened (a restart), it leads.
     */
    @Test
    void aLeaderEpochThatCannotBeWrittenLeavesThePartitionOfflineUntilItsLogIsReopened() throws Exception {
        leader.appendAsLeader(records("a"), (short) 1);
        Path blocker = dir.resolve("t-0").resolve("leader-epoch-checkpoint.tmp");
        java.nio.file.Files.createDirectory(blocker);
        PartitionRegistration epoch1 = new PartitionRegistration(List.of(1, 2, 3), List.of(1, 2, 3), 1, 1, 1);
        org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class, () -> leader.update(epoch1, time.milliseconds()));
        assertEquals(Partition.Role.OFFLINE, leader.role());
        assertFalse(leader.isLeader());
        assertTrue(log.isFailed(), "the failed checkpoint write fails the log");
        org.junit.jupiter.api.Assertions.assertThrows(org.apache.kafka.common.errors.NotLeaderOrFollowerException.class,
                () -> leader.appendAsLeader(records("b"), (short) 1));

        java.nio.file.Files.delete(blocker);
        org.junit.jupiter.api.Assertions.assertThrows(org.apache.kafka.common.errors.KafkaStorageException.class,
                () -> leader.update(epoch1, time.milliseconds()));
        assertEquals(Partition.Role.OFFLINE, leader.role(), "a failed log leads nothing until it is reopened");

        log.close();
        log = PartitionLog.open(dir.resolve("t-0"), LogConfig.from(Map.of(), Map.of("min.insync.replicas", "2")), time);
        Partition reopened = Partition.open(TP, ID, log, dir.resolve("t-0.snapshot"), 1, List.of(1, 2, 3));
        assertEquals(Partition.Transition.BECAME_LEADER, reopened.update(epoch1, time.milliseconds()));
        assertEquals(1, reopened.appendAsLeader(records("b"), (short) 1).leaderEpoch());
        assertEquals(2, log.logEndOffset(), "the record written before the failure is kept");
    }

    @Test
    void theHighWatermarkIsTheSlowestInSyncReplicaAndAcksAllWaitsForIt() throws Exception {
        Partition.AppendResult r = leader.appendAsLeader(records("a", "b", "c"), (short) -1);
        assertEquals(0, leader.highWatermark(), "no follower has the records yet");
        assertNull(leader.acksAllState(3, r.leaderEpoch()), "acks=all waits");
        fetch(2, 3);
        assertEquals(0, leader.highWatermark(), "follower 3 still lacks them");
        fetch(3, 2);
        assertEquals(2, leader.highWatermark());
        assertNull(leader.acksAllState(3, r.leaderEpoch()));
        fetch(3, 3);
        assertEquals(3, leader.highWatermark());
        assertEquals(Errors.NONE, leader.acksAllState(3, r.leaderEpoch()));
        fetch(3, 1); // a stale, reordered fetch
        assertEquals(3, leader.highWatermark(), "the high watermark never moves back");
    }

    @Test
    void acksAllIsRefusedBelowMinInsyncAndReportsAShrinkWhileWaiting() throws Exception {
        Partition.AppendResult r = leader.appendAsLeader(records("a"), (short) -1);
        leader.update(new PartitionRegistration(List.of(1, 2, 3), List.of(1, 2), 1, 0, 1), time.milliseconds());
        leader.update(new PartitionRegistration(List.of(1, 2, 3), List.of(1), 1, 0, 2), time.milliseconds());
        assertEquals(1, leader.highWatermark(), "alone in the ISR the leader's log end is committed");
        assertEquals(Errors.NOT_ENOUGH_REPLICAS_AFTER_APPEND, leader.acksAllState(1, r.leaderEpoch()));
        assertThrows(NotEnoughReplicasException.class, () -> leader.appendAsLeader(records("b"), (short) -1));
        assertEquals(2, leader.appendAsLeader(records("b"), (short) 1).lastOffset() + 1, "acks=1 still appends");
        leader.update(new PartitionRegistration(List.of(1, 2, 3), List.of(2), 2, 1, 3), time.milliseconds());
        assertEquals(Errors.NOT_LEADER_OR_FOLLOWER, leader.acksAllState(1, r.leaderEpoch()), "leadership lost while waiting");
    }

    @Test
    void aNewLeaderWhoseHighWatermarkLagsTheStartOfItsEpochSaysSoUntilFollowersCatchUp() throws Exception {
        leader.appendAsLeader(records("a", "b", "c"), (short) 1);
        assertFalse(leader.highWatermarkBehindEpochStart(), "its epoch started at offset 0");
        leader.update(new PartitionRegistration(List.of(1, 2, 3), List.of(1, 2, 3), 1, 1, 1), time.milliseconds());
        assertEquals(0, leader.highWatermark(), "no follower has fetched in the new epoch yet");
        assertTrue(leader.highWatermarkBehindEpochStart(), "latest offsets would go backwards: KIP-207's OFFSET_NOT_AVAILABLE");
        assertEquals(Errors.NONE, leader.onFollowerFetch(2, 7L, 3, 0, 1, time.milliseconds(), ALL_ELIGIBLE, 5L).error());
        assertTrue(leader.highWatermarkBehindEpochStart(), "follower 3 has not fetched yet");
        assertEquals(Errors.NONE, leader.onFollowerFetch(3, 7L, 3, 0, 1, time.milliseconds(), ALL_ELIGIBLE, 5L).error());
        assertEquals(3, leader.highWatermark());
        assertFalse(leader.highWatermarkBehindEpochStart());
    }

    @Test
    void aFollowerJoinsTheIsrOnlyOnceCaughtUpAndTheHighWatermarkWaitsForAPendingJoin() throws Exception {
        leader.update(new PartitionRegistration(List.of(1, 2, 3), List.of(1, 2), 1, 0, 1), time.milliseconds());
        leader.appendAsLeader(records("a", "b"), (short) 1);
        Partition.FollowerFetch f2 = fetch(2, 2);
        assertTrue(f2.highWatermarkMoved());
        assertEquals(2, leader.highWatermark());
        assertNull(fetch(3, 1).isrChange(), "behind the high watermark: not in sync");
        Partition.FollowerFetch f3 = fetch(3, 2);
        IsrChange join = f3.isrChange();
        assertNotNull(join, "caught up with the high watermark: proposed");
        assertEquals(List.of(1, 2, 3), join.brokerIds());
        assertEquals(5L, join.newIsr().get(0).brokerEpoch(), "the leader's own broker epoch");
        assertEquals(7L, join.newIsr().get(2).brokerEpoch(), "the follower's broker epoch from its fetch (KIP-903)");
        assertEquals(1, join.partitionEpoch(), "compare-and-set on the partition epoch it was decided on");
        assertTrue(join.expands() && !join.shrinks(), "counts as an ISR expansion once it succeeds (IsrExpandsPerSec)");
        leader.appendAsLeader(records("c"), (short) 1);
        fetch(2, 3);
        assertEquals(2, leader.highWatermark(), "the maximal ISR includes the pending member");
        assertNull(fetch(3, 2).isrChange(), "one change at a time");
        assertFalse(leader.onIsrChangeAnswered(join, Errors.NONE, 0, List.of(1, 2, 3), 2));
        assertEquals(List.of(1, 2, 3), leader.isr());
        assertFalse(leader.isrChangePending());
    }

    @Test
    void aMemberLaggingLongerThanTheMaxLagIsProposedForRemoval() throws Exception {
        leader.appendAsLeader(records("a"), (short) 1);
        fetch(2, 1);
        fetch(3, 0);
        time.sleep(LAG_MS - 1);
        fetch(2, 1); // caught up again
        assertNull(leader.maybeShrinkIsr(time.milliseconds(), LAG_MS, 5L), "not lagging longer than the limit yet");
        time.sleep(2);
        IsrChange shrink = leader.maybeShrinkIsr(time.milliseconds(), LAG_MS, 5L);
        assertNotNull(shrink);
        assertEquals(List.of(1, 2), shrink.brokerIds(), "3 has not reached the log end for longer than the lag limit");
        assertTrue(shrink.shrinks() && !shrink.expands(), "counts as an ISR shrink once it succeeds (IsrShrinksPerSec)");
        assertEquals(0, leader.highWatermark(), "until the controller commits the shrink the old ISR counts");
        leader.onIsrChangeAnswered(shrink, Errors.NONE, 0, List.of(1, 2), 1);
        assertEquals(1, leader.highWatermark(), "committed: the high watermark moves on without 3");
    }

    @Test
    void staleEpochsAreFencedAndADivergingFollowerIsToldWhereItsEpochEnds() throws Exception {
        leader.appendAsLeader(records("a", "b"), (short) 1); // epoch 0: offsets 0, 1
        leader.update(new PartitionRegistration(List.of(1, 2, 3), List.of(1, 2, 3), 1, 1, 1), time.milliseconds());
        assertEquals(Partition.Transition.NONE, leader.update(new PartitionRegistration(List.of(1, 2, 3), List.of(1, 2, 3), 1, 1, 1),
                time.milliseconds()), "the same registration again changes nothing");
        leader.appendAsLeader(records("c"), (short) 1); // epoch 1 starts at 2
        assertEquals(Errors.FENCED_LEADER_EPOCH,
                leader.onFollowerFetch(2, 7L, 3, 1, 0, time.milliseconds(), ALL_ELIGIBLE, 5L).error());
        assertEquals(Errors.UNKNOWN_LEADER_EPOCH,
                leader.onFollowerFetch(2, 7L, 3, 1, 2, time.milliseconds(), ALL_ELIGIBLE, 5L).error());
        // follower 3 wrote offsets 0..2 in epoch 0 under an old leader: epoch 0 ends at 2 here
        Partition.FollowerFetch d = leader.onFollowerFetch(3, 7L, 3, 0, 1, time.milliseconds(), ALL_ELIGIBLE, 5L);
        assertTrue(d.diverged());
        assertEquals(0, d.divergingEpoch());
        assertEquals(2, d.divergingEndOffset());
        assertEquals(-1, leader.followerLogEndOffset(3), "a diverging fetch is not progress");
        assertEquals(Errors.OFFSET_OUT_OF_RANGE,
                leader.onFollowerFetch(2, 7L, 9, -1, 1, time.milliseconds(), ALL_ELIGIBLE, 5L).error(), "past the log end");
        Partition.FollowerFetch ahead = leader.onFollowerFetch(2, 7L, 9, 1, 1, time.milliseconds(), ALL_ELIGIBLE, 5L);
        assertEquals(3, ahead.divergingEndOffset(), "with its last epoch given, a follower ahead is told where that epoch ends");
    }
}
