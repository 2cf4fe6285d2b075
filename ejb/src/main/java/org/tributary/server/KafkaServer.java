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
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
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
import org.tributary.cluster.ClusterView;
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
 * here), {@code producer-state/} (producer snapshots of the single-file layout, adopted into the logs' directories and deleted at open); the metadata quorum keeps its
 * log in {@code __cluster_metadata/}.
 *
 * <p>The server keeps the lifecycle and the broker views; {@link BrokerAssembler} builds the
 * security parts (SASL listeners, authorizer, quotas) and the group and transaction coordinators.
 */
public final class KafkaServer implements Closeable, BrokerView, GroupsView {
    private static final Logger LOG = Logger.getLogger(KafkaServer.class.getName());
    private static final long SNAPSHOT_INTERVAL_MS = 60_000L;

    private final BrokerConfig config;
    private final Path dataDir;
    private final ThreadFactory threads;
    private final Time time;
    private final LogManager logs;
    private final MetadataStore metadata;
    private static final long SCHEDULER_STOP_SECONDS = 10;
    private final ScheduledExecutorService scheduler;
    private final List<ListenerAddress> listeners;
    private final InterBroker interBroker;
    private final int maxRequestBytes;
    /** Builds (and stops) the security and coordination parts. */
    private final BrokerAssembler assembler;
    private ExecutorService handlers;
    /** Hands out producer ids; asks the controller for blocks on a thread of its own (a call may wait for a controller). */
    private ProducerIdManager producerIds;
    private SocketServer socketServer;
    private volatile ReplicaManager replicas;
    private volatile ReplicaFetchers fetchers;
    private ApiRegistry registry;
    private GroupCoordinator groups;
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
        this.assembler = new BrokerAssembler(config, metadata, time, threads, scheduler);
        this.listeners = assembler.listeners();
        this.interBroker = InterBroker.from(config);
        this.maxRequestBytes = config.getInt("socket.request.max.bytes", 104_857_600, 1, Integer.MAX_VALUE);
        this.metrics = new BrokerMetrics(time::milliseconds, () -> time.nanoseconds() / 1_000_000);
        this.authorizer = assembler.authorizer();
    }

    /**
     * Opens (recovers) the logs under dataDir; binds nothing yet. {@code metadata} is this broker's
     * copy of the cluster metadata (it follows the metadata quorum).
     */
    public static KafkaServer create(BrokerConfig config, Path dataDir, ThreadFactory threads, Time time, MetadataStore metadata)
            throws IOException {
        Files.createDirectories(dataDir);
        ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1, named(threads, "tributary-scheduler"));
        // on close, tasks not yet started are dropped, the one running finishes (see close)
        scheduler.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        scheduler.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
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

    /** Failed writes in this broker's log directory. */
    public org.tributary.log.StorageFailures storageFailures() {
        return logs.storageFailures();
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
            producerIds = new ProducerIdManager(clusterView::allocateProducerIds, named(threads, "tributary-producer-ids"),
                    dataDir.resolve("producer-id-block"));
            producerIds.start();
            TopicAdmin topicAdmin = new TopicAdmin(metadata, clusterView, controller, config);
            groups = assembler.startGroupCoordinator(replicas, topicAdmin, handlers); // before the first image: it hears of every leadership
            org.tributary.api.InternalTopicLog txnLog = assembler.transactionLog(replicas, topicAdmin);
            org.tributary.txn.TransactionCoordinator txnCoordinator = assembler.startTransactionCoordinator(txnLog, producerIds,
                    clusterView, replicas, handlers, interBroker);
            // listen first, then apply the image of now: an image published in between is not missed
            // (on an idle cluster no later image would bring it), and an older one is ignored
            metadata.addListener(replicas);
            replicas.accept(metadata.image());
            quotas = assembler.quotas();
            ApiServices services = new ApiServices(config, clusterView, metadata, replicas, producerIds, topicAdmin, groups, metrics,
                    controller, authorizer, quotas);
            registry = ApiHandlers.registry(services, txnCoordinator, txnLog,
                    assembler.transactionVerifier(txnCoordinator, clusterView, interBroker), handlers);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot start the Kafka server: " + e.getMessage(), e);
        }
        ReplicaManager served = replicas;
        dispatcher = new ApiDispatcher(registry, handlers, metadata::image, metrics, quotas, () -> audit,
                ctx -> authorizer.allowsCluster(ctx, org.apache.kafka.common.acl.AclOperation.CLUSTER_ACTION),
                new PartitionsOpenGate(metadata, tp -> served.partition(tp).isPresent(), PartitionsOpenGate.MAX_WAIT_MS));
        metrics.replicaMaxLag(() -> fetchers == null ? 0 : fetchers.maxLag()); // follower side, as Kafka's fetcher manager
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
                        r.onIsrChangeAnswered(change, error, leaderEpoch, isr, partitionEpoch);
                        // counted on the controller's success, from the ISR the change was decided on: the
                        // partition's own ISR may already be the new one (its metadata can arrive first)
                        if (error == org.apache.kafka.common.protocol.Errors.NONE) {
                            if (change.shrinks()) {
                                metrics.isrShrunk();
                            } else if (change.expands()) {
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
        return Optional.ofNullable(assembler.transactionVerification());
    }

    /** The metadata image this broker serves now (read-only; in-process callers build their request context on it). */
    public org.tributary.metadata.MetadataImage image() {
        return metadata.image();
    }

    /** The group coordinator (empty before {@link #start}): for in-process callers driving a handler directly. */
    public Optional<GroupCoordinator> groupCoordinator() {
        return Optional.ofNullable(groups);
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
        assembler.stopLoaders();
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
        if (producerIds != null) {
            producerIds.close(); // a block asked for now is not needed any more
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
        assembler.awaitStopped();
        stopScheduler();
        try {
            logs.close();
        } catch (IOException e) {
            LOG.warning("TRIB-SRV-002 closing logs failed: " + e.getMessage());
        }
    }

    /**
     * Stops the housekeeping scheduler without interrupting the task it is running: an interrupt
     * during a flush, a segment roll or a compaction closes that log's file channel (NIO's
     * interruptible channels), the logs then cannot close cleanly, and the next start recovers them
     * as after a crash. Tasks not started yet are dropped. Only a task still running after the bound
     * is interrupted.
     */
    private void stopScheduler() {
        scheduler.shutdown();
        try {
            if (!scheduler.awaitTermination(SCHEDULER_STOP_SECONDS, TimeUnit.SECONDS)) {
                LOG.warning("TRIB-SRV-003 a housekeeping task was still running " + SCHEDULER_STOP_SECONDS
                        + " s into the shutdown; interrupting it (the logs may need recovery at the next start)");
                scheduler.shutdownNow();
                scheduler.awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            scheduler.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    /** The housekeeping scheduler (retention, compaction, flushes, timers), for tests. */
    ScheduledExecutorService scheduler() {
        return scheduler;
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

    @Override
    public List<TopicSummary> reassigning() {
        List<TopicSummary> out = new ArrayList<>();
        for (TopicImage t : metadata.image().topics()) {
            List<PartitionSummary> parts = new ArrayList<>();
            for (int p = 0; p < t.partitionCount(); p++) {
                org.tributary.metadata.PartitionRegistration reg = t.partition(p);
                if (reg.isReassigning()) {
                    parts.add(new PartitionSummary(p, reg.leader(), reg.leaderEpoch(), reg.replicas(), reg.isr(), -1, -1, -1, -1,
                            reg.addingReplicas(), reg.removingReplicas()));
                }
            }
            if (!parts.isEmpty()) {
                out.add(new TopicSummary(t.name(), t.id().toString(), t.replicationFactor(), t.configs(), parts));
            }
        }
        return out;
    }

    private TopicSummary summary(TopicImage t) {
        List<PartitionSummary> parts = new ArrayList<>();
        for (int p = 0; p < t.partitionCount(); p++) {
            Partition partition = replicas == null ? null : replicas.partition(new TopicPartition(t.name(), p)).orElse(null);
            org.tributary.metadata.PartitionRegistration reg = t.partition(p);
            List<Integer> reps = reg.replicas();
            if (partition == null) { // led by another broker (or offline): what the metadata says, no log figures
                parts.add(new PartitionSummary(p, reg.leader(), reg.leaderEpoch(), reps, reg.isr(), -1, -1, -1, -1,
                        reg.addingReplicas(), reg.removingReplicas()));
            } else {
                parts.add(new PartitionSummary(p, reg.leader(), partition.leaderEpoch(), reps, partition.isr(),
                        partition.log().logStartOffset(), partition.log().logEndOffset(), partition.highWatermark(),
                        partition.log().sizeInBytes(), reg.addingReplicas(), reg.removingReplicas()));
            }
        }
        return new TopicSummary(t.name(), t.id().toString(), t.replicationFactor(), t.configs(), parts);
    }

    /** Names (and makes daemon) the threads of {@code base} {@code prefix-1}, {@code prefix-2}, ... */
    static ThreadFactory named(ThreadFactory base, String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = base.newThread(r);
            t.setName(prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** The replica fetchers of this broker ({@code null} before it starts following); for tests and metrics. */
    public ReplicaFetchers fetchers() {
        return fetchers;
    }
}
