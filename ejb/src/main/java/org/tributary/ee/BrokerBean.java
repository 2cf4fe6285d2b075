package org.tributary.ee;

import com.hazelcast.core.HazelcastInstance;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.DependsOn;
import jakarta.ejb.EJB;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.tributary.broker.BrokerNode;
import org.tributary.config.BrokerConfig;
import org.tributary.config.ConfigException;
import org.tributary.metrics.MetricsSnapshot;
import org.tributary.server.KafkaServer;

/**
 * The broker of this server instance: starts on deployment, stops on undeploy and shutdown.
 * A thin shell: configuration comes from MicroProfile Config, the data grid from Payara, threads
 * from the container; {@link BrokerNode} does the work.
 */
@Singleton
@Startup
@DependsOn("AccessBean")
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
public class BrokerBean implements BrokerService {
    /** When true (the launcher sets it), a broker that cannot start ends its server process. */
    static final String EXIT_ON_FAILURE = "tributary.exit.on.startup.failure";
    private static final Logger LOG = Logger.getLogger(BrokerBean.class.getName());
    /** Netty's quiet period (2 s) for the quorum client's event loop, and a margin. */
    private static final java.time.Duration RATIS_THREADS_END = java.time.Duration.ofSeconds(5);

    @Resource
    private ManagedThreadFactory threads;

    @Resource(lookup = "payara/Hazelcast")
    private HazelcastInstance hazelcast;

    @EJB
    private AccessBean access;

    @Resource
    private jakarta.ejb.SessionContext session;

    private volatile BrokerNode node;
    private volatile BrokerAdmin admin;
    private volatile String failure;

    @PostConstruct
    void start() {
        Config mp = ConfigProvider.getConfig();
        BrokerConfig config = BrokerConfig.of(ConfigKeys.brokerSettings(mp), key -> mp.getOptionalValue(key, String.class));
        BrokerNode n = new BrokerNode(config);
        try {
            if (access.failure().isPresent()) {
                throw access.failure().get();
            }
            n.audit(access.auditSink());
            n.start(hazelcast, threads);
            node = n;
            KafkaServer kafka = n.kafka().orElseThrow();
            org.tributary.config.Listener inter = n.settings().orElseThrow().interBroker();
            org.tributary.network.InterBroker via = kafka.interBroker();
            admin = new BrokerAdmin(kafka, BrokerAdmin.localBootstrap(inter, kafka.boundPorts().get(inter.name())),
                    via.tls() == null && via.sasl() == null ? java.util.Map.of() : loopback(via.clientProperties()));
        } catch (ConfigException e) {
            fail(n, config, e.getMessage());
        } catch (Exception e) {
            LOG.log(Level.FINE, "Start-up failure detail", e);
            fail(n, config, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    /** The node's own admin clients reach it on loopback: the certificate is still verified, its host name is not. */
    private static java.util.Map<String, Object> loopback(java.util.Map<String, Object> tls) {
        java.util.Map<String, Object> p = new java.util.HashMap<>(tls);
        p.put("ssl.endpoint.identification.algorithm", "");
        return p;
    }

    private void fail(BrokerNode n, BrokerConfig config, String why) {
        failure = why;
        n.stop();
        LOG.severe(() -> "TRIB-0002 Broker cannot start: " + why);
        if (config.getBoolean(EXIT_ON_FAILURE, false)) {
            Thread exit = threads.newThread(() -> System.exit(2));
            exit.start();
        }
    }

    @PreDestroy
    void stop() {
        BrokerNode n = node;
        node = null;
        BrokerAdmin a = admin;
        admin = null;
        if (a != null) {
            a.close();
        }
        if (n != null) {
            n.stop();
            // on undeploy the container checks this application's threads right after this method:
            // Ratis's last threads (ending a moment after the quorum closed) must be gone by then
            org.tributary.quorum.RatisThreads.awaitEnded(RATIS_THREADS_END);
        }
    }

    @Override
    public boolean isReady() {
        BrokerNode n = node;
        return n != null && n.isReady();
    }

    @Override
    public Optional<String> failure() {
        if (failure != null) {
            return Optional.of(failure);
        }
        BrokerNode n = node;
        if (n == null) {
            return Optional.empty();
        }
        Optional<String> storage = n.storageFailure();
        return storage.isPresent() ? storage.map(f -> f + "; restart the node once the disk is fixed")
                : n.metadataNode().flatMap(m -> m.quorum().engineFailure());
    }

    @Override
    public int brokerId() {
        BrokerNode n = node;
        return n == null ? -1 : n.self().map(b -> b.id()).orElse(-1);
    }

    @Override
    public String clusterId() {
        BrokerNode n = node;
        return n == null ? null : n.cluster().map(c -> c.clusterId()).orElse(null);
    }

    @Override
    public int controllerId() {
        BrokerNode n = node;
        return n == null ? -1 : n.cluster().map(c -> c.controllerId()).orElse(-1);
    }

    @Override
    public List<BrokerView> brokers() {
        BrokerNode n = node;
        if (n == null) {
            return List.of();
        }
        return n.brokers().entrySet().stream()
                .map(e -> new BrokerView(e.getKey().id(), e.getKey().host(), e.getKey().kafkaPort(), e.getKey().httpPort(),
                        e.getKey().rack(), e.getValue()))
                .toList();
    }

    /** The console or REST user calling (Jakarta Security propagates it), for the in-process principal {@code Console:<user>}. */
    private String caller() {
        try {
            java.security.Principal p = session == null ? null : session.getCallerPrincipal();
            return p == null ? "console" : p.getName();
        } catch (IllegalStateException e) {
            return "console";
        }
    }

    private BrokerAdmin admin() {
        BrokerAdmin a = admin;
        if (a == null) {
            throw new AdminException(AdminException.Kind.UNAVAILABLE, null,
                    failure == null ? "the broker is not ready yet" : "the broker failed to start: " + failure);
        }
        return a;
    }

    @Override
    public List<TopicInfo> topics() {
        BrokerAdmin a = admin;
        return a == null ? List.of() : a.topics();
    }

    @Override
    public Optional<TopicInfo> topic(String name) {
        return admin().topic(name);
    }

    @Override
    public void createTopic(String name, int partitions, short replicationFactor, Map<String, String> configs) {
        admin().createTopic(caller(), name, partitions, replicationFactor, configs);
    }

    @Override
    public void deleteTopic(String name) {
        admin().deleteTopic(caller(), name);
    }

    @Override
    public void addPartitions(String topic, int totalCount) {
        admin().addPartitions(caller(), topic, totalCount);
    }

    @Override
    public List<ConfigEntryInfo> topicConfigs(String topic) {
        return admin().topicConfigs(topic);
    }

    @Override
    public void alterTopicConfigs(String topic, Map<String, String> set, List<String> reset) {
        admin().alterTopicConfigs(caller(), topic, set, reset);
    }

    @Override
    public Optional<ReassignmentInfo> reassignPartition(String topic, int partition, List<Integer> replicas) {
        return admin().reassign(caller(), topic, partition, replicas);
    }

    @Override
    public void cancelReassignment(String topic, int partition) {
        admin().cancelReassignment(caller(), topic, partition);
    }

    @Override
    public List<ReassignmentInfo> reassignments() {
        return admin().reassignments(caller());
    }

    @Override
    public List<RecordInfo> browse(String topic, int partition, long offset, Long timestamp, int limit) {
        return admin().browse(topic, partition, offset, timestamp, limit);
    }

    @Override
    public ProducedRecord produce(String topic, Integer partition, byte[] key, byte[] value, List<RecordInfo.Header> headers) {
        return admin().produce(topic, partition, key, value, headers);
    }

    @Override
    public MetricsSnapshot metrics() {
        BrokerNode n = node;
        return n == null ? MetricsSnapshot.empty() : n.kafka().map(KafkaServer::metrics).orElse(MetricsSnapshot.empty());
    }

    @Override
    public List<GroupInfo> groups() {
        BrokerAdmin a = admin;
        return a == null ? List.of() : a.groups();
    }

    @Override
    public Optional<GroupInfo> group(String groupId) {
        return admin().group(groupId);
    }

    @Override
    public Map<String, Long> resetGroupOffsets(String groupId, OffsetReset how) {
        return admin().resetGroupOffsets(caller(), groupId, how);
    }

    @Override
    public void deleteGroup(String groupId) {
        admin().deleteGroup(caller(), groupId);
    }

    @Override
    public List<TransactionInfo> openTransactions(String topic) {
        return admin().openTransactions(topic);
    }
}
