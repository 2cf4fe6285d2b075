package org.tributary.partition;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.apache.kafka.common.utils.Time;
import java.util.logging.Logger;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.tributary.log.LogManager;
import org.tributary.metadata.MetadataImage;

/**
 * The partitions this broker holds, kept in step with the metadata: {@link #accept} applies each
 * new image (creates logs for new partitions, deletes removed topics, pushes config changes).
 * Owns the purgatories for long-poll fetches and acks=all produces.
 *
 * <p>{@link #accept} returns once the partitions this broker leads are open: a client that created
 * a topic through this broker finds the partitions it leads served here at once. The follower
 * replicas of new topics (after start-up) are opened just after, on the {@code tributary-replica-opener} thread,
 * a few at a time under this manager's lock: creating 500 partitions with three replicas on three
 * brokers makes each broker follow about 330 of them, and opening those logs needs not hold up the
 * answer. Their leaders do not need them to take writes (every replica starts in the ISR with an
 * empty log; an acks=all write waits for the follower, as for any follower that has not fetched yet).
 *
 * <p>A log is deleted only when the metadata removes it explicitly: its partition was in an image
 * this manager applied and is gone from the next one (topic deleted, or replaced by a new topic of
 * the same name). A log on disk that no applied image has named (found at start-up, e.g. after the
 * metadata was lost or belongs to another cluster) is moved aside as a {@code -stray} directory and
 * logged, never deleted: an empty or stale image must not wipe a broker. Working out what an image
 * changes and applying it is {@link ImageApplier}'s part.
 *
 * <p>Thread-safe; images are applied one at a time, under this object's lock (which the opener
 * takes too).
 */
public final class ReplicaManager implements Consumer<MetadataImage>, Closeable {
    private static final Logger LOG = Logger.getLogger(ReplicaManager.class.getName());

    private final LogManager logs;
    private final Map<String, String> brokerDefaults;
    private final Path producerStateDir;
    private final int localBrokerId;
    private final ConcurrentHashMap<TopicPartition, Partition> partitions = new ConcurrentHashMap<>();
    /** Works out what each image changes for the local partitions and applies it. Guarded by this. */
    private final ImageApplier images;
    private final Purgatory fetchPurgatory;
    private final Purgatory producePurgatory;
    private final Replication replication;
    private volatile MetadataImage lastImage;
    /** Counts the changes of the local partitions' set (see {@link #generation}). */
    private final java.util.concurrent.atomic.AtomicLong generation = new java.util.concurrent.atomic.AtomicLong();
    /** Follower replicas of new topics opened per hold of this manager's lock by {@link #openDeferred}. */
    private static final int DEFERRED_PER_LOCK = 8;
    /** Opens new follower replicas after their image was applied (see {@link ImageApplier#openDeferred}). */
    private final ExecutorService opener = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "tributary-replica-opener");
        t.setDaemon(true);
        return t;
    });
    private final java.util.concurrent.atomic.AtomicBoolean openerScheduled = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile org.tributary.txn.TransactionMarkerListener markerListener = org.tributary.txn.TransactionMarkerListener.NONE;
    private final java.util.List<java.util.function.BiConsumer<Partition, Partition.Transition>> leadershipListeners =
            new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * How this broker's partitions reach the rest of the cluster: the fetchers that copy followed
     * partitions from their leaders, where ISR changes go (to the controller), this broker's
     * registration epoch, and the clock.
     */
    public record Replication(Followers followers, Consumer<IsrChange> isrChanges, LongSupplier brokerEpoch, Time time) {
        /** One broker alone: nothing to follow, no ISR to change. */
        public static Replication standalone(Time time) {
            return new Replication(Followers.NONE, c -> {
            }, () -> -1L, time);
        }
    }

    /** The follower side: which partitions to copy from which leader. Implementations must be thread-safe. */
    public interface Followers {
        Followers NONE = new Followers() {
            @Override
            public void follow(Partition partition) {
            }

            @Override
            public void unfollow(TopicPartition tp) {
            }
        };

        /** Starts (or re-points, after a leader or epoch change) copying {@code partition} from its leader. */
        void follow(Partition partition);

        /** Stops copying {@code tp}; returns once no fetch of it is being applied. */
        void unfollow(TopicPartition tp);
    }

    public ReplicaManager(LogManager logs, Map<String, String> brokerDefaults, Path producerStateDir, int localBrokerId,
            ScheduledExecutorService timer, ExecutorService completionPool) throws IOException {
        this(logs, brokerDefaults, producerStateDir, localBrokerId, timer, completionPool, Replication.standalone(Time.SYSTEM));
    }

    public ReplicaManager(LogManager logs, Map<String, String> brokerDefaults, Path producerStateDir, int localBrokerId,
            ScheduledExecutorService timer, ExecutorService completionPool, Replication replication) throws IOException {
        this.logs = logs;
        this.brokerDefaults = Map.copyOf(brokerDefaults);
        this.producerStateDir = producerStateDir;
        this.localBrokerId = localBrokerId;
        this.replication = replication;
        Files.createDirectories(producerStateDir);
        this.fetchPurgatory = new Purgatory("fetch", timer, completionPool);
        this.producePurgatory = new Purgatory("produce", timer, completionPool);
        this.images = new ImageApplier(logs, this.brokerDefaults, producerStateDir, localBrokerId, replication, partitions,
                this::notifyListeners);
    }

    /** The directory holding this broker's partition logs (its one log dir). */
    public Path logDir() {
        return logs.dataDir();
    }

    public int localBrokerId() {
        return localBrokerId;
    }

    /**
     * Told of every role change of a local partition (became leader, follower, offline; also
     * {@code WENT_OFFLINE} when a partition this broker leads is removed: a removed follower had no
     * leadership to give up, so it is not told), under this manager's lock on the thread applying metadata (or, for a new
     * follower replica, the opener thread): keep it
     * short and hand slow work (loading a coordinator's state) to another thread.
     */
    public void addLeadershipListener(java.util.function.BiConsumer<Partition, Partition.Transition> listener) {
        leadershipListeners.add(listener);
    }

    private void notifyListeners(Partition p, Partition.Transition t) {
        for (java.util.function.BiConsumer<Partition, Partition.Transition> l : leadershipListeners) {
            try {
                l.accept(p, t);
            } catch (RuntimeException e) {
                LOG.warning("TRIB-PART-007 a leadership listener failed for " + p.topicPartition() + ": " + e);
            }
        }
    }

    /**
     * Who hears of transaction markers written to {@code __consumer_offsets} (the group coordinator,
     * for transactional offset commits); {@link org.tributary.txn.TransactionMarkerListener#NONE} until set.
     */
    public void setTransactionMarkerListener(org.tributary.txn.TransactionMarkerListener listener) {
        this.markerListener = java.util.Objects.requireNonNull(listener);
    }

    public org.tributary.txn.TransactionMarkerListener transactionMarkerListener() {
        return markerListener;
    }

    /** The partition if this broker leads it: the only ones clients may produce to or fetch from. */
    public Optional<Partition> partition(TopicPartition tp) {
        return Optional.ofNullable(partitions.get(tp)).filter(Partition::isLeader);
    }

    /** This broker's replica of the partition, whatever its role. */
    public Optional<Partition> replica(TopicPartition tp) {
        return Optional.ofNullable(partitions.get(tp));
    }

    /**
     * Moves on after every image applied and every batch of follower replicas opened, once the
     * change is visible: while it stays the same, a {@link Partition} found by {@link #replica} is
     * still this broker's replica of its partition (its role may change: check it). Lets a waiting
     * fetch keep the partitions it found instead of looking each up again at every wake.
     */
    public long generation() {
        return generation.get();
    }

    public Map<TopicPartition, Partition> partitions() {
        return Map.copyOf(partitions);
    }

    public Purgatory fetchPurgatory() {
        return fetchPurgatory;
    }

    public Purgatory producePurgatory() {
        return producePurgatory;
    }

    public Map<String, String> brokerDefaults() {
        return brokerDefaults;
    }

    /**
     * The acks=all state of an append to {@code tp} in leader epoch {@code appendEpoch} up to
     * {@code requiredOffset} (exclusive), as {@link Partition#acksAllState}: null while the ISR has
     * not caught up; NOT_LEADER_OR_FOLLOWER when this broker no longer holds the partition.
     */
    public Errors acksAllState(TopicPartition tp, long requiredOffset, int appendEpoch) {
        Partition p = partitions.get(tp);
        return p == null ? Errors.NOT_LEADER_OR_FOLLOWER : p.acksAllState(requiredOffset, appendEpoch);
    }

    /**
     * Completes with the acks=all outcome of an append already made to {@code tp} (see
     * {@link #acksAllState}), or REQUEST_TIMED_OUT after {@code timeoutMs}; waits in the produce
     * purgatory, so no thread blocks. The future may complete on the calling thread.
     */
    public CompletableFuture<Errors> awaitReplication(TopicPartition tp, long requiredOffset, int appendEpoch, long timeoutMs) {
        CompletableFuture<Errors> result = new CompletableFuture<>();
        producePurgatory.tryCompleteElseWatch(new DelayedOperation(Math.max(0, timeoutMs)) {
            @Override
            public boolean tryComplete() {
                return acksAllState(tp, requiredOffset, appendEpoch) != null && forceComplete();
            }

            @Override
            protected void onComplete() {
                Errors state = acksAllState(tp, requiredOffset, appendEpoch);
                result.complete(state == null ? Errors.REQUEST_TIMED_OUT : state);
            }
        }, List.of(tp));
        return result;
    }

    /** Called after an append: wakes fetches and produces waiting on {@code tp}. */
    public void onAppend(TopicPartition tp) {
        producePurgatory.checkAndComplete(tp);
        fetchPurgatory.checkAndComplete(tp);
    }

    /**
     * A follower's fetch of a partition this broker leads: checked and recorded by the partition;
     * an ISR addition goes to the controller; a moved high watermark wakes acks=all produces and
     * consumer fetches.
     */
    public Partition.FollowerFetch followerFetch(Partition p, int replicaId, long replicaEpoch, long fetchOffset, int lastFetchedEpoch,
            int currentLeaderEpoch) {
        Partition.FollowerFetch r = p.onFollowerFetch(replicaId, replicaEpoch, fetchOffset, lastFetchedEpoch, currentLeaderEpoch,
                replication.time().milliseconds(), this::eligibleForIsr, replication.brokerEpoch().getAsLong());
        if (r.isrChange() != null) {
            replication.isrChanges().accept(r.isrChange());
        }
        if (r.highWatermarkMoved()) {
            onAppend(p.topicPartition());
        }
        return r;
    }

    /** Registered, unfenced and not shutting down in the latest metadata this manager applied. */
    private boolean eligibleForIsr(int brokerId) {
        MetadataImage image = lastImage;
        return image != null && image.broker(brokerId).map(org.tributary.metadata.BrokerRegistration::active).orElse(false);
    }

    /** The controller answered an ISR change this broker asked for. */
    public void onIsrChangeAnswered(IsrChange sent, org.apache.kafka.common.protocol.Errors error, int leaderEpoch, List<Integer> isr,
            int partitionEpoch) {
        Partition p = partitions.get(sent.topicPartition());
        if (p != null && p.topicId().equals(sent.topicId())) {
            p.onIsrChangeAnswered(sent, error, leaderEpoch, isr, partitionEpoch);
            onAppend(sent.topicPartition()); // acks=all waits re-check the high watermark and the ISR size
        }
    }

    /**
     * Proposes dropping followers that lag more than {@code maxLagMs} from the ISRs this broker
     * leads, and sends again the pending changes whose last try got no answer.
     */
    public void shrinkIsrs(long maxLagMs) {
        long now = replication.time().milliseconds();
        long epoch = replication.brokerEpoch().getAsLong();
        for (Partition p : partitions.values()) {
            if (p.isLeader()) {
                IsrChange c = p.maybeShrinkIsr(now, maxLagMs, epoch);
                if (c != null) {
                    List<Integer> lagging = difference(p.isr(), c.brokerIds());
                    if (!lagging.isEmpty()) { // else a pending change sent again
                        LOG.info(() -> "TRIB-REPL-001 " + p.topicPartition() + ": followers " + lagging + " lag more than " + maxLagMs
                                + " ms behind; asking the controller to shrink the ISR " + p.isr() + " to " + c.brokerIds());
                    }
                    replication.isrChanges().accept(c);
                }
            }
        }
    }

    private static List<Integer> difference(List<Integer> a, List<Integer> b) {
        return a.stream().filter(x -> !b.contains(x)).toList();
    }

    /** Makes the local partitions match {@code image}. Also used once at start-up (recovery). */
    @Override
    public synchronized void accept(MetadataImage image) {
        MetadataImage last = lastImage;
        if (last != null && image.offset() >= 0 && image.offset() < last.offset()) {
            // older than one applied already (the start-up image can arrive after the listener's newer
            // one): applying it would step partitions back, or remove a topic the newer image names
            return;
        }
        lastImage = image;
        Set<TopicPartition> changed;
        try {
            changed = images.apply(image);
        } finally {
            generation.incrementAndGet();
        }
        // waiting produces re-check (lost leadership, a changed ISR); fetches answer or re-read: each waiting
        // operation once per image, however many of its partitions changed (a follower's fetch names thousands)
        producePurgatory.checkAndComplete(changed);
        fetchPurgatory.checkAndComplete(changed);
        for (TopicPartition tp : changed) {
            if (partitions.get(tp) == null) { // removed from this broker: its waiting operations were just answered
                producePurgatory.forget(tp);
                fetchPurgatory.forget(tp);
            }
        }
        images.moveAsideStrayLogsOnce();
        if (images.hasDeferred() && openerScheduled.compareAndSet(false, true)) {
            try {
                opener.execute(this::openDeferred);
            } catch (java.util.concurrent.RejectedExecutionException closed) {
                openerScheduled.set(false);
            }
        }
    }

    /**
     * On the opener thread: opens the new follower replicas the applied images left for later, a
     * few at a time under this manager's lock, so that the next image never waits behind more
     * than a few of them.
     */
    private void openDeferred() {
        openerScheduled.set(false);
        boolean more = true;
        while (more && !Thread.currentThread().isInterrupted()) {
            Set<TopicPartition> changed = new java.util.HashSet<>();
            try {
                synchronized (this) {
                    try {
                        more = images.openDeferred(DEFERRED_PER_LOCK, changed);
                    } finally {
                        generation.incrementAndGet();
                    }
                }
            } catch (RuntimeException e) { // the log manager closing under a broker that stops
                LOG.fine(() -> "TRIB-PART-009 stopped opening new follower replicas: " + e);
                return;
            }
            producePurgatory.checkAndComplete(changed);
            fetchPurgatory.checkAndComplete(changed);
        }
    }

    /** Partitions looked at while applying images since this manager started (tests: work per image). */
    public long partitionsVisited() {
        return images.partitionsVisited();
    }


    /** Expires idle producers ({@code producer.id.expiration.ms}) in every partition. */
    public void expireProducers(long nowMs, long expirationMs) {
        for (Partition p : partitions.values()) {
            p.expireProducers(nowMs, expirationMs);
        }
    }

    /** Snapshots producer state of every partition that changed (periodically and at close). */
    public void snapshotProducerStates() {
        for (Partition p : partitions.values()) {
            try {
                p.snapshotProducerState();
            } catch (IOException e) {
                LOG.warning("TRIB-PART-003 could not snapshot producer state of " + p.topicPartition() + ": " + e.getMessage());
            }
        }
    }

    /** Completes waiting operations and snapshots producer state; the logs are closed by their owner. */
    @Override
    public void close() {
        opener.shutdownNow();
        fetchPurgatory.close();
        producePurgatory.close();
        snapshotProducerStates();
    }
}
