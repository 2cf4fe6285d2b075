package org.tributary.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tributary.e2e.eosapp.EosApp;
import org.tributary.testkit.LocalCluster;

/**
 * An MDB's consume-transform-produce loop stays exactly once across crashes: a real Payara Micro
 * node runs Tributary and an application ({@code eosapp}) whose MDB copies each input record to
 * an output topic in the container's transaction, through a connection factory with local
 * transactions. Some records fail their first delivery after sending (the container rolls the
 * copy back), others mark their first delivery's transaction rollback-only and return without
 * sending (they must be delivered again all the same); the node is killed with SIGKILL twice mid-stream and restarted. A
 * {@code read_committed} reader then finds every input exactly once in the output, in order per
 * key, while a {@code read_uncommitted} reader also sees the copies that were rolled back.
 */
class ExactlyOnceMdbIT {
    private static final int KEYS = 12;
    private static final int RECORDS = 900;
    private static final int PARTITIONS = 3;
    private static final Duration DRAIN_WITHIN = Duration.ofSeconds(240);

    @TempDir
    Path data;

    @Test
    void anMdbsConsumeAndProduceStaysExactlyOnceAcrossRollbacksAndKills() throws Exception {
        Path war = TestWars.pack(EosApp.class, "eosapp", data.resolve("apps"));
        List<String> inputs = new ArrayList<>();
        Map<String, Integer> seq = new HashMap<>();
        for (int i = 0; i < RECORDS; i++) {
            String key = "k" + (i % KEYS);
            int n = seq.merge(key, 1, Integer::sum);
            inputs.add(key + ":" + n + (i % 25 == 7 ? EosApp.FAIL_FIRST : i % 25 == 19 ? EosApp.ROLLBACK_FIRST : ""));
        }
        try (LocalCluster node = LocalCluster.startOne(data.resolve("cluster"), "-Dnum.partitions=" + PARTITIONS,
                Map.of("TRIBUTARY_APPS", war.toString()))) {
            String bootstrap = node.bootstrapServers();
            try (Admin admin = KafkaClients.admin(bootstrap)) {
                for (String topic : List.of(EosApp.IN, EosApp.OUT)) {
                    try { // the MDB's consumers may have created the input already (num.partitions above)
                        admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 1))).all().get(60, TimeUnit.SECONDS);
                    } catch (ExecutionException e) {
                        if (!(e.getCause() instanceof TopicExistsException)) {
                            throw e;
                        }
                    }
                }
                produce(bootstrap, inputs);
                long total = endOffsets(admin, EosApp.IN).values().stream().mapToLong(Long::longValue).sum();
                assertEquals(RECORDS, total);

                for (int round = 1; round <= 2; round++) {
                    long target = RECORDS * round / 3;
                    awaitProgress(admin, target, "the MDB to process " + target + " records before kill " + round);
                    System.out.println("ExactlyOnceMdbIT: kill -9 at " + progress(admin) + " processed records (round " + round + ")");
                    node.kill(0);
                    node.restart(0);
                }
            }
            try (Admin admin = KafkaClients.admin(node.bootstrapServers())) {
                awaitProgress(admin, RECORDS, "the MDB to process every input after the restarts");
            }

            String after = node.bootstrapServers();
            Map<Integer, List<String>> committed = readOutput(after, "read_committed");
            List<String> all = committed.values().stream().flatMap(List::stream).toList();
            Map<String, Long> counts = all.stream().collect(Collectors.groupingBy(v -> v, TreeMap::new, Collectors.counting()));
            List<String> missing = inputs.stream().filter(v -> !counts.containsKey(v)).toList();
            List<String> twice = counts.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList();
            assertTrue(missing.isEmpty(), "inputs missing from the committed output: " + missing);
            assertTrue(twice.isEmpty(), "inputs copied more than once into the committed output: " + twice);
            assertEquals(RECORDS, all.size());
            for (List<String> partition : committed.values()) {
                Map<String, Integer> last = new HashMap<>();
                for (String v : partition) {
                    String key = v.substring(0, v.indexOf(':'));
                    int n = Integer.parseInt(v.split(":")[1]);
                    Integer before = last.put(key, n);
                    assertTrue(before == null || before < n, "key " + key + " out of order in the output: " + before + " then " + n);
                }
            }
            long marked = inputs.stream().filter(v -> v.endsWith(EosApp.FAIL_FIRST)).count();
            int uncommitted = readOutput(after, "read_uncommitted").values().stream().mapToInt(List::size).sum();
            System.out.println("ExactlyOnceMdbIT: " + all.size() + " committed copies, " + uncommitted + " copies in the log");
            assertTrue(uncommitted >= RECORDS + marked,
                    "the first copies of the " + marked + " failing records should be in the log, aborted: " + uncommitted);
        } finally {
            Path log = data.resolve("cluster/node-0/server.log");
            if (Files.exists(log)) {
                Files.copy(log, Path.of("target", "ExactlyOnceMdbIT-server.log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    private static void produce(String bootstrap, List<String> values) throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("acks", "all");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            for (String v : values) {
                producer.send(new ProducerRecord<>(EosApp.IN, v.substring(0, v.indexOf(':')), v));
            }
            producer.flush();
        }
    }

    private static Map<TopicPartition, Long> endOffsets(Admin admin, String topic) throws Exception {
        Map<TopicPartition, OffsetSpec> ask = new HashMap<>();
        for (int p = 0; p < PARTITIONS; p++) {
            ask.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        Map<TopicPartition, Long> out = new HashMap<>();
        admin.listOffsets(ask).all().get(30, TimeUnit.SECONDS).forEach((tp, info) -> out.put(tp, info.offset()));
        return out;
    }

    /** Input records the MDB's group has committed past. */
    private static long progress(Admin admin) {
        try {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(EosApp.GROUP)
                    .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
            return offsets.values().stream().filter(o -> o != null).mapToLong(OffsetAndMetadata::offset).sum();
        } catch (Exception e) {
            return -1; // the node is starting: ask again
        }
    }

    private static void awaitProgress(Admin admin, long target, String what) throws InterruptedException {
        long deadline = System.nanoTime() + DRAIN_WITHIN.toNanos();
        long seen;
        while ((seen = progress(admin)) < target) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("waited " + DRAIN_WITHIN.toSeconds() + " s for " + what + "; processed " + seen);
            }
            Thread.sleep(100);
        }
    }

    /** The output, per partition in offset order, read to the end with the given isolation level. */
    private static Map<Integer, List<String>> readOutput(String bootstrap, String isolation) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("isolation.level", isolation);
        Map<Integer, List<String>> out = new TreeMap<>();
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> tps = new ArrayList<>();
            for (int i = 0; i < PARTITIONS; i++) {
                tps.add(new TopicPartition(EosApp.OUT, i));
                out.put(i, new ArrayList<>());
            }
            c.assign(tps);
            c.seekToBeginning(tps);
            Map<TopicPartition, Long> end = c.endOffsets(tps);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (tps.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("could not read " + EosApp.OUT + " to its end " + end + " (" + isolation + ")");
                }
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                    out.get(r.partition()).add(r.value());
                }
            }
        }
        return out;
    }
}
