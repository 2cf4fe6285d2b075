package org.tributary.broker;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.protocol.Errors;
import org.tributary.cluster.BrokerInfo;
import org.tributary.config.BrokerConfig;
import org.tributary.config.QuorumSecurity;
import org.tributary.config.QuorumSettings;
import org.tributary.controller.ApiError;
import org.tributary.controller.ConfigValidator;
import org.tributary.controller.ControllerClient;
import org.tributary.controller.ControllerConfig;
import org.tributary.controller.ControllerServer;
import org.tributary.grid.VoterSet;
import org.tributary.log.LogConfig;
import org.tributary.metadata.MetadataFollower;
import org.tributary.metadata.MetadataRecord.ResourceType;
import org.tributary.network.TlsContext;
import org.tributary.quorum.QuorumConfig;
import org.tributary.quorum.QuorumTls;
import org.tributary.quorum.RaftQuorum;

/**
 * One node's part in the cluster metadata: its member of the metadata quorum (Raft, storage in
 * {@code <data dir>/__cluster_metadata}), its copy of the metadata ({@link MetadataFollower}), the
 * controller it runs while it leads the quorum ({@link ControllerServer}), its way to the active
 * controller from anywhere ({@link ControllerClient}) and, once it serves as a broker, its
 * registration and heartbeats ({@link BrokerLifecycle}).
 *
 * <p>Lifecycle: {@link #start} (the quorum member runs and follows the log) → {@link #register}
 * (heartbeats; unfenced once caught up) → {@link #close} (controlled shutdown, then the member
 * stops, releasing its storage lock and threads). Not thread-safe: one owner drives it.
 */
public final class MetadataNode implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(MetadataNode.class.getName());
    public static final String STORAGE_DIR = "__cluster_metadata";
    static final String SESSION_TIMEOUT = "broker.session.timeout.ms";
    static final long SESSION_TIMEOUT_DEFAULT_MS = 9_000L;
    static final String HEARTBEAT_INTERVAL = "broker.heartbeat.interval.ms";
    /**
     * Kafka's name (default 1000 ms). The engine's follower sleeps a random timeout between half
     * this and this, then campaigns if its leader has been silent for that long, so a dead leader
     * is noticed between half this and twice this after its last heartbeat: at most 2 s by
     * default, as Kafka's voters notice after {@code controller.quorum.fetch.timeout.ms} (2 s).
     * (A range of this to twice this made it 1 to 4 s.)
     */
    static final String ELECTION_TIMEOUT = "controller.quorum.election.timeout.ms";
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);

    private final int nodeId;
    private final String clusterId;
    private final BrokerConfig config;
    private final MetadataFollower follower;
    private final ControllerServer controller;
    private final RaftQuorum quorum;
    /** The node whose grid member left while it led, and the term it led in; {-1, -1}: none. */
    private volatile long[] goneLeader = {-1, -1};
    /** Whether the grid, as this node sees it now, holds a node's member; every node until {@link #gridView} is set. */
    private volatile java.util.function.IntPredicate inGrid = n -> true;
    private final ControllerClient client;
    /** Each node's announced directory id ({@code directory.id} of its meta.properties), empty when unknown. */
    private volatile java.util.function.IntFunction<java.util.Optional<org.apache.kafka.common.Uuid>> directories =
            id -> java.util.Optional.empty();
    private final ScheduledExecutorService heartbeats;
    private volatile BrokerLifecycle lifecycle;

    private MetadataNode(int nodeId, String clusterId, BrokerConfig config, MetadataFollower follower, ControllerServer controller,
            RaftQuorum quorum, ThreadFactory threads) {
        this.heartbeats = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = threads.newThread(r);
            t.setName("tributary-broker-heartbeat");
            t.setDaemon(true);
            return t;
        });
        this.nodeId = nodeId;
        this.clusterId = clusterId;
        this.config = config;
        this.follower = follower;
        this.controller = controller;
        this.quorum = quorum;
        this.client = new ControllerClient(quorum::requestLeader, follower);
    }

    /**
     * Starts this node's quorum member: a voter when {@code voters} names it, otherwise an observer
     * at {@code self} that follows every committed entry without voting (it asks the quorum to add
     * it, and keeps asking until a leader has done so or {@code REQUEST_TIMEOUT} x 12 passed).
     */
    public static MetadataNode start(String clusterId, int nodeId, VoterSet voters, QuorumSettings.HostPort self, Path dataDir,
            BrokerConfig config, ThreadFactory threads) throws IOException {
        boolean observer = !voters.contains(nodeId);
        QuorumTls tls = quorumTls(config).orElse(null);
        checkBindable(observer ? self : voters.voters().get(nodeId));
        Duration[] election = electionTimeouts(config);
        QuorumConfig.Builder qb = QuorumConfig.builder().clusterId(clusterId).localId(nodeId)
                .storageDir(dataDir.resolve(STORAGE_DIR)).requestTimeout(REQUEST_TIMEOUT)
                .electionTimeout(election[0], election[1]).tls(tls);
        voters.voters().forEach((id, a) -> qb.voter(id, a.host() + ":" + a.port()));
        if (observer) {
            qb.observer(nodeId, self.host() + ":" + self.port());
        }
        QuorumConfig qcfg = qb.build();
        long rebalanceMs = leaderRebalanceIntervalMs(config);
        MetadataFollower follower = new MetadataFollower(threads);
        Map<String, String> defaults = config.explicitValues();
        ControllerConfig ccfg = new ControllerConfig(config.getLong(SESSION_TIMEOUT, SESSION_TIMEOUT_DEFAULT_MS),
                config.getInt("num.partitions", 1, 1, 10_000), (short) config.getInt("default.replication.factor", 1, 1, Short.MAX_VALUE),
                10_000);
        ControllerServer controller = new ControllerServer(ccfg, validator(defaults), follower, clusterId,
                System::currentTimeMillis, REQUEST_TIMEOUT, threads);
        follower.setLeadership(controller);
        controller.departedHintGrace(Math.max(1_500L, 2 * config.getLong(HEARTBEAT_INTERVAL, 1_000L)));
        controller.autoLeaderRebalance(rebalanceMs);
        RaftQuorum quorum;
        try {
            quorum = RaftQuorum.start(qcfg, follower, controller);
        } catch (IOException | RuntimeException e) {
            controller.close();
            throw e;
        }
        controller.attach(quorum::appendAsLeader);
        MetadataNode node = new MetadataNode(nodeId, clusterId, config, follower, controller, quorum, threads);
        controller.attachStatus(quorum::status, quorum::voters,
                id -> node.directories.apply(id).orElse(org.apache.kafka.common.Uuid.ZERO_UUID));
        node.voterChanges(false, id -> java.util.Optional.empty());
        // the engine's configuration (recovered from storage) decides: a node made a voter while it
        // was down, or since its voter file was written, joins as the voter it is
        if (observer && !quorum.voters().containsKey(nodeId)) {
            joinAsObserver(quorum, nodeId, self);
        }
        return node;
    }

    /**
     * {@code auto.leader.rebalance.enable} (default true) and {@code leader.imbalance.check.interval.seconds}
     * (default 300, at least 1 as in Kafka): how often the active controller moves leadership back
     * to preferred replicas, in ms; 0 when disabled. {@code leader.imbalance.per.broker.percentage}
     * is gone from Kafka 4 (its KRaft controller balances every partition, without a threshold):
     * when set it is reported in one line and has no effect, as Kafka warns of a key it does not know.
     */
    static long leaderRebalanceIntervalMs(BrokerConfig config) {
        long seconds = config.getLong(IMBALANCE_CHECK_INTERVAL, 300L);
        if (seconds < 1 || seconds > Long.MAX_VALUE / 1_000L) {
            throw new org.tributary.config.ConfigException(IMBALANCE_CHECK_INTERVAL, seconds, "must be at least 1 (seconds)");
        }
        config.get(IMBALANCE_PERCENTAGE).ifPresent(v -> LOG.warning(() -> "TRIB-0056 " + IMBALANCE_PERCENTAGE + "=" + v
                + " has no effect: as in Kafka 4, the controller gives every partition back to its preferred replica"
                + " once that replica is in sync (" + IMBALANCE_CHECK_INTERVAL + " sets how often it checks)"));
        return config.getBoolean("auto.leader.rebalance.enable", true) ? seconds * 1_000L : 0L;
    }

    /** The engine's minimum and maximum election timeouts for {@link #ELECTION_TIMEOUT}: half of it, and it. */
    static Duration[] electionTimeouts(BrokerConfig config) {
        long ms = config.getLong(ELECTION_TIMEOUT, 1_000L);
        if (ms < 200 || ms > 60_000) {
            throw new org.tributary.config.ConfigException(ELECTION_TIMEOUT, ms, "must be between 200 and 60000 (ms)");
        }
        return new Duration[] {Duration.ofMillis(ms / 2), Duration.ofMillis(ms)};
    }

    static final String IMBALANCE_CHECK_INTERVAL = "leader.imbalance.check.interval.seconds";
    static final String IMBALANCE_PERCENTAGE = "leader.imbalance.per.broker.percentage";

    /**
     * The quorum's mutual TLS when its controller listener ({@code controller.listener.names}) is
     * SSL, built with the SSL listeners' checks (files, passwords, protocols: one line naming the
     * key); empty for PLAINTEXT. Called before anything starts.
     */
    public static java.util.Optional<QuorumTls> quorumTls(BrokerConfig config) {
        return QuorumSecurity.from(config).ssl().map(ssl -> {
            TlsContext.Material m = TlsContext.server(ssl).material();
            return new QuorumTls(m.keyManager(), m.trustManager(), m.protocols(), m.cipherSuites());
        });
    }

    /** A quorum port in use fails the start with one line naming the setting, not a Raft stack trace. */
    private static void checkBindable(QuorumSettings.HostPort address) {
        try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new java.net.InetSocketAddress(address.host(), address.port()));
        } catch (IOException e) {
            throw new org.tributary.config.ConfigException(QuorumSettings.PORT, address.port(), "the metadata quorum cannot bind "
                    + address + " (" + e.getMessage() + "); stop what uses it or choose another port");
        }
    }

    private static void joinAsObserver(RaftQuorum quorum, int nodeId, QuorumSettings.HostPort self) throws IOException {
        long deadline = System.nanoTime() + REQUEST_TIMEOUT.toNanos() * 12;
        while (true) {
            try {
                quorum.addObserver(nodeId, self.host() + ":" + self.port());
                LOG.info(() -> "TRIB-0055 Node " + nodeId + " follows the metadata quorum as an observer at " + self);
                return;
            } catch (RuntimeException e) {
                if (System.nanoTime() > deadline) {
                    quorum.close();
                    throw new IOException("node " + nodeId + " could not join the metadata quorum as an observer (" + e.getMessage()
                            + "); is a majority of its voters running?", e);
                }
                try {
                    Thread.sleep(500);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    quorum.close();
                    throw new IOException("interrupted while joining the metadata quorum", ie);
                }
            }
        }
    }

    /**
     * How the active controller answers AddRaftVoter and RemoveRaftVoter (KIP-853): refused when the
     * voters are fixed by {@code controller.quorum.voters}; the directory ids given are checked
     * against {@code directories} (each node's {@code directory.id}, empty when unknown), which
     * DescribeQuorum reports too.
     */
    public void voterChanges(boolean fixedVoters,
            java.util.function.IntFunction<java.util.Optional<org.apache.kafka.common.Uuid>> directories) {
        this.directories = directories;
        controller.attachVoterChanges(new QuorumVoterChanges(quorum, clusterId, fixedVoters, directories));
    }

    /** Broker configs that can change at run time (the replication throttle rates; KIP-73), as whole numbers >= 0. */
    static final java.util.Set<String> DYNAMIC_BROKER_CONFIGS = java.util.Set.of("leader.replication.throttled.rate",
            "follower.replication.throttled.rate");

    /** Topic configs are checked with the broker's own rules; of broker configs only the replication throttles change at run time. */
    static ConfigValidator validator(Map<String, String> brokerDefaults) {
        return (type, name, configs) -> {
            if (type == ResourceType.BROKER) {
                for (Map.Entry<String, String> c : configs.entrySet()) {
                    if (!DYNAMIC_BROKER_CONFIGS.contains(c.getKey())) {
                        return ApiError.of(Errors.INVALID_REQUEST, "Broker config " + c.getKey() + " cannot be changed at run time; "
                                + "set it in tributary.properties or as a system property and restart the broker");
                    }
                    try {
                        if (Long.parseLong(c.getValue().trim()) < 0) {
                            throw new NumberFormatException();
                        }
                    } catch (NumberFormatException e) {
                        return ApiError.of(Errors.INVALID_CONFIG, "Invalid value " + c.getValue() + " for configuration " + c.getKey()
                                + ": must be a whole number of bytes per second, at least 0");
                    }
                }
                return ApiError.NONE;
            }
            try {
                LogConfig.from(brokerDefaults, configs);
                return ApiError.NONE;
            } catch (InvalidConfigurationException e) {
                return ApiError.of(Errors.INVALID_CONFIG, e.getMessage());
            }
        };
    }

    /**
     * Registers this node as broker {@code self} and waits (at most {@code timeout}) until the
     * controller unfences it, i.e. until it has caught up with the metadata log.
     */
    public BrokerLifecycle register(BrokerInfo self, Duration timeout) throws IOException {
        ControllerContact contact = new ControllerContact(self.id(), () -> System.nanoTime() / 1_000_000,
                config.getLong(SESSION_TIMEOUT, SESSION_TIMEOUT_DEFAULT_MS), quorum.voters().keySet(), quorum::leaderId);
        BrokerLifecycle l = new BrokerLifecycle(client, self, clusterId, follower::lastAppliedOffset, heartbeats,
                config.getLong(HEARTBEAT_INTERVAL, 1_000L), REQUEST_TIMEOUT, contact);
        lifecycle = l;
        l.start();
        try {
            l.unfenced().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            String problem = l.lastProblem();
            throw new IOException("broker " + self.id() + " was not admitted by the controller within " + timeout.toSeconds()
                    + " s (state " + l.state() + ", quorum leader " + quorum.leaderId() + ", metadata log applied here up to offset "
                    + follower.lastAppliedOffset() + (problem == null ? "" : "; last problem: " + problem)
                    + "); is a majority of the quorum " + quorum.voters() + " running, and does this node receive the metadata log"
                    + " (kafka-metadata-quorum describe --replication on another node shows its lag)?");
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IOException("broker registration failed: " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while registering", e);
        }
        return l;
    }

    public int nodeId() {
        return nodeId;
    }

    public MetadataFollower metadata() {
        return follower;
    }

    public ControllerClient controllerClient() {
        return client;
    }

    /**
     * The grid reports node {@code nodeId}'s member gone: the controller fences that broker (a
     * hint; heartbeats remain the rule), and if it led the quorum in the current term it is no
     * longer named as the controller (see {@link #controllerId}).
     */
    public void memberLeft(int nodeId) {
        long term = quorum.epoch();
        if (term >= 0 && quorum.leaderId() == nodeId) {
            goneLeader = new long[] {nodeId, term};
        }
        controller.memberLeft(nodeId);
    }

    /**
     * The grid reports node {@code nodeId}'s member back (it rejoined after a split, or registered
     * again after a merge): if it was the leader reported gone, it is named as the controller again.
     * A gone report is a hint that lasts only while the member is away: without this, a member
     * that the grid dropped for a moment (a pause past the grid's heartbeat timeout, a split)
     * would not be named for the rest of its term, and a node that saw the others "leave" during
     * its own split would name none for the rest of the new leader's term.
     */
    public void memberBack(int nodeId) {
        if (goneLeader[0] == nodeId) {
            goneLeader = new long[] {-1, -1};
        }
    }

    /**
     * Tells this node how to see which nodes' grid members its own grid view holds now (see
     * {@link #controllerId}).
     */
    public void gridView(java.util.function.IntPredicate present) {
        inGrid = java.util.Objects.requireNonNull(present);
    }

    /**
     * The active controller as this broker knows it: the quorum's leader, or -1 when none is known,
     * also when the grid reported the leader's member gone in the current term. The voters notice a
     * dead leader only after their election timeout; until then this node's own view (the admin
     * API's {@code controllerId}, the console, the grid's published copy) does not name a node the
     * grid saw die. Kafka clients are never sent here: Metadata names the answering broker, which
     * forwards (see {@code api.MetadataHandler}).
     *
     * <p>A gone report counts only while this node's grid view holds a majority of the voters (itself
     * included). A node whose view lost the majority is the one cut off: after a pause past the
     * grid's heartbeat timeout (a long collection, a SIGSTOP) a resumed node sees every other member
     * "leave" at once, while the quorum it hears from elected a leader that is alive and serving.
     */
    public int controllerId() {
        int leader = quorum.leaderId();
        long[] gone = goneLeader;
        boolean reportedGone = leader >= 0 && leader == gone[0] && quorum.epoch() == gone[1];
        return reportedGone && gridHoldsMajority() ? -1 : leader;
    }

    private boolean gridHoldsMajority() {
        java.util.Set<Integer> voters = quorum.voters().keySet();
        java.util.function.IntPredicate present = inGrid;
        long seen = voters.stream().filter(v -> v == nodeId || present.test(v)).count();
        return 2 * seen > voters.size();
    }

    public ControllerServer controller() {
        return controller;
    }

    public RaftQuorum quorum() {
        return quorum;
    }

    public long brokerEpoch() {
        BrokerLifecycle l = lifecycle;
        return l == null ? -1 : l.brokerEpoch();
    }

    /**
     * Controlled shutdown of the broker (bounded): the controller moves leadership away and lets
     * it go; heartbeats stop. The quorum member keeps running until {@link #close}. Idempotent.
     */
    public void shutDownBroker() {
        BrokerLifecycle l = lifecycle;
        lifecycle = null;
        if (l != null) {
            l.controlledShutdown(Duration.ofSeconds(5));
        }
    }

    /** {@link #shutDownBroker}, then the quorum member stops. Idempotent. */
    @Override
    public void close() {
        shutDownBroker();
        halt();
    }

    /**
     * Stops without a controlled shutdown: no goodbye to the controller, which fences this broker
     * only when its session expires (what a crash looks like to the cluster; tests use it).
     */
    public void halt() {
        lifecycle = null;
        heartbeats.shutdownNow();
        controller.close();
        quorum.close();
        follower.close();
        LOG.fine(() -> "metadata node " + nodeId + " closed");
    }
}
