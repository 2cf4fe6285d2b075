package org.tributary.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.LongDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A Kafka Streams word count with {@code exactly_once_v2} ({@link StreamsCountApp}, child JVM) on
 * three brokers, killed with SIGKILL twice while its input is still arriving and started again:
 * the counts it wrote, read with read_committed, end exactly at the number of times each word was
 * produced, and each word's counts rise by one at a time (nothing counted twice, nothing skipped),
 * across the repartition topic, the changelog restore and the fenced transactions of the dead instance.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class StreamsExactlyOnceTest {
    private static final String INPUT = "words";
    private static final String OUTPUT = "word-counts";
    private static final int WORDS = 30;
    private static final int RECORDS = 6_000;
    private InJvmCluster cluster;
    private ChildJvm app;
    private Path stateDir;

    @AfterEach
    void stop() throws Exception {
        if (app != null) {
            app.close();
        }
        if (cluster != null) {
            cluster.close();
        }
        if (stateDir != null) {
            TestBroker.deleteTree(stateDir);
        }
    }

    @Test
    void countsSurviveKilledInstancesExactlyOnce() throws Exception {
        long t0 = System.nanoTime();
        cluster = new InJvmCluster(CopyScenario.BROKER_SETTINGS).start();
        String bootstrap = cluster.bootstrap(1, 2, 3);
        try (Admin a = cluster.admin(1)) {
            Map<String, String> configs = Map.of("min.insync.replicas", "2");
            a.createTopics(List.of(new NewTopic(INPUT, 3, (short) 3).configs(configs), new NewTopic(OUTPUT, 3, (short) 3).configs(configs)))
                    .all().get(30, TimeUnit.SECONDS);
        }
        stateDir = Files.createTempDirectory("streams-state");
        Map<String, Long> expected = new TreeMap<>();
        for (int i = 0; i < RECORDS; i++) {
            expected.merge(word(i), 1L, Long::sum);
        }
        AtomicInteger produced = new AtomicInteger();
        AtomicReference<Throwable> producerFailure = new AtomicReference<>();
        Thread producer = new Thread(() -> produce(bootstrap, produced, producerFailure), "word-producer");
        producer.setDaemon(true);

        Map<String, List<Long>> counts = new ConcurrentHashMap<>();
        try (CountReader reader = new CountReader(bootstrap, counts)) {
            List<String> states = new ArrayList<>();
            app = startApp(bootstrap, states);
            InJvmCluster.await("streams running", 60_000, () -> running(states));
            producer.start();
            for (int kill = 1; kill <= 2; kill++) {
                int threshold = kill * RECORDS / 4;
                InJvmCluster.await("counted " + threshold, 90_000, () -> {
                    checkAlive(states);
                    return total(counts) >= threshold;
                });
                app.kill();
                app.close();
                System.out.printf("killed the streams app at %d counted, %d produced%n", total(counts), produced.get());
                states.clear();
                app = startApp(bootstrap, states);
                InJvmCluster.await("streams running again", 90_000, () -> running(states));
            }
            producer.join(120_000);
            if (producerFailure.get() != null) {
                throw new AssertionError("producer failed", producerFailure.get());
            }
            assertEquals(RECORDS, produced.get());
            try {
                InJvmCluster.await("final counts", 90_000, () -> {
                    checkAlive(states);
                    return latest(counts).equals(expected);
                });
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + ": counted " + total(counts) + " of " + RECORDS + ", states " + states
                        + "\nwarnings of the streams app:\n" + app.errorTail("WARNING") + "\n" + app.errorTail("SEVERE"), e);
            }
        }
        System.out.println("warnings of the last streams instance:\n" + app.errorTail("WARNING"));
        for (Map.Entry<String, List<Long>> e : counts.entrySet()) {
            List<Long> seq = e.getValue();
            for (int i = 0; i < seq.size(); i++) {
                assertEquals(i + 1, seq.get(i), e.getKey() + "'s counts go up one at a time: " + seq.subList(0, Math.min(seq.size(), i + 3)));
            }
        }
        System.out.printf("streams exactly_once_v2: %d records, %d words exact after 2 kills, %d ms%n", RECORDS, expected.size(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    }

    private static boolean running(List<String> states) {
        checkAlive(states);
        synchronized (states) {
            return !states.isEmpty() && states.get(states.size() - 1).equals("STATE RUNNING");
        }
    }

    private static void checkAlive(List<String> states) {
        synchronized (states) {
            for (String s : states) {
                if (s.startsWith("FATAL") || s.equals("STATE ERROR")) {
                    throw new AssertionError("streams app failed: " + states);
                }
            }
        }
    }

    private ChildJvm startApp(String bootstrap, List<String> states) throws Exception {
        return ChildJvm.start(StreamsCountApp.class.getName(), List.of("-Xmx192m"),
                List.of(bootstrap, "word-count", INPUT, OUTPUT, stateDir.toString()), line -> {
                    synchronized (states) {
                        states.add(line);
                    }
                });
    }

    /** Produces RECORDS words, under a thousand a second, so the app is killed while input still arrives. */
    private static void produce(String bootstrap, AtomicInteger produced, AtomicReference<Throwable> failure) {
        try (KafkaProducer<String, String> p = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true), new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < RECORDS; i++) {
                String word = word(i);
                p.send(new ProducerRecord<>(INPUT, Integer.toString(i), word), (md, e) -> {
                    if (e != null) {
                        failure.compareAndSet(null, e);
                    } else {
                        produced.incrementAndGet();
                    }
                });
                if (i % 20 == 19) {
                    Thread.sleep(20); // pace the input: a load generator, not a wait for a condition
                }
            }
        } catch (Throwable t) {
            failure.set(t);
        }
    }

    private static String word(int i) {
        return "w" + (i * 7 % WORDS);
    }

    private static Map<String, Long> latest(Map<String, List<Long>> counts) {
        Map<String, Long> m = new TreeMap<>();
        counts.forEach((k, v) -> {
            synchronized (v) {
                if (!v.isEmpty()) {
                    m.put(k, v.get(v.size() - 1));
                }
            }
        });
        return m;
    }

    private static long total(Map<String, List<Long>> counts) {
        return latest(counts).values().stream().mapToLong(Long::longValue).sum();
    }

    /** Reads every count the app committed (read_committed), in order per word. */
    private static final class CountReader implements AutoCloseable {
        private final Thread thread;
        private volatile boolean stop;

        CountReader(String bootstrap, Map<String, List<Long>> counts) {
            KafkaConsumer<String, Long> c = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap, "isolation.level",
                    "read_committed", "enable.auto.commit", false, "auto.offset.reset", "earliest"), new StringDeserializer(),
                    new LongDeserializer());
            List<TopicPartition> tps = List.of(new TopicPartition(OUTPUT, 0), new TopicPartition(OUTPUT, 1), new TopicPartition(OUTPUT, 2));
            c.assign(tps);
            c.seekToBeginning(tps);
            thread = new Thread(() -> {
                try (c) {
                    while (!stop) {
                        for (ConsumerRecord<String, Long> r : c.poll(Duration.ofMillis(100))) {
                            List<Long> seq = counts.computeIfAbsent(r.key(), k -> new ArrayList<>());
                            synchronized (seq) {
                                seq.add(r.value());
                            }
                        }
                    }
                }
            }, "count-reader");
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            stop = true;
            thread.join(15_000);
        }
    }

}
