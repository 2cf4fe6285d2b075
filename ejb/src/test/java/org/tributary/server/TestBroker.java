package org.tributary.server;

import java.time.Duration;
import org.tributary.broker.ClusterBroker;
import org.tributary.config.NodeSettings;
import org.tributary.config.QuorumSettings;
import org.tributary.grid.VoterSet;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Time;
import org.tributary.config.BrokerConfig;

/** An in-process broker on 127.0.0.1 with an ephemeral port and a temp data directory. */
public final class TestBroker implements AutoCloseable {
    public static final String CLUSTER_ID = "dHJpYnV0YXJ5LXRlc3Qx00";
    public static final int BROKER_ID = 1;
    /** Held so the level sticks: kafka-clients' INFO lines (config dumps) drown the test output. */
    private static final java.util.logging.Logger KAFKA_LOG = java.util.logging.Logger.getLogger("org.apache.kafka");

    static {
        KAFKA_LOG.setLevel(java.util.logging.Level.WARNING);
    }

    private final Path dataDir;
    private final Map<String, String> settings;
    private ClusterBroker broker;
    private KafkaServer server;
    private int port;
    private int quorumPort;

    public TestBroker(Map<String, String> extra) throws IOException {
        this.dataDir = Files.createTempDirectory("tributary-proto");
        this.settings = new HashMap<>(extra);
        startServer(0);
    }

    public TestBroker() throws IOException {
        this(Map.of());
    }

    private void startServer(int wantedPort) throws IOException {
        Map<String, String> values = new HashMap<>(settings);
        if (!settings.containsKey("listeners")) { // a caller's own listeners (ports 0) are kept as given
            values.put("listeners", "PLAINTEXT://127.0.0.1:" + wantedPort);
        }
        values.put("log.dirs", dataDir.toString());
        values.putIfAbsent("tributary.http.port", "0");
        values.putIfAbsent("num.io.threads", "4");
        values.putIfAbsent("num.network.threads", "2");
        if (quorumPort == 0) {
            quorumPort = freePort();
        }
        BrokerConfig config = BrokerConfig.of(values);
        VoterSet voters = new VoterSet(Map.of(BROKER_ID, new QuorumSettings.HostPort("127.0.0.1", quorumPort)));
        broker = ClusterBroker.start(config, NodeSettings.from(config), BROKER_ID, CLUSTER_ID, voters,
                voters.voters().get(BROKER_ID), Executors.defaultThreadFactory(), Time.SYSTEM, Duration.ofSeconds(60));
        server = broker.server();
        port = server.boundPort();
    }

    /** A port that was free a moment ago on 127.0.0.1. */
    public static int freePort() {
        return org.tributary.testing.FreePorts.next();
    }

    /** Closes the server and creates a new one on the same data directory (and port if free). */
    public void restart() throws IOException {
        restart(() -> { });
    }

    /** Like {@link #restart()}, running {@code whileDown} between close and create (to damage files). */
    public void restart(Runnable whileDown) throws IOException {
        broker.close();
        whileDown.run();
        try {
            startServer(port);
        } catch (IOException e) {
            startServer(0);
        }
    }

    public KafkaServer server() {
        return server;
    }

    public ClusterBroker broker() {
        return broker;
    }

    public int port() {
        return port;
    }

    /** The bound port of listener {@code name}. */
    public int port(String name) {
        return server.boundPorts().get(name);
    }

    public Path dataDir() {
        return dataDir;
    }

    public String bootstrap() {
        return "127.0.0.1:" + port;
    }

    public Admin admin() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "20000");
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        return Admin.create(p);
    }

    public KafkaProducer<byte[], byte[]> producer(Map<String, Object> extra) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 20000);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10000);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        p.putAll(extra);
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    public KafkaConsumer<byte[], byte[]> consumer(Map<String, Object> extra) {
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20000);
        p.putAll(extra);
        return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @Override
    public void close() {
        try {
            if (broker != null) {
                broker.close();
            }
        } finally {
            deleteTree(dataDir);
        }
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
