package org.tributary.quorum;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The redeploy case: close, then start again on the same storage in the same JVM, without leaking threads. */
class CloseAndRestartTest {
    @TempDir
    Path dir;

    private static Set<Long> threadIds() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getId)
                .collect(Collectors.toSet());
    }

    private static Set<String> newThreads(Set<Long> before) {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
                .filter(t -> !before.contains(t.getId())).map(Thread::getName).collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void closeReleasesStorageAndThreadsAndTheSameJvmCanStartAgain() throws Exception {
        try (QuorumCluster c = new QuorumCluster(dir, 1, 0, b -> b)) {
            Set<Long> before = threadIds();
            int threadsBefore = before.size();
            long checksum = -1;
            int peakAdded = 0;
            for (int round = 0; round < 3; round++) {
                RaftQuorum q = c.start(1);
                assertTrue(q.awaitLeader(Duration.ofSeconds(10)) == 1, "round " + round);
                q.appendAsLeader(q.epoch(), ("r" + round).getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
                q.requestLeader("x".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS);
                assertEquals(round + 1, c.sm(1).size(), "state kept across restarts");
                peakAdded = Math.max(peakAdded, newThreads(before).size());

                // a second member on the same storage is refused while the first runs
                assertThrows(java.io.IOException.class, () -> RaftQuorum.start(c.config(1), new ListStateMachine(),
                        r -> null));

                long t0 = System.nanoTime();
                c.stop(1);
                long closeMs = (System.nanoTime() - t0) / 1_000_000;
                assertTrue(closeMs < 5000, "close is bounded: " + closeMs + " ms");
                assertEquals(MemberState.CLOSED, q.state());
                q.close(); // idempotent
                ExecutionException closed = assertThrows(ExecutionException.class,
                        () -> q.appendAsLeader(1, new byte[0]).get(1, TimeUnit.SECONDS));
                assertEquals(QuorumException.Kind.CLOSED, ((QuorumException) closed.getCause()).kind());
                checksum = c.sm(1).checksum();
            }
            System.out.printf("close/restart: a single voter added at most %d threads%n", peakAdded);
            // Netty's client event loops end after their quiet period (about 2 s), so allow a grace period
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!newThreads(before).isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            Set<String> leaked = newThreads(before);
            assertEquals(Set.of(), leaked, "threads left after close (before: " + threadsBefore + ")");

            RaftQuorum q = c.start(1);
            QuorumCluster.await("state reloaded", Duration.ofSeconds(10), () -> c.sm(1).size() == 3);
            assertEquals(checksum, c.sm(1).checksum());
            assertEquals(List.of("r0", "r1", "r2"), c.sm(1).entries());
            q.close();
        }
    }
}
