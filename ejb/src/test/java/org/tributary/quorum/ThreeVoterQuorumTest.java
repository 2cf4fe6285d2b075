package org.tributary.quorum;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ThreeVoterQuorumTest {
    @TempDir
    Path dir;

    /**
     * A request the leader runs for longer than the engine client's own request timeout is sent
     * again by that client; the copy gets the first run's answer and the handler runs once (a
     * CreateTopics run twice would answer its client TOPIC_ALREADY_EXISTS for topics it made).
     */
    @Test
    void aRequestTheClientSendsAgainWhileTheLeaderRunsItRunsOnce() throws Exception {
        java.util.concurrent.atomic.AtomicInteger runs = new java.util.concurrent.atomic.AtomicInteger();
        try (QuorumCluster c = new QuorumCluster(dir, 3, 0, b -> b.requestTimeout(Duration.ofSeconds(1)))) {
            for (int id = 1; id <= 3; id++) {
                int me = id;
                c.handler(id, req -> {
                    int run = runs.incrementAndGet();
                    return CompletableFuture.supplyAsync(() -> ("run " + run + " on " + me).getBytes(StandardCharsets.UTF_8),
                            CompletableFuture.delayedExecutor(2_500, TimeUnit.MILLISECONDS));
                });
            }
            c.startAll(1, 2, 3);
            RaftQuorum leader = c.awaitLeader();
            int follower = leader.localId() % 3 + 1;
            String answer = new String(c.member(follower).requestLeader("slow".getBytes(StandardCharsets.UTF_8),
                    Duration.ofSeconds(10)).get(15, TimeUnit.SECONDS), StandardCharsets.UTF_8);
            TimeUnit.SECONDS.sleep(3); // a copy still on its way would have started a run by now
            assertEquals("run 1 on " + leader.localId(), answer);
            assertEquals(1, runs.get(), "the leader's handler ran once for one request");
        }
    }

    /**
     * A sender that gave up on a request (its own timeout, or the engine's client out of retries)
     * and asks again under the same id gets the answer of the run the leader had already started,
     * and the handler runs once; a new id is a new request.
     */
    @Test
    void aRequestAskedAgainUnderItsIdAfterTheSenderGaveUpRunsOnce() throws Exception {
        java.util.concurrent.atomic.AtomicInteger runs = new java.util.concurrent.atomic.AtomicInteger();
        try (QuorumCluster c = new QuorumCluster(dir, 3, 0, b -> b)) {
            for (int id = 1; id <= 3; id++) {
                int me = id;
                c.handler(id, req -> {
                    int run = runs.incrementAndGet();
                    return CompletableFuture.supplyAsync(() -> ("run " + run + " on " + me).getBytes(StandardCharsets.UTF_8),
                            CompletableFuture.delayedExecutor(1_500, TimeUnit.MILLISECONDS));
                });
            }
            c.startAll(1, 2, 3);
            RaftQuorum leader = c.awaitLeader();
            RaftQuorum asker = c.member(leader.localId() % 3 + 1);
            byte[] create = "create".getBytes(StandardCharsets.UTF_8);
            java.util.concurrent.ExecutionException gaveUp = org.junit.jupiter.api.Assertions.assertThrows(
                    java.util.concurrent.ExecutionException.class,
                    () -> asker.requestLeader(create, 42L, Duration.ofMillis(500)).get(5, TimeUnit.SECONDS));
            assertEquals(QuorumException.Kind.TIMEOUT, ((QuorumException) gaveUp.getCause()).kind());
            String again = new String(asker.requestLeader(create, 42L, Duration.ofSeconds(10)).get(15, TimeUnit.SECONDS),
                    StandardCharsets.UTF_8);
            assertEquals("run 1 on " + leader.localId(), again, "the copy gets the first run's answer");
            assertEquals(1, runs.get(), "one run for one request asked twice");
            String other = new String(asker.requestLeader(create, 43L, Duration.ofSeconds(10)).get(15, TimeUnit.SECONDS),
                    StandardCharsets.UTF_8);
            assertEquals("run 2 on " + leader.localId(), other, "another id is another request");
        }
    }

    @Test
    void appendsThroughTheLeaderApplyOnEveryVoterInOneOrder() throws Exception {
        try (QuorumCluster c = new QuorumCluster(dir, 3, 0, b -> b)) {
            c.startAll(1, 2, 3);
            RaftQuorum leader = c.awaitLeader();
            long epoch = leader.epoch();
            List<CompletableFuture<Long>> futures = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                futures.add(leader.appendAsLeader(epoch, ("x" + i).getBytes(StandardCharsets.UTF_8)));
            }
            for (CompletableFuture<Long> f : futures) {
                f.get(10, TimeUnit.SECONDS);
            }
            long t0 = System.nanoTime();
            for (int i = 0; i < 20; i++) {
                leader.appendAsLeader(epoch, ("y" + i).getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
            }
            System.out.printf("three voters: commit latency (one at a time) %.2f ms%n", (System.nanoTime() - t0) / 1e6 / 20);
            c.awaitAllApplied(120);
            List<String> expected = c.sm(leader.localId()).entries();
            for (int id = 1; id <= 3; id++) {
                assertEquals(expected, c.sm(id).entries(), "member " + id + " applied the same entries in the same order");
                assertEquals(c.sm(leader.localId()).checksum(), c.sm(id).checksum());
                assertEquals(List.of(), c.sm(id).errors());
            }
            assertEquals(List.of("leader:" + epoch), c.sm(leader.localId()).events());

            // a follower's request reaches the leader's handler
            int follower = leader.localId() % 3 + 1;
            byte[] answer = c.member(follower).requestLeader("ping".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(5))
                    .get(10, TimeUnit.SECONDS);
            assertEquals("echo " + leader.localId() + ":ping", new String(answer, StandardCharsets.UTF_8));

            // status on the leader: leader, epoch, commit index, every voter's log end offset
            // (Ratis also writes entries of its own, e.g. commit-index metadata, so the log may end past the last entry applied)
            long lastOffset = c.sm(leader.localId()).lastAppliedOffset();
            QuorumCluster.await("followers' progress known on the leader", Duration.ofSeconds(5), () -> {
                QuorumStatus s = leader.status();
                return s.highWatermark() >= lastOffset
                        && s.voters().stream().allMatch(v -> v.logEndOffset() == s.highWatermark());
            });
            QuorumStatus s = leader.status();
            assertEquals(leader.localId(), s.leaderId());
            assertEquals(epoch, s.epoch());
            assertEquals(QuorumRole.LEADER, s.role());
            assertTrue(s.highWatermark() >= lastOffset && s.highWatermark() <= lastOffset + 2, s.toString());
            assertEquals(List.of(1, 2, 3), s.voters().stream().map(QuorumStatus.ReplicaState::id).toList());
            for (QuorumStatus.ReplicaState v : s.voters()) {
                assertEquals(0, v.lag(), "caught up: " + v);
                assertTrue(v.lastCaughtUpTimestamp() > 0 && v.lastFetchTimestamp() > 0, "timestamps known: " + v);
            }
            QuorumStatus fs = c.member(follower).status();
            assertEquals(leader.localId(), fs.leaderId());
            assertEquals(QuorumRole.FOLLOWER, fs.role());
            assertEquals(epoch, fs.epoch());
        }
    }

    @Test
    void failoverLosesNothingAndRestartedMembersCatchUp() throws Exception {
        try (QuorumCluster c = new QuorumCluster(dir, 3, 0, b -> b)) {
            c.startAll(1, 2, 3);
            c.appendAll("a", 30);
            RaftQuorum old = c.awaitLeader();
            int oldId = old.localId();
            long oldEpoch = old.epoch();

            long t0 = System.nanoTime();
            c.stop(oldId);
            long closed = System.nanoTime();
            RaftQuorum leader = c.awaitLeader();
            long electionMs = (System.nanoTime() - t0) / 1_000_000;
            System.out.printf("three voters: new leader %d ready %d ms after close() began (%d ms after it returned)%n",
                    leader.localId(), electionMs, (System.nanoTime() - closed) / 1_000_000);
            assertNotEquals(oldId, leader.localId());
            assertTrue(leader.epoch() > oldEpoch);
            assertTrue(electionMs < 5000, "new leader within 5 s, took " + electionMs + " ms");
            c.appendAll("b", 30);
            c.awaitAllApplied(60);

            // the old leader comes back and catches up
            c.start(oldId);
            c.awaitAllApplied(60);
            assertEquals(c.sm(leader.localId()).entries(), c.sm(oldId).entries());

            // a follower misses writes while closed, then catches up
            int follower = c.awaitLeader().localId() % 3 + 1;
            c.stop(follower);
            c.appendAll("c", 30);
            c.start(follower);
            c.awaitAllApplied(90);

            List<String> expected = c.sm(c.awaitLeader().localId()).entries();
            long checksum = c.sm(c.awaitLeader().localId()).checksum();
            assertEquals(90, expected.size());
            for (int id = 1; id <= 3; id++) {
                assertEquals(expected, c.sm(id).entries(), "member " + id);
                assertEquals(List.of(), c.sm(id).errors());
            }

            // full stop and start: every state machine equal to before
            for (int id = 1; id <= 3; id++) {
                c.stop(id);
            }
            c.startAll(1, 2, 3);
            c.awaitLeader();
            c.awaitAllApplied(90);
            for (int id = 1; id <= 3; id++) {
                assertEquals(expected, c.sm(id).entries(), "member " + id + " after a full restart");
                assertEquals(checksum, c.sm(id).checksum());
            }
            c.appendAll("d", 5);
            c.awaitAllApplied(95);
        }
    }
}
