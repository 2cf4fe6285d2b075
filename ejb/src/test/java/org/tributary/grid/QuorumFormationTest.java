package org.tributary.grid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.core.HazelcastInstance;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tributary.config.BrokerConfig;
import org.tributary.config.ConfigException;
import org.tributary.config.Listener;
import org.tributary.config.QuorumSettings;

/** Voter formation on real, embedded data-grid members (loopback only). */
class QuorumFormationTest {
    private final org.tributary.testing.GridMembers grid = new org.tributary.testing.GridMembers(15801);
    private final ExecutorService pool = Executors.newCachedThreadPool();

    @TempDir
    Path dir;

    @AfterEach
    void shutdown() {
        pool.shutdownNow();
        grid.close();
    }

    private HazelcastInstance member() {
        return grid.start();
    }

    private static QuorumSettings settings(int node, Map<String, String> values) {
        return QuorumSettings.from(BrokerConfig.of(values), Optional.of(node), new Listener("PLAINTEXT", "127.0.0.1", 9092 + node));
    }

    private Path data(int node) throws Exception {
        return Files.createDirectories(dir.resolve("node-" + node));
    }

    private static long deadline(long ms) {
        return System.currentTimeMillis() + ms;
    }

    @Test
    void threeNodesStartingTogetherAgreeOnOneVoterSetAndAFourthBecomesAnObserver() throws Exception {
        List<HazelcastInstance> hz = List.of(member(), member(), member());
        List<Future<VoterSet>> results = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            int node = i;
            Path d = data(i);
            results.add(pool.submit(() -> QuorumFormation.resolve(hz.get(node), "c1", node,
                    settings(node, Map.of("tributary.quorum.voter.count", "3")), d, System::currentTimeMillis, deadline(30_000))));
        }
        VoterSet first = results.get(0).get(30, TimeUnit.SECONDS);
        assertEquals("0@127.0.0.1:9192,1@127.0.0.1:9193,2@127.0.0.1:9194", first.format());
        for (int i = 0; i < 3; i++) {
            assertEquals(first, results.get(i).get(30, TimeUnit.SECONDS));
            assertEquals(Optional.of(first), VoterSet.read(data(i)), "each node keeps the set in its data directory");
        }
        VoterSet fourth = QuorumFormation.resolve(member(), "c1", 3, settings(3, Map.of("tributary.quorum.voter.count", "3")),
                data(3), System::currentTimeMillis, deadline(10_000));
        assertEquals(first, fourth);
        assertFalse(fourth.contains(3), "a node beyond the voters follows as an observer");
    }

    @Test
    void afterAFullStopTheDataDirectoryAloneGivesTheVoters() throws Exception {
        VoterSet.parse("0@127.0.0.1:9192,1@127.0.0.1:9193,2@127.0.0.1:9194").write(data(1));
        // a fresh grid that remembers nothing, and no other node present: no waiting
        VoterSet got = QuorumFormation.resolve(member(), "c1", 1, settings(1, Map.of("tributary.quorum.voter.count", "3")),
                data(1), System::currentTimeMillis, deadline(1_000));
        assertEquals(3, got.size());
    }

    @Test
    void aLoneNodeOfAThreeVoterClusterGivesUpWithOneClearLine() throws Exception {
        ConfigException e = assertThrows(ConfigException.class, () -> QuorumFormation.resolve(member(), "c1", 0,
                settings(0, Map.of("tributary.quorum.voter.count", "3")), data(0), System::currentTimeMillis, deadline(500)));
        assertEquals(QuorumSettings.VOTER_COUNT, e.key());
        assertTrue(e.getMessage().contains("only 1 node(s) showed up"), e.getMessage());
        assertTrue(VoterSet.read(data(0)).isEmpty(), "nothing is written when no quorum formed");
    }

    @Test
    void aDataDirectoryOfOneQuorumRefusesAnotherQuorumNamedBySettingOrGrid() throws Exception {
        VoterSet.parse("0@127.0.0.1:9192").write(data(0));
        ConfigException bySetting = assertThrows(ConfigException.class, () -> QuorumFormation.resolve(member(), "c1", 0,
                settings(0, Map.of("controller.quorum.voters", "0@127.0.0.1:9192,1@127.0.0.1:9193")), data(0),
                System::currentTimeMillis, deadline(500)));
        assertTrue(bySetting.getMessage().contains("belongs to the quorum 0@127.0.0.1:9192"), bySetting.getMessage());

        HazelcastInstance other = member();
        VoterSet.parse("5@127.0.0.1:9197").write(data(5));
        QuorumFormation.resolve(other, "c1", 5, settings(5, Map.of("tributary.quorum.port", "9197")), data(5),
                System::currentTimeMillis, deadline(500));
        ConfigException byGrid = assertThrows(ConfigException.class, () -> QuorumFormation.resolve(grid.get(0), "c1", 0,
                settings(0, Map.of()), data(0), System::currentTimeMillis, deadline(500)));
        assertTrue(byGrid.getMessage().contains("has the quorum 5@127.0.0.1:9197"), byGrid.getMessage());
    }

    @Test
    void aNodeThatWasDownWhileTheVotersChangedAdoptsTheRunningSetAndEveryChangeIsKeptAndPublished() throws Exception {
        HazelcastInstance hz = member();
        VoterSet before = VoterSet.parse("0@127.0.0.1:9192,1@127.0.0.1:9193,2@127.0.0.1:9194");
        VoterSet after = VoterSet.parse("1@127.0.0.1:9193,2@127.0.0.1:9194,3@127.0.0.1:9195");
        // a running member applies the change: its file and the grid's copy follow
        VoterSet.parse(before.format()).write(data(1));
        QuorumFormation.votersChanged(hz, "c2", data(1), after, true);
        assertEquals(Optional.of(after), VoterSet.read(data(1)));
        // node 0 was down (its file still names the old set): it adopts the running set and keeps it
        before.write(data(0));
        VoterSet resolved = QuorumFormation.resolve(grid.get(0), "c2", 0, settings(0, Map.of()), data(0),
                System::currentTimeMillis, deadline(500));
        assertEquals(after, resolved);
        assertEquals(Optional.of(after), VoterSet.read(data(0)));
        // a later change replaces the published copy
        VoterSet third = VoterSet.parse("1@127.0.0.1:9193,2@127.0.0.1:9194");
        QuorumFormation.votersChanged(hz, "c2", data(0), VoterSet.parse("9@127.0.0.1:9199"), false); // kept, not published
        assertEquals(Optional.of(VoterSet.parse("9@127.0.0.1:9199")), VoterSet.read(data(0)));
        after.write(data(0));
        QuorumFormation.votersChanged(hz, "c2", data(1), third, true);
        assertEquals(third, QuorumFormation.resolve(grid.get(0), "c2", 0, settings(0, Map.of()), data(0),
                System::currentTimeMillis, deadline(500)));
        QuorumFormation.announceDirectory(hz, "c2", 3, "dir-3");
        assertEquals(Optional.of("dir-3"), QuorumFormation.directoryOf(grid.get(0), "c2", 3));
        assertEquals(Optional.empty(), QuorumFormation.directoryOf(grid.get(0), "c2", 4));
    }

    @Test
    void voterSetsRoundTripAndChooseTheLowestIds() {
        VoterSet s = VoterSet.parse("2@h:3,0@h:1,1@h:2");
        assertEquals("0@h:1,1@h:2,2@h:3", s.format());
        assertEquals(s, VoterSet.parse(s.format()));
        QuorumSettings.HostPort a = new QuorumSettings.HostPort("h", 1);
        assertEquals(Optional.empty(), VoterSet.choose(3, List.of(new VoterSet.Candidate(7, a), new VoterSet.Candidate(4, a))));
        assertEquals("4@h:1", VoterSet.choose(1, List.of(new VoterSet.Candidate(7, a), new VoterSet.Candidate(4, a))).get().format());
        assertThrows(IllegalArgumentException.class, () -> VoterSet.parse("x"));
    }
}
