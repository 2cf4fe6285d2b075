package org.tributary.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Kafka's transactions system test ({@code transactions_test.py}) on an {@link InJvmCluster}:
 * an input topic seeded with known records, one {@link MessageCopier} per input partition
 * copying it transactionally to the output topic (both RF 3, min.insync.replicas 2) while brokers
 * or copiers are bounced, and a read_committed consumer reading the output meanwhile. Checks that
 * the output, read with read_committed, holds each input record exactly once and in input order
 * on every partition, both for the concurrent reader and for a fresh one at the end.
 */
final class CopyScenario implements AutoCloseable {
    static final int PARTITIONS = 3;
    static final int RECORDS = 20_000;
    /** Broker settings: small internal topics, coordinators' defaults otherwise (RF 3, min ISR 2). */
    static final Map<String, String> BROKER_SETTINGS = Map.of("transaction.state.log.num.partitions", "6",
            "group.initial.rebalance.delay.ms", "0", "transaction.abort.timed.out.transaction.cleanup.interval.ms", "1000");

    private final InJvmCluster cluster;
    private final String input;
    private final String output;
    private final List<List<String>> seeded = new ArrayList<>();
    final List<MessageCopier> copiers = new ArrayList<>();
    private OutputReader concurrent;

    CopyScenario(InJvmCluster cluster, String name) {
        this.cluster = cluster;
        this.input = name + "-in";
        this.output = name + "-out";
    }

    /**
     * Creates the topics, seeds the input with an idempotent producer and starts the copiers and the
     * concurrent reader. A restarted copier asks for its committed offset before it fences its old
     * instance (the copier reads its position before {@code initTransactions}), so when the old
     * instance died with offsets in its open transaction the new one waits out
     * {@code transactionTimeoutMs} (UNSTABLE_OFFSET_COMMIT until the coordinator aborts it), as in Kafka.
     */
    CopyScenario start(int transactionSize, int transactionTimeoutMs) throws Exception {
        try (Admin a = cluster.admin(1)) {
            Map<String, String> configs = Map.of("min.insync.replicas", "2");
            a.createTopics(List.of(new NewTopic(input, PARTITIONS, (short) 3).configs(configs),
                    new NewTopic(output, PARTITIONS, (short) 3).configs(configs))).all().get(30, TimeUnit.SECONDS);
        }
        for (int p = 0; p < PARTITIONS; p++) {
            seeded.add(new ArrayList<>());
        }
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(),
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true, ProducerConfig.LINGER_MS_CONFIG, 5), new StringSerializer(),
                new StringSerializer())) {
            for (int i = 0; i < RECORDS; i++) {
                int p = i % PARTITIONS;
                String value = Integer.toString(i);
                seeded.get(p).add(value);
                producer.send(new ProducerRecord<>(input, p, null, value));
            }
            producer.flush();
        }
        concurrent = new OutputReader(bootstrap(), output, PARTITIONS);
        for (int p = 0; p < PARTITIONS; p++) {
            copiers.add(new MessageCopier(bootstrap(), input, p, output, name() + "-group", transactionSize,
                    transactionTimeoutMs, seeded.get(p).size())
                    .start());
        }
        return this;
    }

    private String name() {
        return input.substring(0, input.length() - 3);
    }

    String bootstrap() {
        return cluster.bootstrap(1, 2, 3);
    }

    /** Waits until every copier reports at least {@code share} of its partition copied. */
    void awaitProgress(double share, long timeoutMs) throws InterruptedException {
        InJvmCluster.await("copiers at " + share, timeoutMs, () -> copiers.stream().allMatch(c -> c.done() || c.progress() >= share));
    }

    boolean copying() {
        return copiers.stream().anyMatch(c -> !c.done());
    }

    /** Waits for every copier to finish, then checks the concurrent reader's output and a fresh read_committed read. */
    void awaitAndVerify(long timeoutMs) throws Exception {
        InJvmCluster.await("copiers done", timeoutMs, () -> copiers.stream().allMatch(MessageCopier::done));
        concurrent.awaitCount(RECORDS, 60_000);
        concurrent.close();
        assertExactCopy("concurrent read_committed reader", concurrent.values());
        try (OutputReader fresh = new OutputReader(bootstrap(), output, PARTITIONS)) {
            fresh.awaitCount(RECORDS, 60_000);
            assertExactCopy("read_committed reader after the copy", fresh.values());
            fresh.awaitCaughtUp(30_000);
            assertExactCopy("read_committed reader at the last stable offset", fresh.values());
        }
    }

    private void assertExactCopy(String who, List<List<String>> read) {
        for (int p = 0; p < PARTITIONS; p++) {
            List<String> got = read.get(p);
            List<String> want = seeded.get(p);
            if (!got.equals(want)) {
                long dups = got.size() - got.stream().distinct().count();
                throw new AssertionError(who + ", partition " + p + ": " + got.size() + " records (" + dups + " duplicates), want "
                        + want.size() + "; first difference at index " + firstDifference(got, want));
            }
        }
    }

    private static int firstDifference(List<String> a, List<String> b) {
        int i = 0;
        while (i < a.size() && i < b.size() && a.get(i).equals(b.get(i))) {
            i++;
        }
        return i;
    }

    /**
     * A crash as far as the disk can tell: brought down without a controlled shutdown, then its
     * logs' clean-shutdown markers removed, so the restart recovers every log (segments rescanned,
     * producer state and transaction index rebuilt) as it does after kill -9.
     */
    void crash(int broker) throws IOException {
        cluster.crash(broker);
        try (Stream<Path> files = Files.walk(cluster.dataDir(broker))) {
            for (Path f : files.filter(f -> f.getFileName().toString().equals(".clean-shutdown")).toList()) {
                Files.delete(f);
            }
        }
    }

    /** Waits until no partition of the two topics and the internal topics has {@code broker} as leader. */
    void awaitLeadershipMoved(int broker, int via) throws InterruptedException {
        try (Admin a = cluster.admin(via)) {
            InJvmCluster.await("leaderships leave broker " + broker, 60_000,
                    () -> partitions(a).stream().noneMatch(p -> p.leader() == null || p.leader().id() == broker));
        }
    }

    /** Waits until every partition of the two topics and the internal topics has all three replicas in sync. */
    void awaitFullIsr(int via) throws InterruptedException {
        try (Admin a = cluster.admin(via)) {
            InJvmCluster.await("every partition with 3 replicas in sync", 90_000,
                    () -> partitions(a).stream().allMatch(p -> p.leader() != null && p.isr().size() == 3));
        }
    }

    private List<TopicPartitionInfo> partitions(Admin a) {
        try {
            Map<String, TopicDescription> d = a.describeTopics(List.of(input, output, "__transaction_state", "__consumer_offsets"))
                    .allTopicNames().get(10, TimeUnit.SECONDS);
            return d.values().stream().flatMap(t -> t.partitions().stream()).toList();
        } catch (Exception e) {
            return List.of(new TopicPartitionInfo(0, null, List.of(), List.of())); // not answered: not there yet
        }
    }

    @Override
    public void close() throws Exception {
        for (MessageCopier c : copiers) {
            c.close();
        }
        if (concurrent != null) {
            concurrent.close();
        }
    }

    /** A read_committed consumer of every output partition, polling in its own thread. */
    static final class OutputReader implements AutoCloseable {
        private final KafkaConsumer<String, String> consumer;
        private final List<TopicPartition> partitions = new ArrayList<>();
        private final Map<Integer, List<String>> read = new HashMap<>();
        private final Thread thread;
        private volatile boolean stop;
        private volatile Throwable failure;
        private volatile boolean caughtUp;
        private volatile boolean checkCaughtUp;

        OutputReader(String bootstrap, String topic, int count) {
            consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap, "isolation.level", "read_committed",
                    "enable.auto.commit", false, "auto.offset.reset", "earliest", "request.timeout.ms", 10_000),
                    new StringDeserializer(), new StringDeserializer());
            for (int p = 0; p < count; p++) {
                partitions.add(new TopicPartition(topic, p));
                read.put(p, new ArrayList<>());
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            thread = new Thread(this::run, "read-committed-" + topic);
            thread.setDaemon(true);
            thread.start();
        }

        private void run() {
            try {
                while (!stop) {
                    for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
                        synchronized (read) {
                            read.get(r.partition()).add(r.value());
                        }
                    }
                    if (checkCaughtUp) {
                        Map<TopicPartition, Long> end = consumer.endOffsets(partitions); // read_committed: the LSO
                        caughtUp = partitions.stream().allMatch(tp -> consumer.position(tp) >= end.get(tp));
                    }
                }
            } catch (Throwable t) {
                failure = t;
            } finally {
                consumer.close(Duration.ofSeconds(5));
            }
        }

        int count() {
            synchronized (read) {
                return read.values().stream().mapToInt(List::size).sum();
            }
        }

        void awaitCount(int n, long timeoutMs) throws InterruptedException {
            InJvmCluster.await("reader at " + n + " records", timeoutMs, () -> {
                if (failure != null) {
                    throw new AssertionError("reader failed", failure);
                }
                return count() >= n;
            });
        }

        /** Waits until the reader's position is at the last stable offset of every partition. */
        void awaitCaughtUp(long timeoutMs) throws InterruptedException {
            checkCaughtUp = true;
            InJvmCluster.await("reader at the last stable offsets", timeoutMs, () -> caughtUp);
        }

        List<List<String>> values() {
            synchronized (read) {
                List<List<String>> v = new ArrayList<>();
                for (int p = 0; p < partitions.size(); p++) {
                    v.add(List.copyOf(read.get(p)));
                }
                return v;
            }
        }

        @Override
        public void close() throws InterruptedException {
            stop = true;
            thread.join(15_000);
        }
    }
}
