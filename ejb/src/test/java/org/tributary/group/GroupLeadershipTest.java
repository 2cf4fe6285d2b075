package org.tributary.group;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tributary.group.GroupCoordinatorTest.G;
import static org.tributary.group.GroupCoordinatorTest.join;
import static org.tributary.group.GroupCoordinatorTest.offset;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.tributary.testing.FakeTime;

/**
 * The coordinator under leader changes of its offsets topic partitions, with a fake clock, an
 * in-memory log whose high watermark the test moves, and a loader the test runs by hand: loading
 * answers COORDINATOR_LOAD_IN_PROGRESS, losing the leadership unloads, and commits and assignments
 * are answered (and seen) only once replicated.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class GroupLeadershipTest {
    final FakeTime time = new FakeTime(1_000_000L);
    final MemoryCoordinatorLog log = new MemoryCoordinatorLog();
    /** Loads and unloads wait here until {@link #runLoader} (the loader thread, run by hand). */
    final Queue<Runnable> loader = new ArrayDeque<>();
    final GroupCoordinator coordinator = new GroupCoordinator(GroupConfig.defaults().withInitialRebalanceDelayMs(0), log, time,
            meta -> Set.of(new String(meta, StandardCharsets.UTF_8).split(",")), loader::add, Runnable::run);
    final int partition = coordinator.partitionFor(G);
    final TopicPartition tp = new TopicPartition("t", 0);

    void runLoader() {
        for (Runnable r = loader.poll(); r != null; r = loader.poll()) {
            r.run();
        }
    }

    void lead() {
        coordinator.becameLeader(partition, log.leaderEpoch(partition));
        runLoader();
    }

    CompletableFuture<Map<TopicPartition, Errors>> commit(long offset) {
        return coordinator.offsets().commit(new GroupOffsets.CommitRequest(G, "", null, -1, Map.of(tp, offset(offset))));
    }

    long fetched() {
        GroupOffsets.FetchResult r = coordinator.offsets().fetch(G, List.of(tp));
        assertEquals(Errors.NONE, r.error());
        return r.offsets().get(tp).offset();
    }

    /** Leads the partition, commits 5 (replicated), then 9 with the followers stalled: returns the pending answer. */
    CompletableFuture<Map<TopicPartition, Errors>> committedFiveThenNine() {
        lead();
        assertEquals(Errors.NONE, commit(5).join().get(tp));
        log.autoReplicate = false;
        return commit(9);
    }

    /** One member through join and sync, generation 1; returns its member id. */
    String stableGroupOfOne() {
        JoinResult first = coordinator.join(join("", "instance-1", "consumer", "range")).join();
        assertEquals(Errors.NONE, first.error());
        SyncResult s = coordinator.sync(G, 1, first.memberId(), "instance-1", null, null,
                Map.of(first.memberId(), "mine".getBytes(StandardCharsets.UTF_8))).join();
        assertEquals(Errors.NONE, s.error());
        return first.memberId();
    }

    @Test
    void groupsOfAPartitionLoadingAnswerLoadInProgressAndAreServedOnceLoaded() {
        lead();
        assertEquals(Errors.NONE, commit(7).join().get(tp));
        log.loseLeadership(partition);
        coordinator.resigned(partition, log.epoch(partition));
        runLoader();
        int epoch = log.regainLeadership(partition);

        coordinator.becameLeader(partition, epoch); // the replay waits on the loader
        assertEquals(Errors.COORDINATOR_LOAD_IN_PROGRESS, coordinator.offsets().fetch(G, List.of(tp)).error());
        assertEquals(Errors.COORDINATOR_LOAD_IN_PROGRESS, coordinator.join(join("")).join().error());
        assertEquals(Errors.COORDINATOR_LOAD_IN_PROGRESS, commit(8).join().get(tp));
        assertEquals(Errors.COORDINATOR_LOAD_IN_PROGRESS, coordinator.describe(G).getKey());
        assertEquals(Errors.NONE, coordinator.heartbeat(G, "m", null, 1), "as Kafka: heartbeats are answered blindly while loading");
        assertTrue(coordinator.loading());

        runLoader();
        assertFalse(coordinator.loading());
        assertEquals(7, fetched(), "the offset replayed from the log");
    }

    @Test
    void partitionsNotLedHereAreRefusedWithNotCoordinator() {
        assertEquals(Errors.NOT_COORDINATOR, coordinator.offsets().fetch(G, List.of(tp)).error(), "never led here");
        lead();
        assertEquals(Errors.NONE, coordinator.offsets().fetch(G, List.of(tp)).error());
        String other = "other-0";
        for (int i = 1; coordinator.partitionFor(other) == partition; i++) {
            other = "other-" + i;
        }
        assertEquals(Errors.NOT_COORDINATOR, coordinator.offsets().fetch(other, null).error(), "a group of another partition");
        log.loseLeadership(partition); // the unload event has not arrived yet
        assertEquals(Errors.NOT_COORDINATOR, coordinator.offsets().fetch(G, List.of(tp)).error());
        assertEquals(Errors.NOT_COORDINATOR, coordinator.heartbeat(G, "m", null, 1));
    }

    @Test
    void losingTheLeadershipUnloadsTheGroupsAndAnswersWaitingMembersNotCoordinator() {
        lead();
        String first = stableGroupOfOne();
        JoinResult newcomer = coordinator.join(join("")).join();
        assertEquals(Errors.MEMBER_ID_REQUIRED, newcomer.error());
        CompletableFuture<JoinResult> waiting = coordinator.join(join(newcomer.memberId()));
        assertFalse(waiting.isDone(), "waits for the first member to rejoin");

        log.loseLeadership(partition);
        coordinator.resigned(partition, log.epoch(partition));
        assertFalse(waiting.isDone(), "the unload runs on the loader");
        runLoader();
        assertEquals(Errors.NOT_COORDINATOR, waiting.join().error());
        assertTrue(coordinator.describeGroup(G).isEmpty(), "the group left memory");
        assertEquals(Errors.NOT_COORDINATOR, coordinator.heartbeat(G, first, "instance-1", 1));
        assertEquals(Errors.NOT_COORDINATOR, coordinator.offsets().fetch(G, null).error());

        coordinator.becameLeader(partition, log.regainLeadership(partition));
        runLoader();
        GroupDescription back = coordinator.describeGroup(G).orElseThrow();
        assertEquals(GroupState.STABLE, back.state(), "the stored generation comes back with the leadership");
        assertEquals(first, back.members().get(0).memberId());
    }

    @Test
    void aCommitIsAnsweredAndVisibleOnlyOnceReplicated() {
        CompletableFuture<Map<TopicPartition, Errors>> pending = committedFiveThenNine();
        assertFalse(pending.isDone(), "acks=all: the followers do not have it yet");
        assertEquals(5, fetched(), "a pending commit is not visible");
        time.sleep(1_000);
        coordinator.tick();
        assertFalse(pending.isDone());
        log.replicate(partition);
        assertEquals(Errors.NONE, pending.join().get(tp));
        assertEquals(9, fetched());
    }

    @Test
    void aCommitTruncatedAwayWithTheLeadershipNeverBecomesVisible() {
        CompletableFuture<Map<TopicPartition, Errors>> pending = committedFiveThenNine();
        log.loseLeadership(partition); // the new leader never got it: truncated
        assertEquals(Errors.NOT_COORDINATOR, pending.join().get(tp), "NOT_LEADER_OR_FOLLOWER, as Kafka maps it");
        assertEquals(Errors.NOT_COORDINATOR, coordinator.offsets().fetch(G, List.of(tp)).error());
        coordinator.resigned(partition, log.epoch(partition));
        coordinator.becameLeader(partition, log.regainLeadership(partition));
        runLoader();
        assertEquals(5, fetched());
    }

    @Test
    void aCommitThatTimesOutIsRefusedAndNotVisible() {
        lead();
        log.autoReplicate = false;
        CompletableFuture<Map<TopicPartition, Errors>> pending = commit(9);
        log.timeOutWaits();
        assertEquals(Errors.COORDINATOR_NOT_AVAILABLE, pending.join().get(tp), "REQUEST_TIMED_OUT, as Kafka maps it");
        assertEquals(-1, fetched());
        log.replicate(partition);
        assertEquals(-1, fetched(), "a failed commit stays invisible (it comes back only with a reload, as in Kafka)");
    }

    @Test
    void aLaterCommitWinsWhicheverIsReplicatedFirst() {
        lead();
        log.autoReplicate = false;
        CompletableFuture<Map<TopicPartition, Errors>> first = commit(5);
        CompletableFuture<Map<TopicPartition, Errors>> second = commit(6);
        log.replicate(partition);
        assertEquals(Errors.NONE, first.join().get(tp));
        assertEquals(Errors.NONE, second.join().get(tp));
        assertEquals(6, fetched());
        assertEquals(0, log.waiting());
    }

    @Test
    void syncGroupAnswersTheAssignmentOnceItIsReplicated() {
        lead();
        log.autoReplicate = false;
        JoinResult first = coordinator.join(join("", "instance-1", "consumer", "range")).join();
        assertEquals(1, first.generationId());
        CompletableFuture<SyncResult> sync = coordinator.sync(G, 1, first.memberId(), "instance-1", null, null,
                Map.of(first.memberId(), "mine".getBytes(StandardCharsets.UTF_8)));
        assertFalse(sync.isDone());
        assertEquals(GroupState.COMPLETING_REBALANCE, coordinator.describeGroup(G).orElseThrow().state());
        log.replicate(partition);
        assertArrayEquals("mine".getBytes(StandardCharsets.UTF_8), sync.join().assignment());
        assertEquals(GroupState.STABLE, coordinator.describeGroup(G).orElseThrow().state());
    }

    @Test
    void anAssignmentThatCannotBeReplicatedIsAnsweredCoordinatorNotAvailableAndTheGroupRebalances() {
        lead();
        log.autoReplicate = false;
        JoinResult first = coordinator.join(join("", "instance-1", "consumer", "range")).join();
        CompletableFuture<SyncResult> sync = coordinator.sync(G, 1, first.memberId(), "instance-1", null, null,
                Map.of(first.memberId(), "mine".getBytes(StandardCharsets.UTF_8)));
        log.timeOutWaits();
        assertEquals(Errors.COORDINATOR_NOT_AVAILABLE, sync.join().error());
        assertEquals(GroupState.PREPARING_REBALANCE, coordinator.describeGroup(G).orElseThrow().state());
    }

    @Test
    void offsetsLoadedFromAboveTheHighWatermarkShowOnceItCoversThem() {
        committedFiveThenNine(); // 9 is written here, not replicated yet, when the leadership moves and comes back with the log intact
        coordinator.resigned(partition, log.regainLeadership(partition));
        runLoader();
        lead();
        assertEquals(5, fetched(), "the record above the high watermark is not committed yet");
        log.replicate(partition);
        assertEquals(9, fetched(), "the new leader's log is the truth: once replicated, it shows");
    }
}
