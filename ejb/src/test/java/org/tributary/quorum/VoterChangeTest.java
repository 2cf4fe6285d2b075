package org.tributary.quorum;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** KIP-853 on the real engine: observers become voters and voters observers, and the change survives restarts. */
class VoterChangeTest {
    @TempDir
    Path dir;

    private static List<Integer> ids(List<QuorumStatus.ReplicaState> rs) {
        return rs.stream().map(QuorumStatus.ReplicaState::id).toList();
    }

    @Test
    void anObserverBecomesAVoterAndAVoterAnObserverAndBothSurviveAFullRestart() throws Exception {
        try (QuorumCluster c = new QuorumCluster(dir, 3, 1, b -> b.snapshotThreshold(8))) {
            c.startAll(1, 2, 3, 4);
            Map<Integer, Map<Integer, String>> seen = new ConcurrentHashMap<>();
            for (int id = 1; id <= 4; id++) {
                int member = id;
                c.member(id).onVotersChanged(v -> seen.put(member, v));
            }
            c.appendAll("a", 10);
            c.awaitAllApplied(10);

            c.member(2).addVoter(4); // from a member that need not lead: the change goes to the leader
            QuorumCluster.await("every member sees voters 1-4", QuorumCluster.WAIT,
                    () -> c.running().values().stream().allMatch(q -> q.voters().keySet().equals(java.util.Set.of(1, 2, 3, 4))));
            QuorumStatus st = c.awaitLeader().status();
            assertEquals(List.of(1, 2, 3, 4), ids(st.voters()));
            assertEquals(List.of(), ids(st.observers()));
            assertTrue(c.member(4).status().role() != QuorumRole.OBSERVER, "node 4 votes now");

            c.member(4).removeVoter(1);
            QuorumCluster.await("every member sees voters 2-4", QuorumCluster.WAIT,
                    () -> c.running().values().stream().allMatch(q -> q.voters().keySet().equals(java.util.Set.of(2, 3, 4))));
            assertEquals(Map.of(1, c.config(1).voters().get(1)), c.member(3).observers());
            QuorumCluster.await("the voter listeners of all members saw voters 2-4", QuorumCluster.WAIT,
                    () -> seen.size() == 4 && seen.values().stream().allMatch(v -> v.keySet().equals(java.util.Set.of(2, 3, 4))));
            c.appendAll("b", 10);
            c.awaitAllApplied(20);
            assertEquals(QuorumRole.OBSERVER, c.member(1).status().role(), "node 1 follows without voting");

            // the leader dies while the former voter 1 still runs: it neither campaigns nor stops
            // following (the engine keeps a demoted member's local role; it is not in the voters)
            RaftQuorum old = c.awaitLeader();
            int oldId = old.localId();
            assertTrue(oldId != 1, "node 1 no longer leads");
            c.stop(oldId);
            Thread.sleep(3_000); // several election timeouts for node 1 to misbehave in, if it would
            c.appendAll("x", 5);
            c.awaitAllApplied(25);
            assertTrue(c.awaitLeader().localId() != 1, "a former voter never leads");
            assertEquals(java.util.Optional.empty(), c.member(1).engineFailure());
            assertEquals(QuorumRole.OBSERVER, c.member(1).status().role());
            c.start(oldId);
            c.awaitAllApplied(25);

            // voters are {2,3,4}: with 1 and 2 down, 3 and 4 are a majority (of the old {1,2,3} they were not)
            c.stop(1);
            c.stop(2);
            c.appendAll("c", 5);
            c.awaitAllApplied(30);

            // a full restart with each member's original start-up settings (1 a voter, 4 an observer):
            // the committed configuration in the engine's storage wins over them
            c.stop(3);
            c.stop(4);
            c.startAll(1, 2, 3, 4);
            QuorumStatus after = c.awaitLeader().status();
            assertEquals(List.of(2, 3, 4), ids(after.voters()));
            assertEquals(List.of(1), ids(after.observers()));
            assertTrue(after.leaderId() != 1, "an observer never leads");
            c.appendAll("d", 5);
            c.awaitAllApplied(35);
            assertEquals(c.sm(3).entries(), c.sm(1).entries());
            assertEquals(c.sm(3).entries(), c.sm(4).entries());

            // and without node 1 the voters still commit when one of them is down
            c.stop(1);
            c.stop(2);
            RaftQuorum leader = c.awaitLeader();
            leader.appendAsLeader(leader.epoch(), "e".getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
        }
    }

    /** Kafka's advice for remove-controller: stop the node first. When it comes back it follows as an observer. */
    @Test
    void aVoterRemovedWhileItIsDownFollowsAsAnObserverWhenItComesBack() throws Exception {
        try (QuorumCluster c = new QuorumCluster(dir, 3, 1, b -> b.snapshotThreshold(8))) {
            c.startAll(1, 2, 3, 4);
            c.appendAll("a", 10);
            c.member(3).addVoter(4);
            RaftQuorum leader = c.awaitLeader();
            int gone = leader.localId() == 1 ? 2 : 1;
            c.stop(gone);
            c.awaitLeader().removeVoter(gone);
            c.appendAll("b", 20); // past a snapshot: the returning node may have to install it
            c.start(gone); // with its old settings and its old storage: both say it votes
            c.awaitAllApplied(30);
            QuorumCluster.await("node " + gone + " reports itself an observer", QuorumCluster.WAIT,
                    () -> c.member(gone).status().role() == QuorumRole.OBSERVER);
            assertEquals(java.util.Optional.empty(), c.member(gone).engineFailure());
            QuorumStatus st = c.awaitLeader().status();
            assertEquals(List.of(gone), ids(st.observers()));
            assertTrue(!ids(st.voters()).contains(gone));
            c.appendAll("c", 5);
            c.awaitAllApplied(35);
            assertEquals(c.sm(4).entries(), c.sm(gone).entries());
        }
    }

    @Test
    void changesThatCannotBeMadeAreRefusedWithTheirReason() throws Exception {
        try (QuorumCluster c = new QuorumCluster(dir, 2, 1, b -> b)) {
            c.startAll(1, 2, 3);
            c.awaitLeader();
            assertEquals(VoterChangeException.Kind.DUPLICATE_VOTER,
                    assertThrows(VoterChangeException.class, () -> c.member(3).addVoter(2)).kind());
            assertEquals(VoterChangeException.Kind.NOT_AN_OBSERVER,
                    assertThrows(VoterChangeException.class, () -> c.member(1).addVoter(9)).kind());
            assertEquals(VoterChangeException.Kind.VOTER_NOT_FOUND,
                    assertThrows(VoterChangeException.class, () -> c.member(1).removeVoter(3)).kind());
            c.member(1).removeVoter(2);
            QuorumCluster.await("voters are {1}", QuorumCluster.WAIT, () -> c.member(1).voters().keySet().equals(java.util.Set.of(1)));
            VoterChangeException last = assertThrows(VoterChangeException.class, () -> c.member(1).removeVoter(1));
            assertEquals(VoterChangeException.Kind.LAST_VOTER, last.kind());
            assertTrue(last.getMessage().contains("add another voter"), last.getMessage());
            // one voter commits alone now
            RaftQuorum leader = c.awaitLeader();
            assertEquals(1, leader.localId());
            c.stop(2);
            leader.appendAsLeader(leader.epoch(), "alone".getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e;
        }
    }
}
