package org.tributary.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Kafka's transactions system test, brokers bounced (transaction timeout 40 s as there: longer than
 * a request timeout, so a produce stuck on a dead broker does not get its transaction aborted): three {@code TransactionalMessageCopier}s
 * copy 20,000 records while each of the three brokers in turn is crashed (hard) or shut down
 * (clean) and restarted; the output read with read_committed is the input exactly once, in order.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class TransactionalCopyBrokerBounceTest {
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
    void hardBouncedBrokersLoseNoCommittedCopyAndLeakNoAbortedOne() throws Exception {
        bounceEachBroker("hard", true);
    }

    @Test
    void cleanlyBouncedBrokersLoseNoCommittedCopyAndLeakNoAbortedOne() throws Exception {
        bounceEachBroker("clean", false);
    }

    private void bounceEachBroker(String name, boolean hard) throws Exception {
        long t0 = System.nanoTime();
        try (CopyScenario s = new CopyScenario(cluster, name).start(TRANSACTION_SIZE, 40_000)) {
            int whileCopying = 0;
            for (int id = 1; id <= 3; id++) {
                s.awaitProgress(0.1 + 0.25 * (id - 1), 90_000);
                whileCopying += s.copying() ? 1 : 0;
                int other = id == 1 ? 2 : 1;
                if (hard) {
                    s.crash(id);
                } else {
                    cluster.stop(id);
                }
                s.awaitLeadershipMoved(id, other);
                cluster.startBroker(id);
                s.awaitFullIsr(other);
            }
            s.awaitAndVerify(120_000);
            System.out.printf("%s: %d of 3 bounces while copying, %d ms%n", name, whileCopying,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
            assertTrue(whileCopying >= 1, "the copy finished before a broker was bounced");
        }
    }
}
