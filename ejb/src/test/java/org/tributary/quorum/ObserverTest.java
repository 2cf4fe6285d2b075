package org.tributary.quorum;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ObserverTest {
    @TempDir
    Path dir;

    @Test
    void observersFollowEveryCommittedEntryButDoNotVote() throws Exception {
        // voters 1..3 and observer 4 in the bootstrap configuration; observer 5 added at run time
        try (QuorumCluster c = new QuorumCluster(dir, 3, 1, b -> b)) {
            c.startAll(1, 2, 3, 4);
            c.appendAll("a", 20);
            c.awaitAllApplied(20);
            assertEquals(QuorumRole.OBSERVER, c.member(4).status().role());
            assertEquals(c.sm(c.awaitLeader().localId()).entries(), c.sm(4).entries());

            // observer 5 is unknown to the others: it starts with itself in its configuration, then is added
            String address5 = "127.0.0.1:" + QuorumCluster.freePort();
            QuorumConfig cfg5 = c.config(4).toBuilder().localId(5).observer(5, address5)
                    .storageDir(dir.resolve("node-5")).build();
            ListStateMachine sm5 = new ListStateMachine();
            try (RaftQuorum five = RaftQuorum.start(cfg5, sm5, r -> null)) {
                c.member(2).addObserver(5, address5); // from any member: routed to the leader
                QuorumCluster.await("observer 5 caught up", Duration.ofSeconds(20), () -> sm5.size() == 20);
                assertEquals(c.sm(c.awaitLeader().localId()).entries(), sm5.entries());
                c.appendAll("b", 5);
                QuorumCluster.await("observer 5 follows new entries", Duration.ofSeconds(20), () -> sm5.size() == 25);
                QuorumStatus withFive = c.awaitLeader().status();
                assertEquals(List.of(4, 5), withFive.observers().stream().map(QuorumStatus.ReplicaState::id).toList());
                c.member(1).removeObserver(5);
            }

            // two new observers each ask for themselves, knowing only the voters: both stay, and so does 4
            java.util.List<RaftQuorum> joined = new java.util.ArrayList<>();
            try {
                for (int id = 6; id <= 7; id++) {
                    String address = "127.0.0.1:" + QuorumCluster.freePort();
                    QuorumConfig cfg = c.config(1).toBuilder().localId(id).observer(id, address)
                            .storageDir(dir.resolve("node-" + id)).build();
                    RaftQuorum q = RaftQuorum.start(cfg, new ListStateMachine(), r -> null);
                    joined.add(q);
                    q.addObserver(id, address);
                }
                QuorumCluster.await("observers 4, 6 and 7 in the leader's configuration", Duration.ofSeconds(20),
                        () -> c.awaitLeader().observers().keySet().equals(java.util.Set.of(4, 6, 7)));
                c.appendAll("b2", 1);
                QuorumCluster.await("observer 4 still follows", Duration.ofSeconds(20), () -> c.sm(4).size() == 26);
                joined.get(1).removeObserver(6);
                QuorumCluster.await("observer 6 removed, 4 and 7 kept", Duration.ofSeconds(20),
                        () -> c.awaitLeader().observers().keySet().equals(java.util.Set.of(4, 7)));
                joined.get(0).close();
                joined.get(1).removeObserver(7);
            } finally {
                joined.forEach(RaftQuorum::close);
            }
            c.awaitAllApplied(26);
            QuorumStatus st = c.awaitLeader().status();
            assertEquals(List.of(4), st.observers().stream().map(QuorumStatus.ReplicaState::id).toList());
            assertEquals(List.of(1, 2, 3), st.voters().stream().map(QuorumStatus.ReplicaState::id).toList());

            // with two voters down nothing commits, although two observers are up
            RaftQuorum leader = c.awaitLeader();
            int survivor = leader.localId();
            for (int id = 1; id <= 3; id++) {
                if (id != survivor) {
                    c.stop(id);
                }
            }
            ExecutionException e = assertThrows(ExecutionException.class, () -> leader.appendAsLeader(leader.epoch(),
                    "lost".getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS));
            assertTrue(assertInstanceOf(QuorumException.class, e.getCause()).retriable());
            Thread.sleep(500); // nothing to wait for: a commit must NOT happen; give it time to show up if it would
            assertEquals(26, c.sm(4).size(), "observer applied nothing new");
            assertEquals(26, c.sm(survivor).size(), "nothing committed without a voter majority");
            assertTrue(c.member(4).awaitLeader(Duration.ofMillis(1)) != 4, "an observer never leads");
        }
    }
}
