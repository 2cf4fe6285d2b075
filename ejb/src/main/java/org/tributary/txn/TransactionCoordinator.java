package org.tributary.txn;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.logging.Logger;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Time;
import org.tributary.coordinator.CoordinatorLog;
import org.tributary.coordinator.CoordinatorShards;

/**
 * Kafka's transaction coordinator (KIP-98, transaction version 1): the state of each
 * transactional id, kept in partition {@code abs(hash(id)) % N} of {@code __transaction_state};
 * this broker coordinates the ids of the partitions it leads (loaded on leadership by
 * {@link CoordinatorShards}, dropped on resign). The rules are in {@link TxnTransitions}; this class
 * writes their decisions (acks=all, a transition takes effect once the high watermark covers it),
 * answers the clients, drives the markers ({@link TxnMarkers}) and runs the timeouts in
 * {@link #tick()} against the injected clock.
 *
 * <p>Thread-safe: one lock (this object) guards every transactional id; writes and markers are taken
 * up on the completion executor, never on the thread that moved the high watermark.
 */
public final class TransactionCoordinator implements CoordinatorShards.Owner {
    private static final Logger LOG = Logger.getLogger(TransactionCoordinator.class.getName());

    final TxnConfig config;
    final CoordinatorLog log;
    final Time time;
    final Executor completions;
    private final LongSupplier producerIds;
    final CoordinatorShards shards;
    final Map<String, TxnEntry> txns = new HashMap<>();
    final TxnMarkers markers;
    private long nextAbortCheck;
    private long nextExpiryCheck;

    /** A transactional id coordinated here: its durable state, the one being written, and its partition's coordinator epoch. */
    static final class TxnEntry {
        final String id;
        final int partition;
        final int coordinatorEpoch;
        TxnSnapshot current;
        TxnSnapshot pending;

        TxnEntry(String id, int partition, int coordinatorEpoch, TxnSnapshot current) {
            this.id = id;
            this.partition = partition;
            this.coordinatorEpoch = coordinatorEpoch;
            this.current = current;
        }
    }

    /** InitProducerId's answer. */
    public record InitResult(Errors error, long producerId, short epoch) {
        static InitResult error(Errors e) {
            return new InitResult(e, -1L, (short) -1);
        }
    }

    /** A transaction as DescribeTransactions and ListTransactions show it. */
    public record TxnView(String transactionalId, int coordinatorEpoch, TxnSnapshot state) {
    }

    /**
     * {@code shards} follows this broker's leaderships of {@code __transaction_state} (this
     * coordinator registers as its owner); {@code producerIds} hands out new producer ids;
     * {@code completions} takes up writes and marker answers.
     */
    public TransactionCoordinator(TxnConfig config, CoordinatorLog log, CoordinatorShards shards, Time time, LongSupplier producerIds,
            TxnMarkerSender sender, Executor completions) {
        this.config = config;
        this.log = log;
        this.shards = shards;
        this.time = time;
        this.producerIds = producerIds;
        this.completions = completions;
        this.markers = new TxnMarkers(this, sender);
        long now = time.milliseconds();
        this.nextAbortCheck = now + config.abortTimedOutIntervalMs();
        this.nextExpiryCheck = now + config.idExpirationIntervalMs();
        shards.owner(this);
    }

    /** Kafka's {@code Utils.abs(transactionalId.hashCode()) % N}, N the partitions of {@code __transaction_state}. */
    public int partitionFor(String transactionalId) {
        return CoordinatorLog.partitionFor(transactionalId, log.partitionCount());
    }

    /** Creates {@code __transaction_state} if it does not exist yet (FindCoordinator's first use); takes no lock. */
    public void ensureTopic() {
        log.createIfMissing();
    }

    /** NONE when coordinated and loaded here, COORDINATOR_LOAD_IN_PROGRESS while loading, NOT_COORDINATOR otherwise. */
    public Errors checkCoordinator(String transactionalId) {
        return shards.state(partitionFor(transactionalId));
    }

    // ---------------------------------------------------------------- client requests

    /** InitProducerId with a transactional id; {@code expectedProducerId} -1 unless a producer recovers (KIP-360). */
    public CompletableFuture<InitResult> initProducerId(String id, int timeoutMs, long expectedProducerId, short expectedEpoch) {
        return initProducerId(id, timeoutMs, expectedProducerId, expectedEpoch, false, false);
    }

    /**
     * InitProducerId v6: as {@link #initProducerId(String, int, long, short)}, with KIP-939's flags.
     * {@code enable2Pc} makes the transactional id a two-phase-commit one (its transactions never
     * time out, {@code timeoutMs} is not checked); {@code keepPreparedTxn} is refused. See {@link TwoPhaseCommit}.
     */
    public CompletableFuture<InitResult> initProducerId(String id, int timeoutMs, long expectedProducerId, short expectedEpoch,
            boolean enable2Pc, boolean keepPreparedTxn) {
        if (id.isEmpty()) {
            return CompletableFuture.completedFuture(InitResult.error(Errors.INVALID_REQUEST));
        }
        Errors refused = TwoPhaseCommit.check(config.twoPhaseCommitEnable(), enable2Pc, keepPreparedTxn);
        if (refused != Errors.NONE) {
            return CompletableFuture.completedFuture(InitResult.error(refused));
        }
        if (!enable2Pc && (timeoutMs <= 0 || timeoutMs > config.maxTimeoutMs())) {
            return CompletableFuture.completedFuture(InitResult.error(Errors.INVALID_TRANSACTION_TIMEOUT));
        }
        return initChecked(id, enable2Pc ? TwoPhaseCommit.TIMEOUT_MS : timeoutMs, expectedProducerId, expectedEpoch);
    }

    private CompletableFuture<InitResult> initChecked(String id, int timeoutMs, long expectedProducerId, short expectedEpoch) {
        synchronized (this) {
            Errors e = checkCoordinator(id);
            if (e != Errors.NONE) {
                return CompletableFuture.completedFuture(InitResult.error(e));
            }
            TxnEntry t = txns.get(id);
            TxnTransitions.Decision d;
            try {
                d = TxnTransitions.initProducerId(t == null ? null : t.current, t != null && t.pending != null,
                        timeoutMs, expectedProducerId, expectedEpoch, time.milliseconds(), producerIds);
            } catch (org.apache.kafka.common.errors.CoordinatorLoadInProgressException noBlockYet) {
                return CompletableFuture.completedFuture(InitResult.error(Errors.COORDINATOR_LOAD_IN_PROGRESS)); // retriable
            }
            if (!d.writes()) {
                return CompletableFuture.completedFuture(InitResult.error(d.error()));
            }
            TxnEntry entry = t;
            if (entry == null) {
                int partition = partitionFor(id);
                CoordinatorShards.Shard shard = shards.loadedShard(partition);
                if (shard == null) {
                    return CompletableFuture.completedFuture(InitResult.error(Errors.NOT_COORDINATOR));
                }
                entry = new TxnEntry(id, partition, shard.epoch(), null);
            }
            return apply(entry, d).thenApply(err -> err != Errors.NONE ? InitResult.error(err)
                    : d.then() == TxnTransitions.Then.MARKERS_ANSWER_CONCURRENT ? InitResult.error(Errors.CONCURRENT_TRANSACTIONS)
                    : new InitResult(Errors.NONE, d.next().producerId(), d.next().epoch()));
        }
    }

    /** AddPartitionsToTxn from a client (AddOffsetsToTxn passes the group's offsets partition): one error for all. */
    public CompletableFuture<Errors> addPartitions(String id, long producerId, short epoch, Set<TopicPartition> partitions) {
        synchronized (this) {
            Errors e = checkCoordinator(id);
            if (e != Errors.NONE) {
                return CompletableFuture.completedFuture(e);
            }
            TxnEntry t = txns.get(id);
            TxnTransitions.Decision d = TxnTransitions.addPartitions(t == null ? null : t.current, t != null && t.pending != null,
                    producerId, epoch, partitions, time.milliseconds());
            return d.writes() ? apply(t, d) : CompletableFuture.completedFuture(d.error());
        }
    }

    /** AddPartitionsToTxn v4+ with verify_only (from a partition leader): whether each partition is in the ongoing transaction. */
    public synchronized Map<TopicPartition, Errors> verifyPartitions(String id, long producerId, short epoch, Set<TopicPartition> partitions) {
        Errors e = checkCoordinator(id);
        TxnEntry t = txns.get(id);
        if (e != Errors.NONE) {
            Map<TopicPartition, Errors> out = new HashMap<>();
            partitions.forEach(tp -> out.put(tp, e));
            return out;
        }
        return TxnTransitions.verify(t == null ? null : t.current, t != null && t.pending != null, producerId, epoch, partitions);
    }

    /** EndTxn: answered once PrepareCommit/PrepareAbort is durable; the markers and the Complete state follow. */
    public CompletableFuture<Errors> endTxn(String id, long producerId, short epoch, boolean commit) {
        synchronized (this) {
            Errors e = checkCoordinator(id);
            if (e != Errors.NONE) {
                return CompletableFuture.completedFuture(e);
            }
            TxnEntry t = txns.get(id);
            TxnTransitions.Decision d = TxnTransitions.endTxn(t == null ? null : t.current, t != null && t.pending != null,
                    producerId, epoch, commit, time.milliseconds());
            return d.writes() ? apply(t, d) : CompletableFuture.completedFuture(d.error());
        }
    }

    /** The transaction of a transactional id coordinated here, for DescribeTransactions. */
    public synchronized Optional<TxnView> describe(String id) {
        TxnEntry t = txns.get(id);
        return t == null ? Optional.empty() : Optional.of(new TxnView(id, t.coordinatorEpoch, t.current));
    }

    /** The transactions coordinated here that {@code filter} keeps (ListTransactions); empty while a partition loads is the handler's call. */
    public synchronized List<TxnView> list(Predicate<TxnView> filter) {
        List<TxnView> out = new ArrayList<>();
        for (TxnEntry t : txns.values()) {
            TxnView v = new TxnView(t.id, t.coordinatorEpoch, t.current);
            if (filter.test(v)) {
                out.add(v);
            }
        }
        return out;
    }

    /** Whether any partition of {@code __transaction_state} is still loading. */
    public boolean loading() {
        return shards.loading();
    }

    // ---------------------------------------------------------------- writes

    /** Writes a decision; once durable, installs it and starts the markers when it prepared a transaction. Caller holds the lock. */
    private CompletableFuture<Errors> apply(TxnEntry t, TxnTransitions.Decision d) {
        txns.putIfAbsent(t.id, t);
        CompletableFuture<Errors> written = write(t, d.next());
        if (d.then() != TxnTransitions.Then.ANSWER) {
            written.thenAccept(e -> {
                if (e == Errors.NONE) {
                    synchronized (this) {
                        markers.start(t, d.next());
                    }
                }
            });
        }
        return written;
    }

    /**
     * Appends {@code next} for {@code t} and completes (under the lock, on the completion executor)
     * once the high watermark covers it: NONE and {@code next} is current, or the error Kafka's
     * coordinator answers (NOT_COORDINATOR when the leadership moved, COORDINATOR_NOT_AVAILABLE when
     * the in-sync replicas are too few or too slow). Caller holds the lock.
     */
    CompletableFuture<Errors> write(TxnEntry t, TxnSnapshot next) {
        t.pending = next;
        byte[] value = next.state() == TxnState.DEAD ? null : TransactionLogRecords.value(next);
        CoordinatorLog.Appended a;
        try {
            a = log.append(t.partition, List.of(new CoordinatorLog.Entry(TransactionLogRecords.key(t.id), value)));
        } catch (IOException | RuntimeException ex) {
            t.pending = null;
            dropIfNew(t);
            return CompletableFuture.completedFuture(writeError(ex));
        }
        return log.awaitCommitted(t.partition, a.nextOffset(), a.leaderEpoch(), config.writeTimeoutMs())
                .handleAsync((e, ex) -> {
                    synchronized (this) {
                        Errors err = ex != null ? writeError(ex) : mapWriteError(e);
                        if (txns.get(t.id) != t || t.pending != next) {
                            return Errors.NOT_COORDINATOR; // unloaded meanwhile
                        }
                        t.pending = null;
                        if (err == Errors.NONE) {
                            t.current = next;
                            if (next.state() == TxnState.DEAD) {
                                txns.remove(t.id);
                            }
                        } else {
                            dropIfNew(t);
                        }
                        return err;
                    }
                }, completions);
    }

    private void dropIfNew(TxnEntry t) {
        if (t.current == null) {
            txns.remove(t.id, t);
        }
    }

    private static Errors writeError(Throwable ex) {
        Throwable cause = ex instanceof CompletionException && ex.getCause() != null ? ex.getCause() : ex;
        return mapWriteError(cause instanceof ApiException api ? Errors.forException(api) : Errors.NOT_COORDINATOR);
    }

    /** Kafka's mapping of a failed write to {@code __transaction_state} to what the client is told. */
    static Errors mapWriteError(Errors e) {
        return switch (e) {
            case NONE -> Errors.NONE;
            case UNKNOWN_TOPIC_OR_PARTITION, NOT_ENOUGH_REPLICAS, NOT_ENOUGH_REPLICAS_AFTER_APPEND, REQUEST_TIMED_OUT ->
                    Errors.COORDINATOR_NOT_AVAILABLE;
            case NOT_LEADER_OR_FOLLOWER, KAFKA_STORAGE_ERROR -> Errors.NOT_COORDINATOR;
            case MESSAGE_TOO_LARGE, RECORD_LIST_TOO_LARGE -> Errors.UNKNOWN_SERVER_ERROR;
            default -> e;
        };
    }

    // ---------------------------------------------------------------- timers

    /** Aborts timed-out transactions, removes expired transactional ids and resends due markers. Call every few ms. */
    public void tick() {
        long now = time.milliseconds();
        synchronized (this) {
            if (now >= nextAbortCheck) {
                nextAbortCheck = now + config.abortTimedOutIntervalMs();
                abortTimedOut(now);
            }
            if (now >= nextExpiryCheck) {
                nextExpiryCheck = now + config.idExpirationIntervalMs();
                expireIds(now);
            }
        }
        markers.retryDue(now);
    }

    private void abortTimedOut(long now) {
        for (TxnEntry t : List.copyOf(txns.values())) {
            if (t.current != null && TxnTransitions.timedOut(t.current, t.pending != null, now)
                    && shards.loadedShard(t.partition) != null) {
                LOG.info(() -> "TRIB-TXN-001 aborting transaction of " + t.id + " (producer id " + t.current.producerId() + ", epoch "
                        + t.current.epoch() + "): older than its timeout of " + t.current.timeoutMs() + " ms");
                apply(t, TxnTransitions.Decision.write(TxnTransitions.fenceAndAbort(t.current, now),
                        TxnTransitions.Then.ANSWER_THEN_MARKERS));
            }
        }
    }

    private void expireIds(long now) {
        for (TxnEntry t : List.copyOf(txns.values())) {
            if (t.current != null && TxnTransitions.expired(t.current, t.pending != null, now, config.idExpirationMs())
                    && shards.loadedShard(t.partition) != null) {
                write(t, t.current.to(TxnState.DEAD, Set.of(), t.current.startMs(), now));
            }
        }
    }

    // ---------------------------------------------------------------- leadership

    /** Replays the partition (without the lock), then installs its transactional ids and resumes the markers of prepared ones. */
    @Override
    public void load(int partition, CoordinatorShards.Shard shard) {
        long start = time.milliseconds();
        Map<String, TxnSnapshot> loaded;
        int epoch;
        try {
            TxnLoader.Loaded l = TxnLoader.replay(log, partition);
            loaded = l.txns();
            epoch = l.leaderEpoch();
        } catch (IOException | RuntimeException e) {
            shards.forget(partition, shard);
            LOG.warning("TRIB-TXN-002 cannot load partition " + partition + " of __transaction_state (leader epoch " + shard.epoch()
                    + "): " + e.getMessage());
            return;
        }
        synchronized (this) {
            if (!shards.isCurrent(partition, shard)) {
                return;
            }
            if (epoch != shard.epoch()) {
                shards.forget(partition, shard);
                return;
            }
            dropPartition(partition);
            List<TxnEntry> prepared = new ArrayList<>();
            loaded.forEach((id, s) -> {
                TxnEntry t = new TxnEntry(id, partition, shard.epoch(), s);
                txns.put(id, t);
                if (s.state().preparing()) {
                    prepared.add(t);
                }
            });
            shards.markLoaded(shard);
            long n = loaded.size();
            LOG.log(n == 0 ? java.util.logging.Level.FINE : java.util.logging.Level.INFO, () -> "TRIB-TXN-003 loaded partition "
                    + partition + " of __transaction_state (leader epoch " + shard.epoch() + ") in " + (time.milliseconds() - start)
                    + " ms: " + n + " transactional id(s), " + prepared.size() + " resuming markers");
            prepared.forEach(t -> markers.start(t, t.current));
        }
    }

    @Override
    public void unload(int partition) {
        synchronized (this) {
            CoordinatorShards.Shard current = shards.current(partition);
            if (current == null || !current.loaded()) {
                dropPartition(partition);
            }
        }
    }

    private void dropPartition(int partition) {
        txns.values().removeIf(t -> t.partition == partition);
        markers.dropPartition(partition);
    }
}
