package org.tributary.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Kafka's transactions system test, clients bounced: three {@code TransactionalMessageCopier}s
 * (child JVMs) copy 20,000 records and each is killed with SIGKILL mid-transaction (hard) or
 * stopped with SIGTERM (clean) three times and restarted with the same transactional id, which
 * fences the old producer and aborts its open transaction; the output read with read_committed is
 * the input exactly once, in order.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class TransactionalCopyClientBounceTest {
    private static final int TRANSACTION_SIZE = 100;
    private static InJvmCluster cluster;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = new InJvmCluster(CopyScenario.BROKER_SETTINGS).start();
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void killedCopiersRestartedWithTheirTransactionalIdCopyEachRecordOnce() throws Exception {
        bounceCopiers("kill", true);
    }

    @Test
    void stoppedCopiersRestartedWithTheirTransactionalIdCopyEachRecordOnce() throws Exception {
        bounceCopiers("stop", false);
    }

    private void bounceCopiers(String name, boolean hard) throws Exception {
        long t0 = System.nanoTime();
        try (CopyScenario s = new CopyScenario(cluster, name).start(TRANSACTION_SIZE, 10_000)) {
            int whileCopying = 0;
            for (int round = 1; round <= 3; round++) {
                for (MessageCopier c : s.copiers) {
                    double share = 0.2 * round;
                    InJvmCluster.await("copier at " + share, 90_000, () -> c.done() || c.progress() >= share);
                    if (!c.done()) {
                        whileCopying++;
                        if (hard) {
                            c.killAndRestart();
                        } else {
                            c.stopAndRestart();
                        }
                    }
                }
            }
            s.awaitAndVerify(120_000);
            System.out.printf("%s: %d of 9 bounces while copying, %d ms%n", name, whileCopying,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
            assertTrue(whileCopying >= 3, "the copy finished before the copiers were bounced: " + whileCopying);
        }
    }
}
