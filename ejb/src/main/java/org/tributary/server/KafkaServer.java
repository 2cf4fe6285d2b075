package org.tributary.server;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Time;
import org.tributary.api.ApiDispatcher;
import org.tributary.api.ApiHandlers;
import org.tributary.api.ApiRegistry;
import org.tributary.api.ApiServices;
import org.tributary.api.TopicAdmin;
import org.tributary.api.OffsetsTopicLog;
import org.tributary.cluster.ClusterView;
import org.tributary.group.GroupConfig;
import org.tributary.group.GroupCoordinator;
import org.tributary.group.GroupDescription;
import org.tributary.group.GroupsView;
import org.tributary.group.PartitionLag;
import org.tributary.audit.AuditSink;
import org.tributary.config.BrokerConfig;
import org.tributary.log.LogManager;
import org.tributary.controller.ControllerClient;
import org.tributary.metadata.MetadataStore;
import org.tributary.metadata.TopicImage;
import org.tributary.metrics.BrokerMetrics;
import org.tributary.metrics.MetricsSnapshot;
import org.tributary.network.InterBroker;
import org.tributary.network.ListenerAddress;
import org.tributary.network.SocketServer;
import org.tributary.partition.Partition;
import org.tributary.partition.ReplicaManager;
import org.tributary.security.ClientQuotaManager;
import org.tributary.replication.IsrChangeSender;
import org.tributary.replication.ReplicaFetchers;
import org.tributary.txn.ProducerIdManager;

/**
 * One broker's Kafka protocol server: the facade the broker bean drives. {@link #create} opens
 * (recovers) logs and topic metadata under the data directory, {@link #bind} binds the listeners,
 * {@link #start} serves, {@link #close} stops cleanly. Data directory layout: {@code logs/}
 * (partition logs), {@code producer-id-block} (the end of the last producer-id block handed out
 * here), {@code producer-state/} (idempotent-producer snapshots); the metadata quorum keeps its
 * log in {@code __cluster_metadata/}.
 */
public final class KafkaServer implements Closeable, BrokerView, GroupsView {
    private static final Logger LOG = Logger.getLogger(KafkaServer.class.getName());
    private static final long SNAPSHOT_INTERVAL_MS = 60_000L;
    private static final long GROUP_TICK_MS = 50L;

    private final BrokerConfig config;
    private final Path dataDir;
    private final ThreadFactory threads;
    private final Time time;
    private final LogManager logs;
    private final MetadataStore metadata;
    private final ScheduledExecutorService scheduler;
    private final List<ListenerAddress> listeners;
    private final InterBroker interBroker;
    private final int maxRequestBytes;
    private ExecutorService handlers;
    private SocketServer socketServer;
    private volatile ReplicaManager replicas;
    private volatile ReplicaFetchers fetchers;
    private ApiRegistry registry;
    private GroupCoordinator groups;
    private ExecutorService groupLoader;
    private org.tributary.txn.TransactionCoordinator txnCoordinator;
    private ExecutorService txnLoader;
    private org.tributary.replication.TxnMarkerChannels txnMarkers;
    private org.tributary.replication.TxnVerificationChannels txnVerification;
    private volatile ApiDispatcher dispatcher;
    private ClientQuotaManager quotas;
    private volatile boolean closed;
    private volatile int boundPort = -1;
    private volatile Map<String, Integer> boundPorts = Map.of();
    private final BrokerMetrics metrics;
    private final org.tributary.api.RequestAuthorizer authorizer;
    private volatile AuditSink audit = AuditSink.NONE;

    private KafkaServer(BrokerConfig config, Path dataDir, ThreadFactory threads, Time time, LogManager logs,
            MetadataStore metadata, ScheduledExecutorService scheduler) {
        this.time = time;
        this.config = config;
        this.dataDir = dataDir;
        this.threads = threads;
        this.logs = logs;
        this.metadata = metadata;
        this.scheduler = scheduler;
        this.listeners = ListenerAddress.from(config).stream().map(this::withSasl).toList();
        this.interBroker = InterBroker.from(config);
        this.maxRequestBytes = config.getInt("socket.request.max.bytes", 104_857_600, 1, Integer.MAX_VALUE);
        this.metrics = new BrokerMetrics(time::milliseconds);
        this.authorizer = new org.tributary.api.RequestAuthorizer(org.tributary.security.AuthorizerConfig.from(config).orElse(null));
    }

    /**
     * A SASL listener's connections authenticate against its PLAIN users and the SCRAM credentials
     * of the current metadata image (read per login, so changes count without a restart).
     */
    private ListenerAddress withSasl(ListenerAddress l) {
        if (l.sasl() == null) {
            return l;
        }
        org.tributary.config.SaslConfig sasl = l.sasl();
        org.tributary.security.SaslServers servers = new org.tributary.security.SaslServers(sasl.plainUsers(), scramCredentials());
        return l.withAuthenticator((listener, client) -> new org.tributary.security.SaslAuthenticator(sasl.mechanisms(), servers,
                sasl.maxReauthMs(), sasl.failedAuthDelayMs(), System::nanoTime));
    }

    /** The SCRAM credentials of the current metadata image. */
    private org.tributary.security.ScramCredentialLookup scramCredentials() {
        return (user, mechanism) -> metadata.image().scram().find(user, mechanism);
    }

    /**
     * Opens (recovers) the logs under dataDir; binds nothing yet. {@code metadata} is this broker's
     * copy of the cluster metadata (it follows the metadata quorum).
     */
    public static KafkaServer create(BrokerConfig config, Path dataDir, ThreadFactory threads, Time time, MetadataStore metadata)
            throws IOException {
        Files.createDirectories(dataDir);
        ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(1, named(threads, "tributary-scheduler"));
        LogManager logs = null;
        try {
            logs = LogManager.open(dataDir.resolve("logs"), config.explicitValues(), time, scheduler);
            return new KafkaServer(config, dataDir, threads, time, logs, metadata, scheduler);
        } catch (IOException | RuntimeException e) {
            if (logs != null) {
                logs.close();
            }
            scheduler.shutdownNow();
            throw e;
        }
    }

    /**
     * Binds the listeners; returns the bound port of the PLAINTEXT listener (or of the first one).
     * A port in use gives an exception naming {@code listeners}, the address and "already in use".
     */
    public int bind() throws IOException {
        int networkThreads = config.getInt("num.network.threads", 3, 1, 256);
        int ioThreads = config.getInt("num.io.threads", 8, 1, 1024);
        handlers = new java.util.concurrent.ThreadPoolExecutor(ioThreads, ioThreads, 0L, TimeUnit.MILLISECONDS,
                new java.util.concurrent.LinkedBlockingQueue<>(), named(threads, "tributary-request-handler"));
        long maxIdleMs = config.getLong("connections.max.idle.ms", 600_000L);
        socketServer = new SocketServer(listeners, networkThreads, maxRequestBytes, maxIdleMs,
                request -> dispatcher.onRequest(request), threads);
        Map<String, Integer> ports = socketServer.bind();
        boundPorts = Map.copyOf(ports);
        boundPort = ports.getOrDefault("PLAINTEXT", ports.values().iterator().next());
        return boundPort;
    }

    /** Where changes made through the Kafka protocol are reported (the audit trail); none until set. */
    public void audit(AuditSink sink) {
        this.audit = sink == null ? AuditSink.NONE : sink;
    }

    /** How this broker reaches other brokers' listeners (also how in-process admin clients reach this one). */
    public InterBroker interBroker() {
        return interBroker;
    }

    /** The bound port of every listener, by listener name; empty before binding. */
    public Map<String, Integer> boundPorts() {
        return boundPorts;
    }

    /** The port {@link #bind()} bound for the PLAINTEXT listener (or the first one); -1 before binding. */
    public int boundPort() {
        return boundPort;
    }

    /**
     * Starts serving; the cluster view gives ids and brokers (advertised host/port come from it),
     * the controller client carries admin writes to the active controller.
     */
    public void start(ClusterView clusterView, ControllerClient controller) {
        if (socketServer == null) {
            throw new IllegalStateException("bind() first");
        }
        try {
            replicas = new ReplicaManager(logs, config.explicitValues(), dataDir.resolve("producer-state"),
                    clusterView.localBrokerId(), scheduler, handlers, replication(clusterView, controller));
            ProducerIdManager producerIds = new ProducerIdManager(clusterView::allocateProducerIds,
                    dataDir.resolve("producer-id-block"));
            TopicAdmin topicAdmin = new TopicAdmin(metadata, clusterView, controller, config);
            groups = startGroupCoordinator(topicAdmin); // before the first image: it hears of every leadership
            org.tributary.api.InternalTopicLog txnLog = transactionLog(topicAdmin);
            txnCoordinator = startTransactionCoordinator(txnLog, producerIds, clusterView);
            replicas.accept(metadata.image());
            metadata.addListener(replicas);
            quotas = new ClientQuotaManager(() -> metadata.image().quotas(), config.getInt("quota.window.num", 11, 2, 1000),
                    1000L * config.getInt("quota.window.size.seconds", 1, 1, 3600));
            ApiServices services = new ApiServices(config, clusterView, metadata, replicas, producerIds, topicAdmin, groups, metrics,
                    controller, authorizer, quotas);
            registry = ApiHandlers.registry(services, txnCoordinator, txnLog, transactionVerifier(clusterView), handlers);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot start the Kafka server: " + e.getMessage(), e);
        }
        dispatcher = new ApiDispatcher(registry, handlers, metadata::image, metrics, quotas, () -> audit);
        ReplicaManager rm = replicas;
        metrics.replicaMaxLag(rm::maxFollowerLag);
        long producerExpirationMs = config.getLong("producer.id.expiration.ms", 86_400_000L);
        scheduler.scheduleWithFixedDelay(() -> {
            replicas.expireProducers(time.milliseconds(), producerExpirationMs);
            replicas.snapshotProducerStates();
        }, SNAPSHOT_INTERVAL_MS, SNAPSHOT_INTERVAL_MS, TimeUnit.MILLISECONDS);
        socketServer.start();
        LOG.info("TRIB-SRV-001 Kafka listener(s) " + listeners + " serving broker " + clusterView.localBrokerId()
                + " of cluster " + clusterView.clusterId() + " with " + metadata.image().topics().size() + " topic(s)");
    }

    /**
     * The follower fetchers and the ISR-change sender of this broker; a broker without a controller
     * (embedded, alone) replicates nothing. Leaders check their followers' lag every half
     * {@code replica.lag.time.max.ms}.
     */
    private ReplicaManager.Replication replication(ClusterView clusterView, ControllerClient controller) {
        if (controller == null) {
            return ReplicaManager.Replication.standalone(time);
        }
        fetchers = new ReplicaFetchers(clusterView.localBrokerId(), clusterView::brokerEpoch, metadata::image, threads, config, interBroker,
                time);
        IsrChangeSender sender = new IsrChangeSender(controller, clusterView::localBrokerId, clusterView::brokerEpoch,
                (change, error, leaderEpoch, isr, partitionEpoch) -> {
                    ReplicaManager r = replicas;
                    if (r != null) {
                        int before = r.replica(change.topicPartition()).map(p -> p.isr().size()).orElse(-1);
                        r.onIsrChangeAnswered(change, error, leaderEpoch, isr, partitionEpoch);
                        if (error == org.apache.kafka.common.protocol.Errors.NONE && before >= 0 && isr.size() != before) {
                            if (isr.size() < before) {
                                metrics.isrShrunk();
                            } else {
                                metrics.isrExpanded();
                            }
                        }
                    }
                });
        long maxLagMs = config.getLong("replica.lag.time.max.ms", 30_000L);
        scheduler.scheduleWithFixedDelay(() -> {
            try {
                ReplicaManager r = replicas;
                if (r != null) {
                    r.shrinkIsrs(maxLagMs);
                }
            } catch (RuntimeException e) {
                LOG.warning("TRIB-SRV-004 ISR check failed: " + e);
            }
        }, maxLagMs / 2, Math.max(1, maxLagMs / 2), TimeUnit.MILLISECONDS);
        return new ReplicaManager.Replication(fetchers, sender, clusterView::brokerEpoch, time);
    }

    /**
     * The group coordinator over __consumer_offsets. It follows this broker's leaderships of the
     * topic's partitions: each one it comes to lead is loaded on the group-loader thread, each one it
     * stops leading is unloaded there; replicated writes are taken up on the request handler pool.
     * Deadlines are checked every 50 ms.
     */
    private GroupCoordinator startGroupCoordinator(TopicAdmin topicAdmin) {
        GroupConfig groupConfig = GroupConfig.from(config);
        groupLoader = Executors.newSingleThreadExecutor(named(threads, "tributary-group-loader"));
        GroupCoordinator coordinator = new GroupCoordinator(groupConfig,
                new OffsetsTopicLog(metadata, replicas, topicAdmin, groupConfig, time), time,
                org.tributary.api.ConsumerSubscriptions::topics, groupLoader, handlers);
        replicas.setTransactionMarkerListener(coordinator::markerWritten); // KIP-98: markers on __consumer_offsets end transactional offsets
        replicas.addLeadershipListener((partition, transition) -> {
            TopicPartition tp = partition.topicPartition();
            if (!tp.topic().equals(OffsetsTopicLog.TOPIC)) {
                return;
            }
            switch (transition) {
                case BECAME_LEADER -> coordinator.becameLeader(tp.partition(), partition.leaderEpoch());
                case BECAME_FOLLOWER, WENT_OFFLINE -> coordinator.resigned(tp.partition(), partition.leaderEpoch());
                default -> {
                }
            }
        });
        scheduler.scheduleWithFixedDelay(() -> {
            try {
                coordinator.tick();
            } catch (RuntimeException e) {
                LOG.warning("TRIB-SRV-003 group coordinator tick failed: " + e);
            }
        }, GROUP_TICK_MS, GROUP_TICK_MS, TimeUnit.MILLISECONDS);
        return coordinator;
    }

    /**
     * KIP-890 part 1: partition leaders ask the transaction coordinator before a transactional write
     * opens a transaction on a partition ({@code transaction.partition.verification.enable}, default
     * true as in Kafka); null when off or without a transaction coordinator.
     */
    private org.tributary.partition.TxnVerifier transactionVerifier(ClusterView clusterView) {
        if (txnCoordinator == null || !config.getBoolean("transaction.partition.verification.enable", true)) {
            return null;
        }
        txnVerification = new org.tributary.replication.TxnVerificationChannels(clusterView.localBrokerId(), metadata::image, interBroker,
                txnCoordinator::partitionFor, config.getInt("request.timeout.ms", 30_000, 1, Integer.MAX_VALUE));
        return txnVerification;
    }

    /** {@code __transaction_state}: Kafka's keys and defaults, replicas capped by the brokers serving as for the offsets topic. */
    private org.tributary.api.InternalTopicLog transactionLog(TopicAdmin topicAdmin) {
        org.tributary.txn.TxnConfig c = org.tributary.txn.TxnConfig.from(config);
        return new org.tributary.api.InternalTopicLog(new org.tributary.api.InternalTopicLog.Spec(
                org.apache.kafka.common.internals.Topic.TRANSACTION_STATE_TOPIC_NAME, c.logPartitions(), c.logReplicationFactor(),
                Map.of("cleanup.policy", "compact", "compression.type", "uncompressed", "segment.bytes", "104857600"), c.logMinIsr()),
                metadata, replicas, topicAdmin, time);
    }

    /**
     * The transaction coordinator over __transaction_state: follows this broker's leaderships of its
     * partitions (loaded on the txn-loader thread), sends markers over the inter-broker listener,
     * takes up replicated writes on the request handler pool; timeouts checked every 50 ms.
     */
    private org.tributary.txn.TransactionCoordinator startTransactionCoordinator(org.tributary.api.InternalTopicLog log,
            ProducerIdManager producerIds, ClusterView clusterView) {
        txnLoader = Executors.newSingleThreadExecutor(named(threads, "tributary-txn-loader"));
        txnMarkers = new org.tributary.replication.TxnMarkerChannels(clusterView.localBrokerId(), metadata::image, interBroker);
        org.tributary.coordinator.CoordinatorShards shards = new org.tributary.coordinator.CoordinatorShards(log.topic(), log::leaderEpoch,
                txnLoader);
        org.tributary.txn.TransactionCoordinator coordinator = new org.tributary.txn.TransactionCoordinator(
                org.tributary.txn.TxnConfig.from(config), log, shards, time, producerIds::nextProducerId, txnMarkers, handlers);
        replicas.addLeadershipListener((partition, transition) -> {
            TopicPartition tp = partition.topicPartition();
            if (!tp.topic().equals(log.topic())) {
                return;
            }
            switch (transition) {
                case BECAME_LEADER -> shards.becameLeader(tp.partition(), partition.leaderEpoch());
                case BECAME_FOLLOWER, WENT_OFFLINE -> shards.resigned(tp.partition(), partition.leaderEpoch());
                default -> {
                }
            }
        });
        scheduler.scheduleWithFixedDelay(() -> {
            try {
                coordinator.tick();
            } catch (RuntimeException e) {
                LOG.warning("TRIB-SRV-006 transaction coordinator tick failed: " + e);
            }
        }, GROUP_TICK_MS, GROUP_TICK_MS, TimeUnit.MILLISECONDS);
        return coordinator;
    }

    @Override
    public List<GroupDescription> groups() {
        return groups == null ? List.of() : groups.groups();
    }

    @Override
    public Optional<GroupDescription> describeGroup(String groupId) {
        return groups == null ? Optional.empty() : groups.describeGroup(groupId);
    }

    @Override
    public List<PartitionLag> lag(String groupId) {
        return groups == null ? List.of() : groups.lag(groupId);
    }

    /** The dispatch table, for registering more APIs before {@link #start} returns traffic to them. */
    public Optional<ApiRegistry> registry() {
        return Optional.ofNullable(registry);
    }

    /** Transaction verification (KIP-890) to the coordinators; empty when off or before {@link #start}. */
    public Optional<org.tributary.replication.TxnVerificationChannels> transactionVerification() {
        return Optional.ofNullable(txnVerification);
    }

    /** The metadata image this broker serves now (read-only; in-process callers build their request context on it). */
    public org.tributary.metadata.MetadataImage image() {
        return metadata.image();
    }

    /** This broker's partitions (empty before {@link #start}). */
    public Optional<ReplicaManager> replicaManager() {
        return Optional.ofNullable(replicas);
    }

    /** Fetches waiting in the purgatory (long poll), for tests and metrics. */
    public int parkedFetches() {
        return replicas == null ? 0 : replicas.fetchPurgatory().watched();
    }

    /** Stops accepting, finishes in-flight requests, closes logs cleanly and joins threads. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (socketServer != null) {
            socketServer.stopAccepting();
        }
        if (groupLoader != null) {
            groupLoader.shutdown(); // not interrupted: an interrupt would close the log files it reads
        }
        if (txnLoader != null) {
            txnLoader.shutdown();
        }
        if (groups != null) {
            groups.close();
        }
        if (fetchers != null) {
            fetchers.close();
        }
        if (replicas != null) {
            replicas.fetchPurgatory().close();
            replicas.producePurgatory().close();
        }
        if (handlers != null) {
            handlers.shutdown();
            try {
                if (!handlers.awaitTermination(10, TimeUnit.SECONDS)) {
                    handlers.shutdownNow();
                }
            } catch (InterruptedException e) {
                handlers.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
        if (socketServer != null) {
            socketServer.awaitIdle(2_000);
            socketServer.close();
        }
        if (replicas != null) {
            replicas.close();
        }
        awaitTermination(groupLoader);
        if (txnVerification != null) {
            txnVerification.close();
        }
        if (txnMarkers != null) {
            txnMarkers.close();
        }
        awaitTermination(txnLoader);
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            logs.close();
        } catch (IOException e) {
            LOG.warning("TRIB-SRV-002 closing logs failed: " + e.getMessage());
        }
    }

    private static void awaitTermination(ExecutorService executor) {
        try {
            if (executor != null && !executor.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warning("TRIB-SRV-005 " + executor + " did not stop within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The broker's counters now (requests per API, bytes and messages in and out per topic). */
    public MetricsSnapshot metrics() {
        metrics.retainTopics(metadata.image().topics().stream().map(TopicImage::name).collect(java.util.stream.Collectors.toSet()));
        return metrics.snapshot();
    }

    @Override
    public List<TopicSummary> topics() {
        List<TopicSummary> out = new ArrayList<>();
        for (TopicImage t : metadata.image().topics()) {
            out.add(summary(t));
        }
        return out;
    }

    @Override
    public Optional<TopicSummary> topic(String name) {
        return metadata.image().topic(name).map(this::summary);
    }

    private TopicSummary summary(TopicImage t) {
        List<PartitionSummary> parts = new ArrayList<>();
        for (int p = 0; p < t.partitionCount(); p++) {
            Partition partition = replicas == null ? null : replicas.partition(new TopicPartition(t.name(), p)).orElse(null);
            org.tributary.metadata.PartitionRegistration reg = t.partition(p);
            List<Integer> reps = reg.replicas();
            if (partition == null) { // led by another broker (or offline): what the metadata says, no log figures
                parts.add(new PartitionSummary(p, reg.leader(), reg.leaderEpoch(), reps, reg.isr(), -1, -1, -1, -1));
            } else {
                parts.add(new PartitionSummary(p, reg.leader(), partition.leaderEpoch(), reps, partition.isr(),
                        partition.log().logStartOffset(), partition.log().logEndOffset(), partition.highWatermark(),
                        partition.log().sizeInBytes()));
            }
        }
        return new TopicSummary(t.name(), t.id().toString(), t.replicationFactor(), t.configs(), parts);
    }

    private static ThreadFactory named(ThreadFactory base, String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = base.newThread(r);
            t.setName(prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
