package org.tributary.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.utils.Time;
import org.tributary.broker.ClusterBroker;
import org.tributary.config.BrokerConfig;
import org.tributary.config.NodeSettings;
import org.tributary.config.QuorumSettings;
import org.tributary.grid.VoterSet;

/**
 * Brokers of one cluster in this JVM (real Ratis quorum, real storage, real Kafka listeners):
 * voters 1..3, more brokers as observers; stopped (controlled shutdown), restarted on the same
 * data, or brought down without a controlled shutdown. Closing stops them all and deletes their data.
 */
final class InJvmCluster implements AutoCloseable {
    final Map<Integer, ClusterBroker> brokers = new HashMap<>();
    private final Map<Integer, Path> dirs = new HashMap<>();
    private final Map<Integer, Integer> kafkaPorts = new HashMap<>();
    private final Map<Integer, QuorumSettings.HostPort> observerAddresses = new HashMap<>();
    private final Map<String, String> extra;
    private VoterSet voters;

    /** {@code extra}: broker settings added to every broker's; "{port}" in a value stands for the broker's Kafka port. */
    InJvmCluster(Map<String, String> extra) {
        this.extra = Map.copyOf(extra);
    }

    /** Starts brokers 1..3 (the voters) in parallel. */
    InJvmCluster start() throws Exception {
        Map<Integer, QuorumSettings.HostPort> v = new HashMap<>();
        for (int id = 1; id <= 3; id++) {
            v.put(id, new QuorumSettings.HostPort("127.0.0.1", TestBroker.freePort()));
            prepare(id);
        }
        voters = new VoterSet(v);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<ClusterBroker>> starting = new ArrayList<>();
            for (int id = 1; id <= 3; id++) {
                int node = id;
                starting.add(pool.submit(() -> startBroker(node)));
            }
            for (int id = 1; id <= 3; id++) {
                brokers.put(id, starting.get(id - 1).get(120, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        return this;
    }

    /** A port and a data directory for broker {@code id} (before its first start). */
    void prepare(int id) throws IOException {
        kafkaPorts.put(id, TestBroker.freePort());
        dirs.put(id, Files.createTempDirectory("tributary-cluster-" + id));
    }

    /** Starts broker {@code id} on its data directory (again, after a stop) and remembers it. */
    ClusterBroker startBroker(int id) throws IOException {
        Map<String, String> values = new HashMap<>();
        values.put("listeners", "PLAINTEXT://127.0.0.1:" + kafkaPorts.get(id));
        values.put("log.dirs", dirs.get(id).toString());
        values.put("tributary.http.port", "0");
        values.put("num.io.threads", "4");
        values.put("num.network.threads", "2");
        values.put("offsets.topic.num.partitions", "6");
        values.putAll(extra);
        values.replaceAll((k, v) -> v.replace("{port}", Integer.toString(kafkaPorts.get(id)))); // per-broker listeners
        BrokerConfig config = BrokerConfig.of(values);
        ClusterBroker b = ClusterBroker.start(config, NodeSettings.from(config), id, TestBroker.CLUSTER_ID, voters, quorumAddress(id),
                Executors.defaultThreadFactory(), Time.SYSTEM, Duration.ofSeconds(90));
        brokers.put(id, b);
        return b;
    }

    /** Broker {@code id}'s data directory ({@code log.dirs}). */
    Path dataDir(int id) {
        return dirs.get(id);
    }

    int kafkaPort(int id) {
        return kafkaPorts.get(id);
    }

    ClusterBroker broker(int id) {
        return brokers.get(id);
    }

    /** Stops broker {@code id} with a controlled shutdown (its leaderships move first). */
    void stop(int id) {
        ClusterBroker b = brokers.remove(id);
        if (b != null) {
            b.close();
        }
    }

    /** Brings broker {@code id} down without a controlled shutdown (as a crash would, but its files are closed cleanly). */
    void crash(int id) {
        ClusterBroker b = brokers.remove(id);
        if (b != null) {
            b.metadata().halt(); // no controlled shutdown, heartbeats stop
            b.server().close();
        }
    }

    private QuorumSettings.HostPort quorumAddress(int id) {
        return voters.contains(id) ? voters.voters().get(id) : observerAddresses.computeIfAbsent(id,
                k -> new QuorumSettings.HostPort("127.0.0.1", TestBroker.freePort()));
    }

    Admin admin(int id) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + kafkaPorts.get(id));
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        return Admin.create(p);
    }

    String bootstrap(int... ids) {
        List<String> s = new ArrayList<>();
        for (int id : ids) {
            s.add("127.0.0.1:" + kafkaPorts.get(id));
        }
        return String.join(",", s);
    }

    int controllerId() {
        return brokers.values().stream().filter(b -> b.metadata().quorum().isLeader()).mapToInt(b -> b.self().id()).findFirst()
                .orElse(-1);
    }

    /**
     * Broker {@code id}'s replica of {@code tp}, waiting up to 30 s for it: a broker that only
     * follows a partition of a new topic opens it just after the image that created the topic.
     */
    org.tributary.partition.Partition replica(int id, org.apache.kafka.common.TopicPartition tp) {
        long deadline = System.currentTimeMillis() + 30_000;
        while (true) {
            java.util.Optional<org.tributary.partition.Partition> p = broker(id).server().replicaManager().orElseThrow().replica(tp);
            if (p.isPresent()) {
                return p.get();
            }
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("broker " + id + " holds no replica of " + tp + " after 30 s");
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + tp + " on broker " + id, e);
            }
        }
    }

    static void await(String what, long timeoutMs, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("not within " + timeoutMs + " ms: " + what);
            }
            Thread.sleep(50);
        }
    }

    @Override
    public void close() {
        brokers.values().forEach(ClusterBroker::close);
        brokers.clear();
        dirs.values().forEach(TestBroker::deleteTree);
    }
}
