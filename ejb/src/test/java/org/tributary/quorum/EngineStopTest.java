package org.tributary.quorum;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A member must never stop following the metadata log while its node runs: Ratis closes its
 * server after a JVM pause longer than its close threshold, so that threshold lies beyond any
 * pause; and should the engine stop by itself anyway, the member says so (the node's liveness
 * check then fails) instead of serving its old metadata silently.
 */
class EngineStopTest {
    @TempDir
    Path dir;

    @Test
    void aJvmPauseNeverClosesTheEngine() throws Exception {
        try (QuorumCluster c = new QuorumCluster(dir, 1, 0, b -> b)) {
            RaftQuorum q = c.start(1);
            long thresholdMs = RaftServerConfigKeys.closeThreshold(RatisSettings.server(q.config(), "127.0.0.1", 1))
                    .toLong(TimeUnit.MILLISECONDS);
            assertTrue(thresholdMs >= TimeUnit.DAYS.toMillis(365), "Ratis closes its server after a pause of " + thresholdMs + " ms");
        }
    }

    @Test
    void anEngineThatStopsByItselfIsReportedAndAClosedMemberIsNot() throws Exception {
        try (QuorumCluster c = new QuorumCluster(dir, 1, 0, b -> b)) {
            RaftQuorum q = c.start(1);
            assertEquals(1, q.awaitLeader(Duration.ofSeconds(10)));
            Thread.sleep(1500);
            assertEquals(Optional.empty(), q.engineFailure(), "a running engine is fine");
            q.division().close(); // what Ratis does on its own after an engine error or a long pause
            QuorumCluster.await("the stopped engine reported", Duration.ofSeconds(10), () -> q.engineFailure().isPresent());
            assertTrue(q.engineFailure().get().contains("restart"), q.engineFailure().get());

            c.stop(1);
            RaftQuorum again = c.start(1);
            assertEquals(1, again.awaitLeader(Duration.ofSeconds(10)), "the same storage starts again");
            again.close();
            Thread.sleep(1500);
            assertEquals(Optional.empty(), again.engineFailure(), "closing a member is not a failure");
        }
    }
}
