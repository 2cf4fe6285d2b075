package org.tributary.server;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Time;
import org.tributary.api.InternalTopicLog;
import org.tributary.api.OffsetsTopicLog;
import org.tributary.api.RequestAuthorizer;
import org.tributary.api.TopicAdmin;
import org.tributary.cluster.ClusterView;
import org.tributary.config.BrokerConfig;
import org.tributary.config.SaslConfig;
import org.tributary.coordinator.CoordinatorShards;
import org.tributary.group.GroupConfig;
import org.tributary.group.GroupCoordinator;
import org.tributary.metadata.MetadataStore;
import org.tributary.network.InterBroker;
import org.tributary.network.ListenerAddress;
import org.tributary.partition.ReplicaManager;
import org.tributary.partition.TxnVerifier;
import org.tributary.replication.TxnMarkerChannels;
import org.tributary.replication.TxnVerificationChannels;
import org.tributary.security.AuthorizerConfig;
import org.tributary.security.ClientQuotaManager;
import org.tributary.security.SaslAuthenticator;
import org.tributary.security.SaslServers;
import org.tributary.security.ScramCredentialLookup;
import org.tributary.txn.ProducerIdManager;
import org.tributary.txn.TransactionCoordinator;
import org.tributary.txn.TxnConfig;

/**
 * Builds the security and coordination parts of one broker from its configuration: the SASL
 * authenticators of its listeners, the authorizer, the client quotas, the group coordinator over
 * {@code __consumer_offsets} and the transaction coordinator over {@code __transaction_state} (with
 * their loader threads, leadership listeners and deadline ticks), the transaction markers' and
 * KIP-890 verification's channels to other brokers. It owns the threads and channels it starts and
 * stops them when {@link KafkaServer} closes, at the points of its shutdown sequence it is told to.
 *
 * <p>Separate from {@link KafkaServer} so that the server keeps the lifecycle (create, bind, start,
 * close) and the broker views, and the wiring of each part lives in one place. Not thread-safe:
 * used by the server's lifecycle methods, which run one after another.
 */
final class BrokerAssembler {
    /** The server's logger: what the parts built here log keeps its category. */
    private static final Logger LOG = Logger.getLogger(KafkaServer.class.getName());
    private static final long COORDINATOR_TICK_MS = 50L;

    private final BrokerConfig config;
    private final MetadataStore metadata;
    private final Time time;
    private final ThreadFactory threads;
    private final ScheduledExecutorService scheduler;
    private ExecutorService groupLoader;
    private ExecutorService txnLoader;
    private TxnMarkerChannels txnMarkers;
    private TxnVerificationChannels txnVerification;

    BrokerAssembler(BrokerConfig config, MetadataStore metadata, Time time, ThreadFactory threads, ScheduledExecutorService scheduler) {
        this.config = config;
        this.metadata = metadata;
        this.time = time;
        this.threads = threads;
        this.scheduler = scheduler;
    }

    /** The configured listeners, a SASL listener with its authenticator. */
    List<ListenerAddress> listeners() {
        return ListenerAddress.from(config).stream().map(this::withSasl).toList();
    }

    /**
     * A SASL listener's connections authenticate against its PLAIN users and the SCRAM credentials
     * of the current metadata image (read per login, so changes count without a restart).
     */
    private ListenerAddress withSasl(ListenerAddress l) {
        if (l.sasl() == null) {
            return l;
        }
        SaslConfig sasl = l.sasl();
        SaslServers servers = new SaslServers(sasl.plainUsers(), scramCredentials());
        return l.withAuthenticator((listener, client) -> new SaslAuthenticator(sasl.mechanisms(), servers,
                sasl.maxReauthMs(), sasl.failedAuthDelayMs(), System::nanoTime));
    }

    /** The SCRAM credentials of the current metadata image. */
    private ScramCredentialLookup scramCredentials() {
        return (user, mechanism) -> metadata.image().scram().find(user, mechanism);
    }

    /** The request authorizer the broker's settings configure ({@link AuthorizerConfig}). */
    RequestAuthorizer authorizer() {
        return new RequestAuthorizer(AuthorizerConfig.from(config).orElse(null));
    }

    /** Client quotas from the metadata image, over {@code quota.window.num} windows of {@code quota.window.size.seconds}. */
    ClientQuotaManager quotas() {
        return new ClientQuotaManager(() -> metadata.image().quotas(), config.getInt("quota.window.num", 11, 2, 1000),
                1000L * config.getInt("quota.window.size.seconds", 1, 1, 3600));
    }

    /**
     * The group coordinator over __consumer_offsets. It follows this broker's leaderships of the
     * topic's partitions: each one it comes to lead is loaded on the group-loader thread, each one it
     * stops leading is unloaded there; replicated writes are taken up on the request handler pool.
     * Deadlines are checked every 50 ms.
     */
    GroupCoordinator startGroupCoordinator(ReplicaManager replicas, TopicAdmin topicAdmin, ExecutorService handlers) {
        GroupConfig groupConfig = GroupConfig.from(config);
        groupLoader = Executors.newSingleThreadExecutor(KafkaServer.named(threads, "tributary-group-loader"));
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
        }, COORDINATOR_TICK_MS, COORDINATOR_TICK_MS, TimeUnit.MILLISECONDS);
        return coordinator;
    }

    /** {@code __transaction_state}: Kafka's keys and defaults, replicas capped by the brokers serving as for the offsets topic. */
    InternalTopicLog transactionLog(ReplicaManager replicas, TopicAdmin topicAdmin) {
        TxnConfig c = TxnConfig.from(config);
        return new InternalTopicLog(new InternalTopicLog.Spec(
                org.apache.kafka.common.internals.Topic.TRANSACTION_STATE_TOPIC_NAME, c.logPartitions(), c.logReplicationFactor(),
                Map.of("cleanup.policy", "compact", "compression.type", "uncompressed", "segment.bytes", "104857600"), c.logMinIsr()),
                metadata, replicas, topicAdmin, time);
    }

    /**
     * The transaction coordinator over __transaction_state: follows this broker's leaderships of its
     * partitions (loaded on the txn-loader thread), sends markers over the inter-broker listener,
     * takes up replicated writes on the request handler pool; timeouts checked every 50 ms.
     */
    TransactionCoordinator startTransactionCoordinator(InternalTopicLog log, ProducerIdManager producerIds, ClusterView clusterView,
            ReplicaManager replicas, ExecutorService handlers, InterBroker interBroker) {
        txnLoader = Executors.newSingleThreadExecutor(KafkaServer.named(threads, "tributary-txn-loader"));
        txnMarkers = new TxnMarkerChannels(clusterView.localBrokerId(), metadata::image, interBroker);
        CoordinatorShards shards = new CoordinatorShards(log.topic(), log::leaderEpoch, txnLoader);
        TransactionCoordinator coordinator = new TransactionCoordinator(TxnConfig.from(config), log, shards, time,
                producerIds::nextProducerId, txnMarkers, handlers);
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
        }, COORDINATOR_TICK_MS, COORDINATOR_TICK_MS, TimeUnit.MILLISECONDS);
        return coordinator;
    }

    /**
     * KIP-890 part 1: partition leaders ask the transaction coordinator before a transactional write
     * opens a transaction on a partition ({@code transaction.partition.verification.enable}, default
     * true as in Kafka); null when off or without a transaction coordinator.
     */
    TxnVerifier transactionVerifier(TransactionCoordinator txnCoordinator, ClusterView clusterView, InterBroker interBroker) {
        if (txnCoordinator == null || !config.getBoolean("transaction.partition.verification.enable", true)) {
            return null;
        }
        txnVerification = new TxnVerificationChannels(clusterView.localBrokerId(), metadata::image, interBroker,
                txnCoordinator::partitionFor, config.getInt("request.timeout.ms", 30_000, 1, Integer.MAX_VALUE));
        return txnVerification;
    }

    /** Transaction verification's channels; null when off or not started. */
    TxnVerificationChannels transactionVerification() {
        return txnVerification;
    }

    /** Shutdown, first step: the loaders take no new load (not interrupted: an interrupt would close the log files they read). */
    void stopLoaders() {
        if (groupLoader != null) {
            groupLoader.shutdown();
        }
        if (txnLoader != null) {
            txnLoader.shutdown();
        }
    }

    /** Shutdown, once the partitions are closed: waits for the group loader, closes the channels, waits for the txn loader. */
    void awaitStopped() {
        awaitTermination(groupLoader);
        if (txnVerification != null) {
            txnVerification.close();
        }
        if (txnMarkers != null) {
            txnMarkers.close();
        }
        awaitTermination(txnLoader);
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
}
