package org.tributary.quorum;

import static org.junit.jupiter.api.Assertions.assertEquals;
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

class SingleVoterQuorumTest {
    @TempDir
    Path dir;

    @Test
    void electsItselfAppliesInOrderAndKeepsStateAcrossRestart() throws Exception {
        try (QuorumCluster c = new QuorumCluster(dir, 1, 0, b -> b)) {
            RaftQuorum q = c.start(1);
            assertEquals(1, q.awaitLeader(Duration.ofSeconds(10)), "a single voter elects itself");
            assertTrue(q.isLeader());
            long epoch = q.epoch();
            // becameLeader is delivered on the member's event thread, moments after Ratis reports the leadership
            QuorumCluster.await("becameLeader delivered", Duration.ofSeconds(10), () -> !c.sm(1).events().isEmpty());
            assertEquals(List.of("leader:" + epoch), c.sm(1).events(), "becameLeader once, with the epoch");

            List<CompletableFuture<Long>> futures = new ArrayList<>();
            long t0 = System.nanoTime();
            for (int i = 0; i < 200; i++) {
                futures.add(q.appendAsLeader(epoch, ("e" + i).getBytes(StandardCharsets.UTF_8)));
            }
            long previous = -1;
            for (CompletableFuture<Long> f : futures) {
                long offset = f.get(10, TimeUnit.SECONDS);
                assertTrue(offset > previous, "offsets increase in append order");
                previous = offset;
            }
            System.out.printf("single voter: 200 pipelined appends committed in %d ms%n",
                    (System.nanoTime() - t0) / 1_000_000);
            long t1 = System.nanoTime();
            long lastOffset = -1;
            for (int i = 0; i < 20; i++) {
                lastOffset = q.appendAsLeader(epoch, ("s" + i).getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
            }
            System.out.printf("single voter: commit latency (one at a time, fsync) %.2f ms%n",
                    (System.nanoTime() - t1) / 1e6 / 20);
            ListStateMachine sm = c.sm(1);
            assertEquals(220, sm.size(), "every committed entry is applied before its future completes");
            for (int i = 0; i < 200; i++) {
                assertEquals("e" + i, sm.entries().get(i), "applied in append order");
            }
            assertEquals(lastOffset, sm.lastAppliedOffset(), "the offset returned is the one applied");
            assertEquals(List.of(), sm.errors());
            long checksum = sm.checksum();
            QuorumStatus st = q.status();
            assertEquals(1, st.leaderId());
            assertEquals(epoch, st.epoch());
            // Ratis's own entries (leader start-up, commit-index metadata) take log indexes too, so the
            // commit index may be past the last application entry, never before it
            assertTrue(st.highWatermark() >= sm.lastAppliedOffset() && st.highWatermark() <= sm.lastAppliedOffset() + 2,
                    "high watermark " + st.highWatermark() + " covers the last committed entry " + sm.lastAppliedOffset());

            c.stop(1);
            RaftQuorum again = c.start(1);
            assertEquals(1, again.awaitLeader(Duration.ofSeconds(10)));
            QuorumCluster.await("replay after restart", Duration.ofSeconds(10), () -> c.sm(1).size() == 220);
            assertEquals(checksum, c.sm(1).checksum(), "same state after restart");
            assertTrue(again.epoch() > epoch, "a restart begins a new epoch");
            again.appendAsLeader(again.epoch(), "after".getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
            assertEquals("after", c.sm(1).entries().get(220));
        }
    }
}
