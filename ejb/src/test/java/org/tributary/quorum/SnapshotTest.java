package org.tributary.quorum;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tributary.testing.LiveFiles;

class SnapshotTest {
    @TempDir
    Path dir;

    private static long count(Path root, String regex) throws Exception {
        return LiveFiles.count(root, name -> name.matches(regex));
    }

    @Test
    void snapshotsPurgeTheLogAndAreInstalledOnFarBehindAndWipedMembers() throws Exception {
        try (QuorumCluster c = new QuorumCluster(dir, 3, 0, b -> b.snapshotThreshold(50).logSegmentBytes(4096))) {
            c.startAll(1, 2, 3);
            RaftQuorum first = c.awaitLeader();
            int far = first.localId() % 3 + 1;
            c.stop(far); // misses everything below, including the log entries purged behind snapshots

            c.appendAll("s", 400);
            RaftQuorum leader = c.awaitLeader();
            int id = leader.localId();
            int other = 6 - id - far;
            QuorumCluster.await("snapshots written on the leader", Duration.ofSeconds(10),
                    () -> c.sm(id).snapshotsWritten() > 0);
            QuorumCluster.await("the log start moves past the first snapshots", Duration.ofSeconds(10),
                    () -> leader.status().logStartOffset() > 100);
            QuorumCluster.await("old snapshots removed", Duration.ofSeconds(5), () -> {
                try {
                    return count(c.storage(id), "snapshot\\.\\d+_\\d+") <= RatisSettings.SNAPSHOTS_RETAINED;
                } catch (Exception e) {
                    return false;
                }
            });
            System.out.printf("snapshots: leader log now starts at %d, %d segment files%n",
                    leader.status().logStartOffset(), count(c.storage(id), "log_.*"));
            long checksum = c.sm(id).checksum();

            // a far-behind member gets the leader's snapshot installed, then the rest of the log
            long t0 = System.nanoTime();
            c.start(far);
            QuorumCluster.await("far-behind member caught up", Duration.ofSeconds(20), () -> c.sm(far).size() == 400);
            System.out.printf("snapshots: far-behind member restored (snapshot installed + tail) in %d ms%n",
                    (System.nanoTime() - t0) / 1_000_000);
            assertEquals(1, c.sm(far).snapshotsLoaded(), "restored from an installed snapshot, not by replay from 0");
            assertEquals(checksum, c.sm(far).checksum());
            assertEquals(c.sm(id).entries(), c.sm(far).entries());

            // a restarted member loads its own latest snapshot, then replays the rest of its log
            c.stop(other);
            c.start(other);
            QuorumCluster.await("restarted member caught up", Duration.ofSeconds(20), () -> c.sm(other).size() == 400);
            assertEquals(1, c.sm(other).snapshotsLoaded(), "the restart loaded a snapshot");
            assertEquals(checksum, c.sm(other).checksum());

            // a member whose storage was lost rejoins after a leader change and gets the snapshot installed
            // (Ratis 3.1.3 cannot repair it within the same leader term: the leader remembers its old match index)
            c.stop(other);
            c.wipe(other);
            c.stop(id);
            c.start(id);
            c.awaitLeader();
            c.start(other);
            QuorumCluster.await("wiped member restored", Duration.ofSeconds(20), () -> c.sm(other).size() == 400);
            assertEquals(1, c.sm(other).snapshotsLoaded());
            assertEquals(checksum, c.sm(other).checksum());

            c.appendAll("t", 10);
            c.awaitAllApplied(410);
            long now = c.sm(c.awaitLeader().localId()).checksum();
            for (int m = 1; m <= 3; m++) {
                assertEquals(now, c.sm(m).checksum(), "member " + m);
                assertEquals(List.of(), c.sm(m).errors());
            }
        }
    }
}
