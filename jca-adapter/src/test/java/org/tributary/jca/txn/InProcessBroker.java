package org.tributary.jca.txn;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.apache.kafka.common.utils.Time;
import org.tributary.broker.ClusterBroker;
import org.tributary.config.BrokerConfig;
import org.tributary.config.NodeSettings;
import org.tributary.config.QuorumSettings;
import org.tributary.grid.VoterSet;

/** A single Tributary broker in this JVM on 127.0.0.1 (ephemeral ports, temp data), for the adapter's transaction tests. */
public final class InProcessBroker implements AutoCloseable {
    private static final java.util.logging.Logger KAFKA_LOG = java.util.logging.Logger.getLogger("org.apache.kafka");

    static {
        KAFKA_LOG.setLevel(java.util.logging.Level.WARNING);
    }

    private final Path dataDir;
    private final ClusterBroker broker;

    public InProcessBroker(Map<String, String> extra) throws IOException {
        dataDir = Files.createTempDirectory("tributary-jca-txn");
        Map<String, String> values = new HashMap<>(extra);
        values.put("listeners", "PLAINTEXT://127.0.0.1:0");
        values.put("log.dirs", dataDir.resolve("logs").toString());
        values.put("tributary.http.port", "0");
        values.putIfAbsent("num.io.threads", "2");
        values.putIfAbsent("num.network.threads", "1");
        values.putIfAbsent("num.partitions", "1");
        values.putIfAbsent("offsets.topic.num.partitions", "1");
        values.putIfAbsent("transaction.state.log.num.partitions", "1");
        BrokerConfig config = BrokerConfig.of(values);
        VoterSet voters = new VoterSet(Map.of(1, new QuorumSettings.HostPort("127.0.0.1", freePort())));
        broker = ClusterBroker.start(config, NodeSettings.from(config), 1, "dHJpYnV0YXJ5LWpjYTEx00", voters,
                voters.voters().get(1), Executors.defaultThreadFactory(), Time.SYSTEM, Duration.ofSeconds(60));
    }

    public String bootstrap() {
        return "127.0.0.1:" + broker.server().boundPort();
    }

    Path dataDir() {
        return dataDir;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        broker.close();
        try (Stream<Path> files = Files.walk(dataDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
