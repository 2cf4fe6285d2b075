package org.tributary.quorum;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AppendRulesTest {
    @TempDir
    Path dir;

    private static QuorumException failure(CompletableFuture<?> f, long withinMillis) throws Exception {
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(withinMillis, TimeUnit.MILLISECONDS));
        return assertInstanceOf(QuorumException.class, e.getCause());
    }

    @Test
    void staleEpochOrFollowerAppendFailsAndAppendsNothing() throws Exception {
        try (QuorumCluster c = new QuorumCluster(dir, 3, 0, b -> b)) {
            c.startAll(1, 2, 3);
            c.appendAll("a", 5);
            c.awaitAllApplied(5);
            RaftQuorum leader = c.awaitLeader();
            long epoch = leader.epoch();

            QuorumException stale = failure(leader.appendAsLeader(epoch - 1, "stale".getBytes(StandardCharsets.UTF_8)), 5000);
            assertEquals(QuorumException.Kind.EPOCH_CHANGED, stale.kind());
            assertTrue(!stale.retriable());
            QuorumException future = failure(leader.appendAsLeader(epoch + 1, "future".getBytes(StandardCharsets.UTF_8)), 5000);
            assertEquals(QuorumException.Kind.EPOCH_CHANGED, future.kind());

            RaftQuorum follower = c.member(leader.localId() % 3 + 1);
            QuorumException notLeader = failure(follower.appendAsLeader(epoch, "f".getBytes(StandardCharsets.UTF_8)), 5000);
            assertEquals(QuorumException.Kind.NOT_LEADER, notLeader.kind());
            assertTrue(notLeader.retriable());
            assertEquals(leader.localId(), notLeader.leaderHint());

            c.appendAll("b", 1);
            c.awaitAllApplied(6);
            for (int id = 1; id <= 3; id++) {
                assertEquals(6, c.sm(id).size(), "nothing but the good entries on member " + id + ": " + c.sm(id).entries());
            }
            for (int id = 1; id <= 3; id++) {
                assertEquals(6, c.applicationEntriesInLog(id), "the refused entries never reached the log of member " + id);
            }
        }
    }

    @Test
    void withoutQuorumAppendsAndLeaderRequestsFailWithinTheirTimeout() throws Exception {
        // election timeouts long enough that the leader still believes it leads when both followers are gone
        try (QuorumCluster c = new QuorumCluster(dir, 3, 0, b -> b.electionTimeout(Duration.ofMillis(1000),
                Duration.ofMillis(2000)).requestTimeout(Duration.ofMillis(2500)))) {
            c.startAll(1, 2, 3);
            c.appendAll("a", 3);
            RaftQuorum leader = c.awaitLeader();
            int survivor = leader.localId();
            long epoch = leader.epoch();
            // close both followers at once, then append while the leader still believes it leads
            java.util.List<CompletableFuture<Void>> stops = new java.util.ArrayList<>();
            for (int id = 1; id <= 3; id++) {
                RaftQuorum m = c.member(id);
                if (id != survivor) {
                    stops.add(CompletableFuture.runAsync(m::close));
                }
            }
            CompletableFuture.allOf(stops.toArray(new CompletableFuture<?>[0])).get(10, TimeUnit.SECONDS);
            assertTrue(leader.isLeader(), "still believes it leads (else this test proves less)");
            long t0 = System.nanoTime();
            QuorumException append = failure(leader.appendAsLeader(epoch, "lost".getBytes(StandardCharsets.UTF_8)), 4000);
            long appendMs = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(append.retriable(), "retriable: " + append);
            assertTrue(appendMs <= 3000, "failed within the request timeout: " + appendMs + " ms");
            System.out.printf("no quorum: append failed after %d ms with %s%n", appendMs, append.getMessage());

            long t1 = System.nanoTime();
            QuorumException request = failure(leader.requestLeader("ping".getBytes(StandardCharsets.UTF_8),
                    Duration.ofSeconds(2)), 4000);
            long requestMs = (System.nanoTime() - t1) / 1_000_000;
            assertTrue(request.retriable(), "retriable: " + request);
            assertTrue(requestMs <= 2500, "failed within its timeout: " + requestMs + " ms");
            System.out.printf("no quorum: leader request failed after %d ms with %s%n", requestMs, request.getMessage());

            QuorumCluster.await("the lone member steps down", Duration.ofSeconds(5), () -> !leader.isLeader());
            QuorumException later = failure(leader.appendAsLeader(leader.epoch(), "x".getBytes(StandardCharsets.UTF_8)), 4000);
            assertEquals(QuorumException.Kind.NOT_LEADER, later.kind());
            assertEquals(3, c.sm(survivor).size(), "nothing applied without a quorum");
        }
    }
}
