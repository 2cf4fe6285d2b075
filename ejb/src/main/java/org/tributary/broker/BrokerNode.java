package org.tributary.broker;

import com.hazelcast.core.HazelcastInstance;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.ThreadFactory;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.tributary.cluster.BrokerInfo;
import org.tributary.cluster.ClusterView;
import org.tributary.cluster.HazelcastClusterView;
import org.tributary.cluster.MetaProperties;
import org.tributary.config.BrokerConfig;
import org.tributary.config.ConfigException;
import org.tributary.config.Listener;
import org.tributary.config.NodeSettings;
import org.tributary.server.KafkaServer;

/**
 * One broker node's life: validate configuration, claim the data directory
 * ({@code meta.properties}), bind the Kafka listener, join the cluster through the data grid and
 * report ready. Plain Java: the container shell hands in configuration, the data grid and threads.
 *
 * <p>Not thread-safe: {@link #start} and {@link #stop} are called by one lifecycle owner.
 */
public final class BrokerNode {
    private static final Logger LOG = Logger.getLogger(BrokerNode.class.getName());

    private final BrokerConfig config;
    private volatile NodeSettings settings;
    private volatile MetaProperties meta;
    private volatile HazelcastClusterView cluster;
    private volatile KafkaServer kafka;
    private volatile BrokerInfo self;
    private volatile long readyAtMillis;

    public BrokerNode(BrokerConfig config) {
        this.config = config;
    }

    /**
     * Starts the node. Configuration problems are thrown as {@link ConfigException} whose message is
     * the one line an operator needs; nothing is left running when start fails.
     */
    public void start(HazelcastInstance hz, ThreadFactory threads) throws IOException {
        long t0 = System.nanoTime();
        preferNativeLz4();
        NodeSettings s = NodeSettings.from(config);
        s.ensureDataDirWritable();
        Optional<MetaProperties> existing = MetaProperties.read(s.dataDir());
        if (existing.isPresent() && s.nodeId().isPresent() && existing.get().nodeId() != s.nodeId().getAsInt()) {
            throw new ConfigException(NodeSettings.NODE_ID, s.nodeId().getAsInt(), "the data directory " + s.dataDir()
                    + " belongs to broker " + existing.get().nodeId() + "; use that id or another data directory");
        }
        checkResolvable(s.plaintext());
        KafkaServer server = KafkaServer.create(config, s.dataDir(), threads, Time.SYSTEM);
        try {
            startServing(hz, s, existing, server, t0);
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
    }

    private void startServing(HazelcastInstance hz, NodeSettings s, Optional<MetaProperties> existing, KafkaServer server, long t0)
            throws IOException {
        int boundPort;
        try {
            boundPort = server.bind();
        } catch (BindException e) {
            throw new ConfigException(NodeSettings.LISTENERS, s.plaintext(), "the address is already in use or not local ("
                    + e.getMessage() + "); stop what uses it or choose another port");
        }
        int nodeId = existing.map(MetaProperties::nodeId)
                .orElseGet(() -> s.nodeId().isPresent() ? s.nodeId().getAsInt() : HazelcastClusterView.allocateBrokerId(hz));
        String clusterId = HazelcastClusterView.agreeClusterId(hz, existing.map(MetaProperties::clusterId).orElse(null));
        MetaProperties m = existing.orElseGet(() -> new MetaProperties(nodeId, clusterId, Uuid.randomUuid().toString()));
        if (existing.isEmpty()) {
            m.write(s.dataDir());
        }
        Listener adv = s.advertisedPlaintext(boundPort);
        BrokerInfo info = new BrokerInfo(nodeId, adv.host(), adv.port(), s.httpPort(), s.rack());
        HazelcastClusterView view = HazelcastClusterView.register(hz, clusterId, info, s.dataDir());
        server.start(view);
        this.kafka = server;
        this.settings = s;
        this.meta = m;
        this.self = info;
        this.cluster = view;
        this.readyAtMillis = System.currentTimeMillis();
        long ms = (System.nanoTime() - t0) / 1_000_000;
        int size = view.liveBrokers().size();
        LOG.info(() -> "TRIB-0001 Broker " + nodeId + " ready: cluster " + clusterId + ", Kafka " + adv.host() + ":" + adv.port()
                + ", HTTP " + s.httpPort() + ", data " + s.dataDir() + ", " + size + " broker(s) live (broker start took " + ms + " ms)");
    }

    /** Stops the node; safe to call when start failed or twice. */
    public void stop() {
        HazelcastClusterView c = cluster;
        cluster = null;
        KafkaServer k = kafka;
        kafka = null;
        if (k != null) {
            k.close();
        }
        if (c != null) {
            c.close();
            ShutdownLog.info(LOG, "TRIB-0003 Broker " + self.id() + " stopped");
        }
    }

    public boolean isReady() {
        return cluster != null;
    }

    public Optional<ClusterView> cluster() {
        return Optional.ofNullable(cluster);
    }

    public Optional<HazelcastClusterView> grid() {
        return Optional.ofNullable(cluster);
    }

    public Optional<BrokerInfo> self() {
        return Optional.ofNullable(self);
    }

    public Optional<MetaProperties> meta() {
        return Optional.ofNullable(meta);
    }

    public Optional<NodeSettings> settings() {
        return Optional.ofNullable(settings);
    }

    public long readyAtMillis() {
        return readyAtMillis;
    }

    /** The Kafka server, for the admin interface (topics, partitions). */
    public Optional<KafkaServer> kafka() {
        return Optional.ofNullable(kafka);
    }

    private static void checkResolvable(Listener l) {
        if (!l.host().isEmpty() && new InetSocketAddress(l.host(), l.port()).isUnresolved()) {
            throw new ConfigException(NodeSettings.LISTENERS, l, "host '" + l.host() + "' cannot be resolved");
        }
    }

    /**
     * Inside a WAR, lz4-java picks its slow pure-Java path unless the native library is loaded
     * first, and kafka-clients caches that choice; load it before any record is compressed.
     */
    private static void preferNativeLz4() {
        try {
            Class.forName("net.jpountz.lz4.LZ4Factory").getMethod("nativeInstance").invoke(null);
        } catch (ReflectiveOperationException | LinkageError e) {
            LOG.log(Level.FINE, "native LZ4 is not available; using the Java implementation", e);
        }
    }
}
