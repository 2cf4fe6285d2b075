package org.tributary.broker;

import com.hazelcast.core.HazelcastInstance;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ThreadFactory;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.tributary.audit.AuditSink;
import org.tributary.cluster.BrokerInfo;
import org.tributary.cluster.ClusterView;
import org.tributary.cluster.MetaProperties;
import org.tributary.config.BrokerConfig;
import org.tributary.config.ConfigException;
import org.tributary.config.Listener;
import org.tributary.config.NodeSettings;
import org.tributary.config.QuorumSettings;
import org.tributary.grid.GridMembers;
import org.tributary.grid.GridPublisher;
import org.tributary.grid.NodeIds;
import org.tributary.grid.QuorumFormation;
import org.tributary.grid.VoterSet;
import org.tributary.server.KafkaServer;

/**
 * One broker node's life: validate configuration, claim the data directory
 * ({@code meta.properties}), join the data grid (cluster id, node id, failure hints), find the
 * metadata quorum's voters, start this node's quorum member, bind the Kafka listener, register
 * with the active controller and serve once it has admitted this broker. Plain Java: the container shell hands in configuration, the data grid and threads.
 *
 * <p>Not thread-safe: {@link #start} and {@link #stop} are called by one lifecycle owner.
 */
public final class BrokerNode {
    private static final Logger LOG = Logger.getLogger(BrokerNode.class.getName());

    private final BrokerConfig config;
    private volatile NodeSettings settings;
    private volatile MetaProperties meta;
    static final String FORMATION_TIMEOUT = "tributary.quorum.formation.timeout.ms";
    static final String REGISTRATION_TIMEOUT = "tributary.broker.registration.timeout.ms";
    private volatile QuorumClusterView cluster;
    private volatile ClusterBroker broker;
    private volatile GridMembers grid;
    private volatile GridPublisher publisher;
    private volatile KafkaServer kafka;
    private volatile BrokerInfo self;
    private volatile long readyAtMillis;
    private volatile AuditSink audit = AuditSink.NONE;

    public BrokerNode(BrokerConfig config) {
        this.config = config;
    }

    /** Where changes made through the Kafka protocol are reported; set before {@link #start}. */
    public void audit(AuditSink sink) {
        this.audit = sink == null ? AuditSink.NONE : sink;
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
        s.listeners().forEach(BrokerNode::checkResolvable);
        try {
            startServing(hz, threads, s, existing, t0);
        } catch (IOException | RuntimeException e) {
            stop();
            throw e;
        } catch (InterruptedException e) {
            stop();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting", e);
        }
    }

    private void startServing(HazelcastInstance hz, ThreadFactory threads, NodeSettings s, Optional<MetaProperties> existing, long t0)
            throws IOException, InterruptedException {
        String clusterId = GridMembers.agreeClusterId(hz, existing.map(MetaProperties::clusterId).orElse(null));
        String directoryId = existing.map(MetaProperties::directoryId).orElseGet(() -> Uuid.randomUuid().toString());
        int nodeId;
        if (existing.isPresent()) {
            nodeId = existing.get().nodeId();
            NodeIds.reclaim(hz, clusterId, nodeId, directoryId);
        } else {
            nodeId = s.nodeId().isPresent() ? s.nodeId().getAsInt() : NodeIds.claim(hz, clusterId, directoryId);
        }
        this.grid = GridMembers.join(hz, clusterId, nodeId, left -> {
            ClusterBroker b = broker;
            if (b != null && left != nodeId) {
                b.metadata().memberLeft(left);
            }
        }, back -> {
            ClusterBroker b = broker;
            if (b != null) {
                b.metadata().memberBack(back);
            }
        });
        MetaProperties m = existing.orElseGet(() -> new MetaProperties(nodeId, clusterId, directoryId));
        if (existing.isEmpty()) {
            m.write(s.dataDir());
        }
        this.meta = m;
        QuorumSettings configured = QuorumSettings.from(config, Optional.of(nodeId), s.interBroker());
        MetadataNode.quorumTls(config); // a bad quorum TLS setting stops the node before it waits for the grid
        QuorumSettings q = configured.port() != 0 ? configured : configured.withPort(VoterSet.read(s.dataDir())
                .filter(v -> v.contains(nodeId)).map(v -> v.voters().get(nodeId).port())
                .orElseGet(() -> freePort(configured.host())));
        long formationMs = config.getLong(FORMATION_TIMEOUT, 180_000L);
        VoterSet voters = QuorumFormation.resolve(hz, clusterId, nodeId, q, s.dataDir(), System::currentTimeMillis,
                System.currentTimeMillis() + formationMs);
        ClusterBroker b = ClusterBroker.start(config, s, nodeId, clusterId, voters, q.self(), threads, Time.SYSTEM,
                Duration.ofMillis(config.getLong(REGISTRATION_TIMEOUT, 180_000L)));
        this.broker = b;
        b.server().audit(audit);
        MetadataNode md = b.metadata();
        QuorumFormation.announceDirectory(hz, clusterId, nodeId, directoryId);
        md.voterChanges(q.explicit(), id -> QuorumFormation.directoryOf(hz, clusterId, id).map(BrokerNode::uuidOrNull));
        java.util.function.Consumer<java.util.Map<Integer, String>> keepVoters = v -> {
            try {
                QuorumFormation.votersChanged(hz, clusterId, s.dataDir(), VoterSet.fromAddresses(v), md.quorum().isLeader());
            } catch (IOException | RuntimeException e) {
                LOG.warning(() -> "TRIB-0024 The metadata quorum's voters " + v + " could not be kept in " + s.dataDir()
                        + " or published (" + e.getMessage() + "); the quorum's own storage still has them");
            }
        };
        md.quorum().onVotersChanged(keepVoters);
        GridMembers g = this.grid;
        md.gridView(g::present);
        GridPublisher pub = new GridPublisher(hz, clusterId, nodeId, md::controllerId, threads);
        this.publisher = pub;
        md.metadata().addListener(pub);
        pub.accept(md.metadata().image());
        QuorumClusterView view = b.view();
        BrokerInfo info = b.self();
        String adv = info.endpoints().stream().map(e -> e.listener() + "://" + e.host() + ":" + e.port())
                .collect(java.util.stream.Collectors.joining(","));
        this.settings = s;
        this.self = info;
        this.cluster = view;
        this.kafka = b.server();
        this.readyAtMillis = System.currentTimeMillis();
        long ms = (System.nanoTime() - t0) / 1_000_000;
        int size = view.liveBrokers().size();
        LOG.info(() -> "TRIB-0001 Broker " + nodeId + " ready: cluster " + clusterId + ", Kafka " + adv
                + ", HTTP " + s.httpPort() + ", data " + s.dataDir() + ", metadata quorum " + voters + " (leader "
                + md.quorum().leaderId() + "), " + size + " broker(s) live (broker start took " + ms + " ms)");
    }

    private static Uuid uuidOrNull(String text) {
        try {
            return Uuid.fromString(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Stops the node (controlled shutdown first); safe to call when start failed or twice. */
    public void stop() {
        QuorumClusterView c = cluster;
        cluster = null;
        kafka = null;
        ClusterBroker b = broker;
        broker = null;
        GridMembers g = grid;
        grid = null;
        GridPublisher pub = publisher;
        publisher = null;
        if (pub != null) {
            pub.close();
        }
        if (b != null) {
            b.close();
        }
        if (g != null) {
            g.close();
        }
        if (c != null) {
            ShutdownLog.info(LOG, "TRIB-0003 Broker " + self.id() + " stopped");
        }
    }

    /** Every broker the metadata knows, with whether it is live (registered and unfenced). */
    public java.util.Map<BrokerInfo, Boolean> brokers() {
        ClusterBroker b = broker;
        java.util.Map<BrokerInfo, Boolean> out = new java.util.LinkedHashMap<>();
        if (b != null) {
            b.metadata().metadata().image().brokers().stream()
                    .sorted(java.util.Comparator.comparingInt(org.tributary.metadata.BrokerRegistration::id))
                    .forEach(r -> out.put(new BrokerInfo(r.id(), r.host(), r.kafkaPort(), r.httpPort(), r.rack(), r.endpoints()), r.active()));
        }
        return out;
    }

    /** This node's part in the metadata quorum, while it runs. */
    public Optional<MetadataNode> metadataNode() {
        return Optional.ofNullable(broker).map(ClusterBroker::metadata);
    }

    /** Serving: started, and its log directory has not failed. */
    public boolean isReady() {
        return cluster != null && storageFailure().isEmpty();
    }

    /** Why this broker gave up its partitions: its log directory failed (empty while it works). */
    public Optional<String> storageFailure() {
        ClusterBroker b = broker;
        return b == null ? Optional.empty() : b.server().storageFailures().failure();
    }

    public Optional<ClusterView> cluster() {
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

    private static int freePort(String host) {
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName(host))) {
            return probe.getLocalPort();
        } catch (IOException e) {
            throw new ConfigException(QuorumSettings.PORT, 0, "no free port on " + host + " for the metadata quorum ("
                    + e.getMessage() + "); set " + QuorumSettings.PORT);
        }
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
