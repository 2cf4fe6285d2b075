package org.tributary.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/** librdkafka through kcat: metadata listing, produce, consume from the start and from an offset. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class KcatTest {
    private static final Path KCAT = Path.of("/usr/bin/kcat");
    private TestBroker broker;

    @BeforeAll
    void start() throws Exception {
        assertTrue(Files.isExecutable(KCAT), "kcat is not installed: run the tests with ./tributary test (it installs kcat) or apt-get install kcat");
        broker = new TestBroker();
    }

    @AfterAll
    void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    private String kcat(String stdin, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(KCAT.toString(), "-b", broker.bootstrap()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
        if (stdin != null) {
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        p.getOutputStream().close();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("kcat " + args[0] + " did not finish: " + new String(p.getErrorStream().readAllBytes()));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), "kcat " + String.join(" ", args) + " failed: " + err);
        return out;
    }

    @Test
    void produceListAndConsume() throws Exception {
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            lines.append("line-").append(i).append('\n');
        }
        kcat(lines.toString(), "-P", "-t", "kcat-topic", "-p", "0", "-z", "snappy");

        String meta = kcat(null, "-L", "-t", "kcat-topic");
        assertTrue(meta.contains("1 brokers:") && meta.contains("broker " + TestBroker.BROKER_ID + " at 127.0.0.1:" + broker.port()), meta);
        assertTrue(meta.contains("topic \"kcat-topic\" with 1 partitions"), meta);
        assertTrue(meta.contains("partition 0, leader " + TestBroker.BROKER_ID + ", replicas: " + TestBroker.BROKER_ID
                + ", isrs: " + TestBroker.BROKER_ID), meta);

        String all = kcat(null, "-C", "-t", "kcat-topic", "-p", "0", "-o", "beginning", "-e", "-f", "%o:%s\\n");
        List<String> got = all.lines().toList();
        assertEquals(20, got.size(), all);
        assertEquals("0:line-0", got.get(0));
        assertEquals("19:line-19", got.get(19));

        String fromOffset = kcat(null, "-C", "-t", "kcat-topic", "-p", "0", "-o", "15", "-c", "2", "-f", "%o:%s\\n");
        assertEquals(List.of("15:line-15", "16:line-16"), fromOffset.lines().toList());

        String tail = kcat(null, "-C", "-t", "kcat-topic", "-p", "0", "-o", "-3", "-e", "-f", "%s\\n");
        assertEquals(List.of("line-17", "line-18", "line-19"), tail.lines().toList());
    }
}
