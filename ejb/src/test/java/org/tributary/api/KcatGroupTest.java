package org.tributary.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tributary.group.GroupDescription;
import org.tributary.group.GroupState;
import org.tributary.group.PartitionLag;
import org.tributary.server.TestBroker;

/** librdkafka's balanced consumer (kcat -G): two members share a topic, each record is read once, offsets are committed. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class KcatGroupTest {
    private static final Path KCAT = Path.of("/usr/bin/kcat");
    private TestBroker broker;

    @BeforeAll
    void start() throws Exception {
        assumeTrue(Files.isExecutable(KCAT), "kcat is not installed");
        broker = new TestBroker(GroupClients.FAST_GROUPS);
    }

    @AfterAll
    void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    private Process kcat(String group, String topic, String strategy, ConcurrentLinkedQueue<String> lines) throws Exception {
        Process p = new ProcessBuilder(KCAT.toString(), "-b", broker.bootstrap(), "-G", group, "-q", "-u", "-f", "%p:%o:%s\\n",
                "-X", "partition.assignment.strategy=" + strategy, "-X", "session.timeout.ms=6000",
                "-X", "auto.commit.interval.ms=200", "-X", "auto.offset.reset=earliest", topic)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.add(line);
                }
            } catch (java.io.IOException e) {
                // process ended
            }
        });
        reader.setDaemon(true);
        reader.start();
        return p;
    }

    private static void await(long timeoutMs, java.util.function.BooleanSupplier cond, String what) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (!cond.getAsBoolean()) {
            assertTrue(System.currentTimeMillis() < deadline, "timed out waiting for " + what);
            Thread.sleep(50); // polling an external process's effects: there is no event to wait on
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"range,roundrobin", "cooperative-sticky"})
    void twoKcatMembersShareATopic(String strategy) throws Exception {
        String topic = "kcat-" + strategy.replace(',', '-');
        String group = "kcat-group-" + strategy.replace(',', '-');
        try (Admin admin = broker.admin()) {
            admin.createTopics(List.of(new NewTopic(topic, 4, (short) 1))).all().get();
        }
        ConcurrentLinkedQueue<String> lines = new ConcurrentLinkedQueue<>();
        List<Process> members = new ArrayList<>();
        try {
            members.add(kcat(group, topic, strategy, lines));
            members.add(kcat(group, topic, strategy, lines));
            await(30_000, () -> broker.server().describeGroup(group).map(d -> d.state() == GroupState.STABLE
                    && d.members().size() == 2 && d.members().stream().allMatch(m -> m.assignment().length > 8)).orElse(false),
                    "two kcat members with partitions");
            try (KafkaProducer<byte[], byte[]> p = broker.producer(Map.of())) {
                for (int i = 0; i < 40; i++) {
                    p.send(new ProducerRecord<>(topic, i % 4, null, ("m" + i).getBytes(StandardCharsets.UTF_8)));
                }
            }
            await(30_000, () -> lines.size() >= 40, "40 records through kcat (got " + lines.size() + ")");
            assertEquals(40, lines.stream().distinct().count(), "every record read exactly once: " + lines);
            await(10_000, () -> {
                List<PartitionLag> lag = broker.server().lag(group);
                return lag.size() == 4 && lag.stream().allMatch(l -> l.committedOffset() == 10 && l.lag() == 0);
            }, "kcat's commits of offset 10 on every partition");
            GroupDescription d = broker.server().describeGroup(group).orElseThrow();
            assertEquals("consumer", d.protocolType());
            assertEquals(strategy.split(",")[0], d.protocolName());
        } finally {
            for (Process p : members) {
                p.destroy(); // SIGTERM: kcat closes its consumer and leaves the group
            }
            for (Process p : members) {
                if (!p.waitFor(15, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
        }
        await(10_000, () -> broker.server().describeGroup(group).map(g -> g.state() == GroupState.EMPTY).orElse(false),
                "the group empty after both kcat members left");
    }
}
