package org.tributary.quorum;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tributary.testkit.TlsFiles;
import org.junit.jupiter.api.io.TempDir;

/** With a voter down, Ratis must not write a stack trace per retry (it did every ~40 ms untamed). */
class LogNoiseTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "tls={0}")
    @ValueSource(booleans = {false, true})
    void aDeadVoterCostsOnlyAFewLogRecords(boolean tls) throws Exception {
        QuorumTls transport = tls ? TlsQuorumTest.tls(TlsFiles.shared(), TlsFiles.shared().brokerKeystore) : null;
        List<LogRecord> records = new CopyOnWriteArrayList<>();
        Handler counter = new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (isLoggable(r)) {
                    records.add(r);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger ratis = Logger.getLogger("org.apache.ratis");
        try (QuorumCluster c = new QuorumCluster(dir, 3, 0, b -> b.tls(transport))) {
            c.startAll(1, 2, 3);
            c.appendAll("a", 10);
            int follower = c.awaitLeader().localId() % 3 + 1;
            c.stop(follower);
            ratis.addHandler(counter);
            long end = System.nanoTime() + 5_000_000_000L;
            int n = 0;
            while (System.nanoTime() < end) {
                c.appendAll("b" + n++, 1); // writes continue while the voter is down
            }
            ratis.removeHandler(counter);
            StringBuilder seen = new StringBuilder();
            records.forEach(r -> seen.append('\n').append(r.getLevel()).append(' ').append(r.getLoggerName()).append(": ")
                    .append(r.getMessage()));
            System.out.printf("log noise (%s): %d Ratis records in 5 s with a voter down (%d appends)%n", tls ? "TLS" : "plaintext",
                    records.size(), n);
            assertTrue(records.size() <= 10, records.size() + " records:" + seen);
        } finally {
            ratis.removeHandler(counter);
        }
    }
}
