package org.tributary.group;

import org.tributary.testing.FakeTime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/** The classic group state machine with a fake clock: nothing here sleeps. */
class GroupCoordinatorTest {
    static final int SESSION = 10_000;
    static final int REBALANCE = 30_000;
    static final String G = "group-1";

    final FakeTime time = new FakeTime(1_000_000L);
    final MemoryCoordinatorLog log = new MemoryCoordinatorLog();
    GroupCoordinator coordinator = coordinator(0);

    GroupCoordinator coordinator(int initialDelayMs) {
        GroupConfig c = GroupConfig.defaults().withInitialRebalanceDelayMs(initialDelayMs);
        return leading(new GroupCoordinator(c, log, time, meta -> Set.of(new String(meta, StandardCharsets.UTF_8).split(","))));
    }

    /** The coordinator told it leads every partition not led elsewhere (it loads them at once: no loader thread here). */
    GroupCoordinator leading(GroupCoordinator c) {
        for (int p = 0; p < log.partitionCount(); p++) {
            if (!log.ledElsewhere.contains(p)) {
                c.becameLeader(p, log.leaderEpoch(p));
            }
        }
        return c;
    }

    static JoinRequest join(String memberId, String instanceId, String protocolType, String... protocols) {
        List<JoinRequest.ProtocolMetadata> ps = new java.util.ArrayList<>();
        for (String p : protocols) {
            ps.add(new JoinRequest.ProtocolMetadata(p, "topic-a".getBytes(StandardCharsets.UTF_8)));
        }
        return new JoinRequest(G, memberId, instanceId, "client", "/127.0.0.1", SESSION, REBALANCE, protocolType, ps, true, true);
    }

    static JoinRequest join(String memberId) {
        return join(memberId, null, "consumer", "range");
    }

    /** KIP-394: a new dynamic member first gets MEMBER_ID_REQUIRED and its id, then joins with it. */
    CompletableFuture<JoinResult> joinNew() {
        JoinResult first = coordinator.join(join("")).join();
        assertEquals(Errors.MEMBER_ID_REQUIRED, first.error());
        assertTrue(first.memberId().startsWith("client-"));
        return coordinator.join(join(first.memberId()));
    }

    void advance(long ms) {
        time.sleep(ms);
        coordinator.tick();
    }

    Map<String, byte[]> assignments(String... memberIds) {
        Map<String, byte[]> out = new HashMap<>();
        for (String id : memberIds) {
            out.put(id, ("assignment-of-" + id).getBytes(StandardCharsets.UTF_8));
        }
        return out;
    }

    /** Two members through join and sync: returns their join results (leader first). */
    JoinResult[] stableGroupOfTwo() {
        CompletableFuture<JoinResult> a = joinNew();
        assertTrue(a.isDone(), "with no initial delay the first member's join completes at once");
        JoinResult ra = a.join();
        assertEquals(1, ra.generationId());
        assertEquals(Errors.NONE, coordinator.sync(G, 1, ra.memberId(), null, "consumer", "range", assignments(ra.memberId())).join().error());
        CompletableFuture<JoinResult> b = joinNew();
        assertFalse(b.isDone(), "the second member waits for the first to rejoin");
        assertEquals(Errors.REBALANCE_IN_PROGRESS, coordinator.heartbeat(G, ra.memberId(), null, 1));
        CompletableFuture<JoinResult> a2 = coordinator.join(join(ra.memberId()));
        assertTrue(a2.isDone() && b.isDone());
        JoinResult leader = a2.join();
        JoinResult follower = b.join();
        assertEquals(2, leader.generationId());
        assertEquals(leader.memberId(), leader.leaderId());
        assertEquals(2, leader.members().size());
        assertTrue(follower.members().isEmpty());
        CompletableFuture<SyncResult> fs = coordinator.sync(G, 2, follower.memberId(), null, null, null, Map.of());
        assertFalse(fs.isDone(), "a follower's sync waits for the leader's assignment");
        SyncResult ls = coordinator.sync(G, 2, leader.memberId(), null, "consumer", "range",
                assignments(leader.memberId(), follower.memberId())).join();
        assertArrayEquals(("assignment-of-" + leader.memberId()).getBytes(StandardCharsets.UTF_8), ls.assignment());
        assertArrayEquals(("assignment-of-" + follower.memberId()).getBytes(StandardCharsets.UTF_8), fs.join().assignment());
        assertEquals(GroupState.STABLE, coordinator.describeGroup(G).orElseThrow().state());
        return new JoinResult[] {leader, follower};
    }

    @Test
    void joinSyncAndHeartbeat() {
        JoinResult[] m = stableGroupOfTwo();
        assertEquals(Errors.NONE, coordinator.heartbeat(G, m[0].memberId(), null, 2));
        assertEquals(Errors.NONE, coordinator.heartbeat(G, m[1].memberId(), null, 2));
        GroupDescription d = coordinator.describeGroup(G).orElseThrow();
        assertEquals("range", d.protocolName());
        assertEquals(2, d.members().size());
    }

    @Test
    void initialRebalanceDelayWaitsForMoreMembersAndExtends() {
        coordinator = coordinator(3000);
        CompletableFuture<JoinResult> a = joinNew();
        advance(2000);
        CompletableFuture<JoinResult> b = joinNew();
        advance(1000); // the first delay ends; a member came: extended by another 3 s
        assertFalse(a.isDone());
        advance(2999);
        assertFalse(a.isDone());
        advance(1);
        assertTrue(a.isDone() && b.isDone());
        assertEquals(1, a.join().generationId());
        assertEquals(2, a.join().members().size() + b.join().members().size());
    }

    @Test
    void memberThatStopsHeartbeatingIsRemovedAfterItsSessionTimeout() {
        JoinResult[] m = stableGroupOfTwo();
        for (int i = 0; i < 3; i++) {
            advance(SESSION / 4);
            assertEquals(Errors.NONE, coordinator.heartbeat(G, m[0].memberId(), null, 2));
        }
        advance(SESSION / 4 - 1);
        assertEquals(Errors.NONE, coordinator.heartbeat(G, m[0].memberId(), null, 2));
        assertEquals(GroupState.STABLE, coordinator.describeGroup(G).orElseThrow().state());
        advance(1);
        assertEquals(GroupState.PREPARING_REBALANCE, coordinator.describeGroup(G).orElseThrow().state());
        assertEquals(Errors.REBALANCE_IN_PROGRESS, coordinator.heartbeat(G, m[0].memberId(), null, 2));
        JoinResult rejoined = coordinator.join(join(m[0].memberId())).join();
        assertEquals(3, rejoined.generationId());
        assertEquals(1, rejoined.members().size());
        assertEquals(Errors.UNKNOWN_MEMBER_ID, coordinator.heartbeat(G, m[1].memberId(), null, 2));
    }

    @Test
    void membersThatDoNotRejoinWithinTheRebalanceTimeoutAreDropped() {
        JoinResult[] m = stableGroupOfTwo();
        CompletableFuture<JoinResult> leader = coordinator.join(join(m[0].memberId(), null, "consumer", "range", "roundrobin"));
        assertFalse(leader.isDone());
        for (int i = 0; i < 5; i++) { // the follower heartbeats but never rejoins
            advance(REBALANCE / 6);
            assertEquals(Errors.REBALANCE_IN_PROGRESS, coordinator.heartbeat(G, m[1].memberId(), null, 2));
        }
        advance(REBALANCE / 6 - 1);
        assertFalse(leader.isDone());
        advance(1);
        assertEquals(3, leader.join().generationId());
        assertEquals(1, leader.join().members().size());
    }

    @Test
    void memberThatNeverSyncsIsDroppedAfterTheRebalanceTimeout() {
        JoinResult[] m = stableGroupOfTwo();
        coordinator.join(join(m[0].memberId(), null, "consumer", "range", "roundrobin"));
        JoinResult follower = coordinator.join(join(m[1].memberId())).join();
        assertEquals(3, follower.generationId());
        CompletableFuture<SyncResult> waiting = coordinator.sync(G, 3, m[1].memberId(), null, null, null, Map.of());
        assertFalse(waiting.isDone());
        advance(REBALANCE); // the leader never sends its assignment: it is dropped, the follower told to rejoin
        assertEquals(Errors.REBALANCE_IN_PROGRESS, waiting.join().error());
        GroupDescription d = coordinator.describeGroup(G).orElseThrow();
        assertEquals(GroupState.PREPARING_REBALANCE, d.state());
        assertEquals(List.of(m[1].memberId()), d.members().stream().map(GroupDescription.MemberDescription::memberId).toList());
        assertEquals(4, coordinator.join(join(m[1].memberId())).join().generationId());
    }

    @Test
    void staleAndUnknownMembersGetKafkaErrors() {
        JoinResult[] m = stableGroupOfTwo();
        assertEquals(Errors.ILLEGAL_GENERATION, coordinator.heartbeat(G, m[0].memberId(), null, 1));
        assertEquals(Errors.ILLEGAL_GENERATION, coordinator.sync(G, 1, m[0].memberId(), null, null, null, Map.of()).join().error());
        assertEquals(Errors.UNKNOWN_MEMBER_ID, coordinator.heartbeat(G, "nobody", null, 2));
        assertEquals(Errors.UNKNOWN_MEMBER_ID, coordinator.heartbeat("no-such-group", "nobody", null, 1));
        assertEquals(Errors.UNKNOWN_MEMBER_ID, coordinator.join(join("nobody")).join().error());
        assertEquals(Errors.INCONSISTENT_GROUP_PROTOCOL, coordinator.join(join("", null, "connect", "range")).join().error());
        assertEquals(Errors.INCONSISTENT_GROUP_PROTOCOL, coordinator.join(join("", null, "consumer", "other")).join().error());
        assertEquals(Errors.INCONSISTENT_GROUP_PROTOCOL,
                coordinator.sync(G, 2, m[0].memberId(), null, "consumer", "roundrobin", Map.of()).join().error());
        assertEquals(Errors.INCONSISTENT_GROUP_PROTOCOL, leading(new GroupCoordinator(GroupConfig.defaults().withInitialRebalanceDelayMs(0),
                log, time, x -> Set.of())).join(new JoinRequest("other", "", null, "c", "h", SESSION, REBALANCE, "consumer",
                List.of(), true, true)).join().error());
        JoinRequest tooShort = new JoinRequest(G, "", null, "c", "h", 1, REBALANCE, "consumer",
                List.of(new JoinRequest.ProtocolMetadata("range", new byte[0])), true, true);
        assertEquals(Errors.INVALID_SESSION_TIMEOUT, coordinator.join(tooShort).join().error());
        assertEquals(Errors.INVALID_GROUP_ID, coordinator.heartbeat("", "x", null, 1));
    }

    @Test
    void groupsOfOtherCoordinatorsAreRefused() {
        log.ledElsewhere.add(coordinator.partitionFor(G));
        assertEquals(Errors.NOT_COORDINATOR, coordinator.join(join("")).join().error());
        assertEquals(Errors.NOT_COORDINATOR, coordinator.heartbeat(G, "m", null, 1));
        assertEquals(Errors.NOT_COORDINATOR, coordinator.offsets().fetch(G, null).error());
        assertEquals(Math.abs(G.hashCode()) % 50, coordinator.partitionFor(G));
    }

    @Test
    void groupMaxSizeIsEnforced() {
        GroupConfig c = new GroupConfig(0, 6000, 1_800_000, 1, 50, (short) 1, 1000, 1000, 4096);
        coordinator = leading(new GroupCoordinator(c, log, time, x -> Set.of()));
        joinNew();
        assertEquals(Errors.GROUP_MAX_SIZE_REACHED, coordinator.join(join("")).join().error());
    }

    @Test
    void staticMemberReplacesItselfWithoutRebalanceAndFencesTheOldId() {
        JoinResult first = coordinator.join(join("", "instance-1", "consumer", "range")).join();
        assertEquals(Errors.NONE, first.error(), "static members skip MEMBER_ID_REQUIRED");
        coordinator.sync(G, 1, first.memberId(), "instance-1", null, null, assignments(first.memberId())).join();
        JoinResult again = coordinator.join(join("", "instance-1", "consumer", "range")).join();
        assertEquals(Errors.NONE, again.error());
        assertNotEquals(first.memberId(), again.memberId());
        assertEquals(1, again.generationId(), "no rebalance for a static member's restart");
        assertTrue(again.skipAssignment(), "the static leader keeps the current assignment (KIP-814)");
        assertEquals(GroupState.STABLE, coordinator.describeGroup(G).orElseThrow().state());
        SyncResult s = coordinator.sync(G, 1, again.memberId(), "instance-1", null, null, Map.of()).join();
        assertArrayEquals(("assignment-of-" + first.memberId()).getBytes(StandardCharsets.UTF_8), s.assignment());
        assertEquals(Errors.FENCED_INSTANCE_ID, coordinator.heartbeat(G, first.memberId(), "instance-1", 1));
        assertEquals(Errors.FENCED_INSTANCE_ID, coordinator.join(join(first.memberId(), "instance-1", "consumer", "range")).join().error());
        assertEquals(Errors.FENCED_INSTANCE_ID, coordinator.offsets().commit(new GroupOffsets.CommitRequest(G, first.memberId(),
                "instance-1", 1, Map.of(new org.apache.kafka.common.TopicPartition("t", 0), offset(5)))).join().values().iterator().next());
        assertEquals(Errors.NONE, coordinator.heartbeat(G, again.memberId(), "instance-1", 1));
    }

    @Test
    void leaveGroupRebalancesAndTheLastLeaveEmptiesTheGroup() {
        JoinResult[] m = stableGroupOfTwo();
        var res = coordinator.leave(G, List.of(new GroupCoordinator.Leaving(m[1].memberId(), null),
                new GroupCoordinator.Leaving("ghost", null)));
        assertEquals(List.of(Errors.NONE, Errors.UNKNOWN_MEMBER_ID), res.getValue());
        assertEquals(GroupState.PREPARING_REBALANCE, coordinator.describeGroup(G).orElseThrow().state());
        assertEquals(3, coordinator.join(join(m[0].memberId())).join().generationId());
        coordinator.leave(G, List.of(new GroupCoordinator.Leaving(m[0].memberId(), null)));
        GroupDescription d = coordinator.describeGroup(G).orElseThrow();
        assertEquals(GroupState.EMPTY, d.state());
        assertEquals(4, d.generationId());
    }

    @Test
    void staticMembersLeaveByInstanceIdAndStaleIdsAreFenced() {
        JoinResult s = coordinator.join(join("", "instance-1", "consumer", "range")).join();
        coordinator.sync(G, 1, s.memberId(), "instance-1", null, null, assignments(s.memberId())).join();
        var fenced = coordinator.leave(G, List.of(new GroupCoordinator.Leaving("old-id", "instance-1"),
                new GroupCoordinator.Leaving(null, "instance-unknown")));
        assertEquals(List.of(Errors.FENCED_INSTANCE_ID, Errors.UNKNOWN_MEMBER_ID), fenced.getValue());
        var left = coordinator.leave(G, List.of(new GroupCoordinator.Leaving("", "instance-1")));
        assertEquals(List.of(Errors.NONE), left.getValue());
        assertEquals(GroupState.EMPTY, coordinator.describeGroup(G).orElseThrow().state());
        assertEquals(List.of(Errors.UNKNOWN_MEMBER_ID), coordinator.leave("no-group", List.of(new GroupCoordinator.Leaving("m", null))).getValue());
    }

    @Test
    void pendingMemberThatNeverRejoinsIsForgotten() {
        JoinResult first = coordinator.join(join("")).join();
        assertEquals(Errors.MEMBER_ID_REQUIRED, first.error());
        advance(SESSION);
        assertTrue(coordinator.describeGroup(G).isEmpty(), "nothing left of a group nobody joined");
        assertEquals(Errors.UNKNOWN_MEMBER_ID, coordinator.join(join(first.memberId())).join().error());
    }

    static CommittedOffset offset(long o) {
        return new CommittedOffset(o, 3, "meta", 0L, -1L);
    }

    @Test
    void commitsAreFencedByGenerationAndRebalance() {
        JoinResult[] m = stableGroupOfTwo();
        var tp = new org.apache.kafka.common.TopicPartition("t", 0);
        GroupOffsets offsets = coordinator.offsets();
        assertEquals(Errors.NONE, offsets.commit(new GroupOffsets.CommitRequest(G, m[0].memberId(), null, 2, Map.of(tp, offset(5)))).join().get(tp));
        assertEquals(Errors.ILLEGAL_GENERATION, offsets.commit(new GroupOffsets.CommitRequest(G, m[0].memberId(), null, 1, Map.of(tp, offset(6)))).join().get(tp));
        assertEquals(Errors.UNKNOWN_MEMBER_ID, offsets.commit(new GroupOffsets.CommitRequest(G, "ghost", null, 2, Map.of(tp, offset(6)))).join().get(tp));
        coordinator.join(join(m[0].memberId(), null, "consumer", "range", "roundrobin"));
        coordinator.join(join(m[1].memberId()));
        assertEquals(Errors.REBALANCE_IN_PROGRESS, offsets.commit(new GroupOffsets.CommitRequest(G, m[0].memberId(), null, 3, Map.of(tp, offset(6)))).join().get(tp));
        assertEquals(5, offsets.fetch(G, List.of(tp)).offsets().get(tp).offset());
        assertEquals(3, offsets.fetch(G, null).offsets().get(tp).leaderEpoch());
        assertEquals(-1, offsets.fetch(G, List.of(new org.apache.kafka.common.TopicPartition("t", 1))).offsets().values().iterator().next().offset());
        assertEquals(Errors.NON_EMPTY_GROUP, coordinator.deleteGroups(List.of(G)).join().get(G));
        assertEquals(Errors.GROUP_ID_NOT_FOUND, coordinator.deleteGroups(List.of("none")).join().get("none"));
    }

    @Test
    void offsetsOfEmptyGroupsExpireAfterRetentionWithTombstones() {
        GroupConfig c = new GroupConfig(0, 6000, 1_800_000, 100, 50, (short) 1, 60_000, 1_000, 4096);
        coordinator = leading(new GroupCoordinator(c, log, time, subscription -> Set.of("t")));
        var tp = new org.apache.kafka.common.TopicPartition("t", 0);
        // a commit-only group (no group management)
        assertEquals(Errors.NONE, coordinator.offsets().commit(new GroupOffsets.CommitRequest("simple", "", null, -1,
                Map.of(tp, new CommittedOffset(9, -1, "", time.milliseconds(), -1)))).join().get(tp));
        // an active group: its offsets never expire while it has members
        JoinResult a = joinNew().join();
        coordinator.sync(G, 1, a.memberId(), null, null, null, assignments(a.memberId()));
        coordinator.offsets().commit(new GroupOffsets.CommitRequest(G, a.memberId(), null, 1,
                Map.of(tp, new CommittedOffset(4, -1, "", time.milliseconds(), -1))));
        for (int i = 0; i < 14; i++) {
            advance(5_000);
            coordinator.heartbeat(G, a.memberId(), null, 1);
        }
        assertTrue(coordinator.describeGroup("simple").isEmpty(), "expired offsets of an empty group remove it");
        assertEquals(4, coordinator.offsets().fetch(G, List.of(tp)).offsets().get(tp).offset());
        long tombstonesBefore = log.tombstones();
        coordinator.leave(G, List.of(new GroupCoordinator.Leaving(a.memberId(), null)));
        advance(59_000);
        assertEquals(4, coordinator.offsets().fetch(G, List.of(tp)).offsets().get(tp).offset());
        advance(1_000);
        assertEquals(-1, coordinator.offsets().fetch(G, List.of(tp)).offsets().get(tp).offset());
        assertEquals(tombstonesBefore + 2, log.tombstones(), "an offset and a group tombstone");
    }

    @Test
    void stableConsumerGroupLosesOnlyOffsetsOfTopicsItNoLongerSubscribes() {
        GroupConfig c = new GroupConfig(0, 6000, 1_800_000, 100, 50, (short) 1, 60_000, 1_000, 4096);
        coordinator = leading(new GroupCoordinator(c, log, time, meta -> Set.of(new String(meta, StandardCharsets.UTF_8).split(","))));
        JoinResult a = joinNew().join(); // subscribes to topic-a (see join())
        coordinator.sync(G, 1, a.memberId(), null, null, null, assignments(a.memberId()));
        var kept = new org.apache.kafka.common.TopicPartition("topic-a", 0);
        var dropped = new org.apache.kafka.common.TopicPartition("topic-old", 0);
        coordinator.offsets().commit(new GroupOffsets.CommitRequest(G, a.memberId(), null, 1,
                Map.of(kept, new CommittedOffset(1, -1, "", time.milliseconds(), -1),
                        dropped, new CommittedOffset(2, -1, "", time.milliseconds(), -1))));
        for (int i = 0; i < 13; i++) {
            advance(5_000);
            coordinator.heartbeat(G, a.memberId(), null, 1);
        }
        var left = coordinator.offsets().fetch(G, null).offsets();
        assertEquals(Set.of(kept), left.keySet());
        assertEquals(GroupState.STABLE, coordinator.describeGroup(G).orElseThrow().state());
    }

    @Test
    void restartReplaysOffsetsAndStaticMembersFromTheLog() {
        JoinResult s = coordinator.join(join("", "instance-1", "consumer", "range")).join();
        coordinator.sync(G, 1, s.memberId(), "instance-1", null, null, assignments(s.memberId())).join();
        var tp = new org.apache.kafka.common.TopicPartition("t", 2);
        coordinator.offsets().commit(new GroupOffsets.CommitRequest(G, s.memberId(), "instance-1", 1, Map.of(tp, offset(42))));
        coordinator.offsets().commit(new GroupOffsets.CommitRequest("gone", "", null, -1, Map.of(tp, offset(1))));
        assertEquals(Errors.NONE, coordinator.offsets().delete("gone", List.of(tp)).join().getKey());

        GroupCoordinator restarted = new GroupCoordinator(GroupConfig.defaults().withInitialRebalanceDelayMs(0), log, time,
                meta -> Set.of(new String(meta, StandardCharsets.UTF_8).split(",")));
        assertEquals(0, restarted.groups().size());
        coordinator = leading(restarted);
        GroupDescription d = restarted.describeGroup(G).orElseThrow();
        assertEquals(GroupState.STABLE, d.state());
        assertEquals(1, d.generationId());
        assertEquals("instance-1", d.members().get(0).groupInstanceId());
        assertEquals(42, restarted.offsets().fetch(G, List.of(tp)).offsets().get(tp).offset());
        assertEquals("meta", restarted.offsets().fetch(G, List.of(tp)).offsets().get(tp).metadata());
        assertEquals(List.of(), restarted.offsets().fetch("gone", null).offsets().keySet().stream().toList());
        log.endOffsets.put(tp, 50L);
        assertEquals(8, restarted.lag(G).get(0).lag());
        JoinResult back = restarted.join(join("", "instance-1", "consumer", "range")).join();
        assertEquals(1, back.generationId(), "the static member rejoins the restarted coordinator without a rebalance");
        assertArrayEquals(("assignment-of-" + s.memberId()).getBytes(StandardCharsets.UTF_8),
                restarted.sync(G, 1, back.memberId(), "instance-1", null, null, Map.of()).join().assignment());
    }

    @Test
    void failedWritesAreReportedNotHidden() {
        var tp = new org.apache.kafka.common.TopicPartition("t", 0);
        log.failWrites = true; // a storage error, as Kafka's KAFKA_STORAGE_ERROR: go find the coordinator again
        assertEquals(Errors.NOT_COORDINATOR, coordinator.offsets().commit(new GroupOffsets.CommitRequest("g", "", null, -1,
                Map.of(tp, offset(1)))).join().get(tp));
        assertTrue(coordinator.describeGroup("g").isEmpty());
        log.failWrites = false;
        log.tooFewInSyncReplicas = true;
        assertEquals(Errors.COORDINATOR_NOT_AVAILABLE, coordinator.offsets().commit(new GroupOffsets.CommitRequest("g", "", null, -1,
                Map.of(tp, offset(1)))).join().get(tp), "NOT_ENOUGH_REPLICAS, as Kafka maps it");
        assertTrue(coordinator.describeGroup("g").isEmpty());
    }
}
