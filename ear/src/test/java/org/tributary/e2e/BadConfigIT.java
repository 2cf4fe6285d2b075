package org.tributary.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tributary.testkit.LocalCluster;

/**
 * A bad setting stops start-up with one readable line that names the key: the launcher exits
 * non-zero and prints it, the node process is gone, and the log has no stack trace from our code.
 */
class BadConfigIT {
    private static final Pattern OUR_STACK_FRAME = Pattern.compile("(?m)^\\s+at org\\.tributary\\.");

    @TempDir
    Path data;

    @Test
    void aNonNumericPortIsRefusedNamingListeners() throws Exception {
        assertRefused("-Dlisteners=PLAINTEXT://127.0.0.1:ninety", "'listeners'", "port 'ninety' is not a number");
    }

    @Test
    void anUnwritableDataDirectoryIsRefusedNamingLogDirs() throws Exception {
        assertRefused("-Dlog.dirs=/proc/tributary-cannot-write-here", "'log.dirs'", "cannot be created or written");
    }

    @Test
    void aKafkaPortInUseIsRefusedNamingListeners() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            assertRefused("-Dlisteners=PLAINTEXT://127.0.0.1:" + taken.getLocalPort(), "'listeners'", "already in use");
        }
    }

    private void assertRefused(String javaOpts, String key, String problem) throws Exception {
        try (LocalCluster.Attempt a = LocalCluster.tryStart(data, javaOpts)) {
            String out = a.result().output();
            assertNotEquals(0, a.result().exitCode(), "start must fail:\n" + out);
            assertTrue(out.contains("TRIB-0002 Broker cannot start") && out.contains(key) && out.contains(problem),
                    "the launcher shows the one line that names the key and the problem:\n" + out);
            assertEquals(-1, a.cluster().pid(0), "the node process has exited");
            String log = Files.readString(a.cluster().logFile(0));
            assertEquals(1, log.lines().filter(l -> l.contains("TRIB-0002")).count(), "exactly one error line:\n" + log);
            assertFalse(OUR_STACK_FRAME.matcher(log).find(), "no stack trace from the broker in the log:\n" + log);
        }
    }
}
