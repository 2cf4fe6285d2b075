package org.tributary.group;

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
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.tributary.testing.FakeTime;

/**
 * DeleteGroups, OffsetDelete and offset expiry write tombstones with acks=all, as Kafka's
 * coordinator does: answered once the high watermark covers them (the in-memory log's, moved by
 * the test), visible only then, and answered with the translated error when the write fails.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class GroupDeletionTest {
    static final long RETENTION = 60_000;
    static final long CHECK_INTERVAL = 1_000;

    final FakeTime time = new FakeTime(1_000_000L);
    final MemoryCoordinatorLog log = new MemoryCoordinatorLog();
    final TopicPartition tp = new TopicPartition("t", 0);
    GroupCoordinator coordinator = coordinator(Runnable::run);
    final int partition = coordinator.partitionFor(G);

    /** Leads every partition; {@code completions} takes up replicated writes. */
    GroupCoordinator coordinator(Executor completions) {
        GroupConfig c = new GroupConfig(0, 6000, 1_800_000, 100, 50, (short) 1, RETENTION, CHECK_INTERVAL, 4096);
        GroupCoordinator gc = new GroupCoordinator(c, log, time, meta -> Set.of(new String(meta, StandardCharsets.UTF_8).split(",")),
                Runnable::run, completions);
        for (int p = 0; p < log.partitionCount(); p++) {
            gc.becameLeader(p, log.leaderEpoch(p));
        }
        return gc;
    }

    CompletableFuture<Map<TopicPartition, Errors>> commit(TopicPartition p, long offset) {
        return coordinator.offsets().commit(new GroupOffsets.CommitRequest(G, "", null, -1,
                Map.of(p, new CommittedOffset(offset, 3, "meta", time.milliseconds(), -1L))));
    }

    long fetched(TopicPartition p) {
        GroupOffsets.FetchResult r = coordinator.offsets().fetch(G, List.of(p));
        assertEquals(Errors.NONE, r.error());
        return r.offsets().get(p).offset();
    }

    CompletableFuture<Map<String, Errors>> deleteGroup() {
        return coordinator.deleteGroups(List.of(G));
    }

    CompletableFuture<Map.Entry<Errors, Map<TopicPartition, Errors>>> deleteOffset() {
        return coordinator.offsets().delete(G, List.of(tp));
    }

    /** A commit-only (Empty) group with offset 5 committed; then the followers stall. */
    void emptyGroupWithOffsetFiveThenStall() {
        assertEquals(Errors.NONE, answered(commit(tp, 5)).get(tp));
        assertEquals(GroupState.EMPTY, coordinator.describe(G).getValue().state());
        log.autoReplicate = false;
    }

    /** The future's value, which must be there by now (a missing answer fails the test instead of blocking it). */
    static <T> T answered(CompletableFuture<T> f) {
        assertTrue(f.isDone(), "answered by now");
        return f.join();
    }

    void tick(long ms) {
        time.sleep(ms);
        coordinator.tick();
    }

    @Test
    void deleteGroupsIsAnsweredAndVisibleOnlyOnceItsTombstonesAreCommitted() {
        emptyGroupWithOffsetFiveThenStall();
        CompletableFuture<Map<String, Errors>> deleted = deleteGroup();
        assertEquals(2, log.tombstones(), "an offset and a group tombstone, written");
        assertFalse(deleted.isDone(), "acks=all: the followers do not have the tombstones yet");
        assertEquals(GroupState.EMPTY, coordinator.describe(G).getValue().state(), "DescribeGroups still sees the group");
        assertTrue(coordinator.describeGroup(G).isPresent());
        assertEquals(List.of(G), coordinator.listGroups(Set.of()).stream().map(GroupDescription::groupId).toList());
        assertEquals(5, fetched(tp), "OffsetFetch still sees the offset");

        log.replicate(partition);
        assertEquals(Map.of(G, Errors.NONE), answered(deleted));
        assertEquals(GroupState.DEAD, coordinator.describe(G).getValue().state());
        assertTrue(coordinator.describeGroup(G).isEmpty());
        assertEquals(-1, fetched(tp));
        assertEquals(0, log.waiting());
    }

    @Test
    void aSecondDeleteOfAGroupBeingDeletedWritesNothingAndFindsNoGroupOnceTheFirstIsCommitted() {
        emptyGroupWithOffsetFiveThenStall();
        CompletableFuture<Map<String, Errors>> first = deleteGroup();
        CompletableFuture<Map<String, Errors>> second = deleteGroup();
        assertEquals(2, log.tombstones(), "no second set of tombstones");
        assertFalse(second.isDone(), "answered after the deletion it waits for");
        log.replicate(partition);
        assertEquals(Errors.NONE, answered(first).get(G));
        assertEquals(Errors.GROUP_ID_NOT_FOUND, answered(second).get(G), "as Kafka: the first deletion removed the group");
        assertEquals(Errors.GROUP_ID_NOT_FOUND, answered(deleteGroup()).get(G));
    }

    @Test
    void aSecondDeleteWhileTheFirstFailsGetsTheFirstsErrorAndARetryDeletes() {
        emptyGroupWithOffsetFiveThenStall();
        CompletableFuture<Map<String, Errors>> first = deleteGroup();
        CompletableFuture<Map<String, Errors>> second = deleteGroup();
        log.timeOutWaits();
        assertEquals(Errors.COORDINATOR_NOT_AVAILABLE, answered(first).get(G), "REQUEST_TIMED_OUT, as Kafka maps it");
        assertEquals(Errors.COORDINATOR_NOT_AVAILABLE, answered(second).get(G));
        assertEquals(5, fetched(tp));
        log.autoReplicate = true;
        assertEquals(Errors.NONE, answered(deleteGroup()).get(G), "a retry writes the tombstones again");
        assertTrue(coordinator.describeGroup(G).isEmpty());
    }

    @Test
    void aDeleteThatFailsToReplicateIsAnsweredWithTheTranslatedErrorAndTheGroupStays() {
        emptyGroupWithOffsetFiveThenStall();
        CompletableFuture<Map<String, Errors>> timedOut = deleteGroup();
        log.timeOutWaits();
        assertEquals(Errors.COORDINATOR_NOT_AVAILABLE, answered(timedOut).get(G));
        assertEquals(GroupState.EMPTY, coordinator.describe(G).getValue().state());
        assertEquals(5, fetched(tp));

        log.tooFewInSyncReplicas = true; // refused at append: NOT_ENOUGH_REPLICAS
        assertEquals(Errors.COORDINATOR_NOT_AVAILABLE, answered(deleteGroup()).get(G));
        assertEquals(5, fetched(tp));
        log.tooFewInSyncReplicas = false;

        log.failWrites = true; // a storage error
        assertEquals(Errors.NOT_COORDINATOR, answered(deleteGroup()).get(G));
        assertEquals(5, fetched(tp));
        log.failWrites = false;

        CompletableFuture<Map<String, Errors>> truncated = deleteGroup();
        log.loseLeadership(partition); // the new leader never got the tombstones
        assertEquals(Errors.NOT_COORDINATOR, answered(truncated).get(G), "NOT_LEADER_OR_FOLLOWER, as Kafka maps it");
        coordinator.resigned(partition, log.epoch(partition));
        coordinator.becameLeader(partition, log.regainLeadership(partition));
        assertEquals(5, fetched(tp), "the group and its offset, as the log holds them");
    }

    @Test
    void groupsOfOnePartitionAreDeletedInOneWriteAndAnsweredInTheOrderAsked() {
        String other = "other-0";
        for (int i = 1; coordinator.partitionFor(other) != partition; i++) {
            other = "other-" + i;
        }
        assertEquals(Errors.NONE, answered(coordinator.offsets().commit(new GroupOffsets.CommitRequest(other, "", null, -1,
                Map.of(tp, offset(1))))).get(tp));
        emptyGroupWithOffsetFiveThenStall();
        CompletableFuture<Map<String, Errors>> deleted = coordinator.deleteGroups(List.of("none", other, G, other));
        assertEquals(1, log.waiting(), "one write for both groups of the partition");
        log.replicate(partition);
        Map<String, Errors> answer = answered(deleted);
        assertEquals(List.of("none", other, G), List.copyOf(answer.keySet()));
        assertEquals(List.of(Errors.GROUP_ID_NOT_FOUND, Errors.NONE, Errors.NONE), List.copyOf(answer.values()));
        assertTrue(coordinator.groups().isEmpty());
    }

    @Test
    void aCommitWrittenAfterTheTombstonesSurvivesTheirCommit() {
        emptyGroupWithOffsetFiveThenStall();
        CompletableFuture<Map<String, Errors>> deleted = deleteGroup();
        long afterTombstones = log.logEnd(partition);
        CompletableFuture<Map<TopicPartition, Errors>> later = commit(tp, 9);
        TopicPartition other = new TopicPartition("t", 1);
        CompletableFuture<Map<TopicPartition, Errors>> laterOther = commit(other, 3);

        log.replicateTo(partition, afterTombstones); // the tombstones are committed, the later commits not yet
        assertEquals(Errors.NONE, answered(deleted).get(G));
        assertFalse(later.isDone());
        assertEquals(-1, fetched(tp), "the deleted offset is gone; the later commit is still pending");
        assertTrue(coordinator.describeGroup(G).isPresent(), "the group holds the pending commits");

        log.replicate(partition);
        assertEquals(Errors.NONE, answered(later).get(tp));
        assertEquals(Errors.NONE, answered(laterOther).get(other));
        assertEquals(9, fetched(tp));
        assertEquals(3, fetched(other));
        GroupDescription d = coordinator.describeGroup(G).orElseThrow();
        assertEquals(GroupState.EMPTY, d.state());
        assertEquals(0, d.generationId(), "a new commit-only group, as the log replays it");

        coordinator.resigned(partition, log.epoch(partition));
        coordinator.becameLeader(partition, log.regainLeadership(partition));
        assertEquals(9, fetched(tp), "the log agrees");
        assertEquals(3, fetched(other));
    }

    @Test
    void aCommitWrittenAfterTheTombstonesSurvivesWhenBothAreCommittedTogether() {
        emptyGroupWithOffsetFiveThenStall();
        CompletableFuture<Map<String, Errors>> deleted = deleteGroup();
        CompletableFuture<Map<TopicPartition, Errors>> later = commit(tp, 9);
        log.replicate(partition);
        assertEquals(Errors.NONE, answered(deleted).get(G));
        assertEquals(Errors.NONE, answered(later).get(tp));
        assertEquals(9, fetched(tp));
    }

    @Test
    void aCommitWrittenBeforeTheTombstonesButTakenUpAfterThemDoesNotComeBack() {
        Queue<Runnable> taken = new ArrayDeque<>();
        coordinator = coordinator(taken::add);
        commit(tp, 5);
        taken.poll().run();
        assertEquals(5, fetched(tp));
        CompletableFuture<Map<TopicPartition, Errors>> before = commit(tp, 6);
        Runnable takeUpBefore = taken.poll();
        CompletableFuture<Map<String, Errors>> deleted = deleteGroup();
        CompletableFuture<Map<TopicPartition, Errors>> after = commit(tp, 9);
        taken.poll().run(); // the deletion is taken up first
        assertEquals(Errors.NONE, answered(deleted).get(G));
        assertEquals(-1, fetched(tp));
        takeUpBefore.run(); // then the commit written before the tombstones
        assertEquals(Errors.NONE, answered(before).get(tp));
        assertEquals(-1, fetched(tp), "deleted by the tombstones that follow it");
        taken.poll().run();
        assertEquals(Errors.NONE, answered(after).get(tp));
        assertEquals(9, fetched(tp));
        assertTrue(taken.isEmpty());
    }

    @Test
    void aGroupJoinedWhileBeingDeletedIsKeptWithoutTheDeletedOffsets() {
        emptyGroupWithOffsetFiveThenStall();
        CompletableFuture<Map<String, Errors>> deleted = deleteGroup();
        JoinResult first = answered(coordinator.join(join("")));
        assertEquals(Errors.MEMBER_ID_REQUIRED, first.error());
        JoinResult joined = answered(coordinator.join(join(first.memberId())));
        assertEquals(Errors.NONE, joined.error());
        assertEquals(1, joined.generationId());
        CompletableFuture<SyncResult> sync = coordinator.sync(G, 1, joined.memberId(), null, null, null,
                Map.of(joined.memberId(), "mine".getBytes(StandardCharsets.UTF_8)));

        log.replicate(partition);
        assertEquals(Errors.NONE, answered(deleted).get(G), "the deletion was valid when asked, and is committed");
        assertEquals(Errors.NONE, answered(sync).error());
        GroupDescription d = coordinator.describeGroup(G).orElseThrow();
        assertEquals(GroupState.STABLE, d.state(), "the member's group is not dropped");
        assertEquals(List.of(joined.memberId()), d.members().stream().map(GroupDescription.MemberDescription::memberId).toList());
        assertEquals(Errors.NONE, coordinator.heartbeat(G, joined.memberId(), null, 1));
        assertEquals(-1, fetched(tp), "the offset written before the tombstone is deleted");

        coordinator.resigned(partition, log.epoch(partition));
        coordinator.becameLeader(partition, log.regainLeadership(partition));
        GroupDescription back = coordinator.describeGroup(G).orElseThrow();
        assertEquals(List.of(joined.memberId()), back.members().stream().map(GroupDescription.MemberDescription::memberId).toList(),
                "the log agrees: the generation stored after the tombstone");
        assertEquals(-1, fetched(tp));
    }

    @Test
    void offsetDeleteIsAnsweredAndVisibleOnlyOnceCommitted() {
        emptyGroupWithOffsetFiveThenStall();
        CompletableFuture<Map.Entry<Errors, Map<TopicPartition, Errors>>> deleted = deleteOffset();
        assertEquals(1, log.tombstones());
        assertFalse(deleted.isDone());
        assertEquals(5, fetched(tp), "OffsetFetch still sees the offset");
        log.replicate(partition);
        assertEquals(Errors.NONE, answered(deleted).getKey());
        assertEquals(Map.of(tp, Errors.NONE), answered(deleted).getValue());
        assertEquals(-1, fetched(tp));
        assertTrue(coordinator.describeGroup(G).isPresent(), "OffsetDelete leaves the group");
    }

    @Test
    void offsetDeleteThatFailsIsAnsweredWithTheTranslatedErrorAndTheOffsetStays() {
        emptyGroupWithOffsetFiveThenStall();
        CompletableFuture<Map.Entry<Errors, Map<TopicPartition, Errors>>> timedOut = deleteOffset();
        log.timeOutWaits();
        assertEquals(Errors.COORDINATOR_NOT_AVAILABLE, answered(timedOut).getKey());
        assertEquals(5, fetched(tp));
        log.tooFewInSyncReplicas = true;
        assertEquals(Errors.COORDINATOR_NOT_AVAILABLE, answered(deleteOffset()).getKey());
        log.tooFewInSyncReplicas = false;
        assertEquals(5, fetched(tp));
        CompletableFuture<Map.Entry<Errors, Map<TopicPartition, Errors>>> truncated = deleteOffset();
        log.loseLeadership(partition);
        assertEquals(Errors.NOT_COORDINATOR, answered(truncated).getKey());
    }

    @Test
    void offsetDeleteKeepsACommitWrittenAfterIt() {
        emptyGroupWithOffsetFiveThenStall();
        CompletableFuture<Map.Entry<Errors, Map<TopicPartition, Errors>>> deleted = deleteOffset();
        long afterTombstone = log.logEnd(partition);
        CompletableFuture<Map<TopicPartition, Errors>> later = commit(tp, 9);
        log.replicateTo(partition, afterTombstone);
        assertEquals(Errors.NONE, answered(deleted).getKey());
        assertEquals(-1, fetched(tp));
        log.replicate(partition);
        assertEquals(Errors.NONE, answered(later).get(tp));
        assertEquals(9, fetched(tp));
    }

    @Test
    void expiryRemovesAGroupOnlyOnceItsTombstonesAreCommittedAndWritesThemOnce() {
        emptyGroupWithOffsetFiveThenStall();
        tick(RETENTION);
        assertEquals(2, log.tombstones(), "the offset expired: tombstones for it and the group");
        assertEquals(5, fetched(tp), "not committed yet: still visible");
        assertTrue(coordinator.describeGroup(G).isPresent());
        tick(CHECK_INTERVAL);
        tick(CHECK_INTERVAL);
        assertEquals(2, log.tombstones(), "no more tombstones while those are pending");
        log.replicate(partition);
        assertTrue(coordinator.describeGroup(G).isEmpty());
        assertEquals(-1, fetched(tp));
    }

    @Test
    void aFailedExpiryIsRetriedAtTheNextCheck() {
        emptyGroupWithOffsetFiveThenStall();
        tick(RETENTION);
        log.timeOutWaits();
        assertEquals(5, fetched(tp), "the failed expiry changed nothing");
        assertTrue(coordinator.describeGroup(G).isPresent());
        log.autoReplicate = true;
        tick(CHECK_INTERVAL);
        assertEquals(4, log.tombstones(), "written again");
        assertTrue(coordinator.describeGroup(G).isEmpty());
    }

    @Test
    void expiredOffsetsOfAGroupThatKeepsOthersGoOnlyOnCommit() {
        TopicPartition younger = new TopicPartition("t", 1);
        assertEquals(Errors.NONE, answered(commit(tp, 5)).get(tp));
        time.sleep(RETENTION / 2);
        assertEquals(Errors.NONE, answered(commit(younger, 7)).get(younger));
        log.autoReplicate = false;
        tick(RETENTION / 2);
        assertEquals(1, log.tombstones(), "only the older offset expired");
        assertEquals(5, fetched(tp));
        tick(CHECK_INTERVAL);
        assertEquals(1, log.tombstones(), "not written twice while pending");
        CompletableFuture<Map<TopicPartition, Errors>> recommitted = commit(tp, 8);
        log.replicate(partition);
        assertEquals(Errors.NONE, answered(recommitted).get(tp));
        assertEquals(8, fetched(tp), "a commit written after the expiry's tombstone stays");
        assertEquals(7, fetched(younger));
    }
}
