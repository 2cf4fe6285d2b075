package org.tributary.controller;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.ApiMessage;
import org.tributary.metadata.MetadataCodec;
import org.tributary.metadata.MetadataFollower;
import org.tributary.metadata.MetadataImage;
import org.tributary.metadata.MetadataRecord;
import org.tributary.quorum.LeaderRequestHandler;
import org.tributary.quorum.QuorumException;

/**
 * The active controller's runtime on the quorum leader: one thread that takes requests from
 * every broker ({@link LeaderRequestHandler}), runs them through {@link ClusterController}'s
 * rules against the committed image, appends the resulting records as one entry and answers once
 * that entry has committed and been applied here. It also fences brokers whose sessions expire
 * (checked every {@value #TICK_MS} ms) and brokers whose grid member left.
 *
 * <p>Requests are handled one at a time and each write waits for its commit before the next is
 * looked at, so the image a rule reads is always the committed one: no speculative state to undo
 * when leadership is lost mid-way (simpler than Kafka's pipelined controller, at the cost of one
 * quorum round trip per write).
 *
 * <p>States: {@link State}. Thread-safe: everything runs on the controller thread.
 */
public final class ControllerServer implements LeaderRequestHandler, MetadataFollower.Leadership, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ControllerServer.class.getName());
    static final long TICK_MS = 250;
    /** Kafka's cap on the preferred elections one automatic balancing round makes; the rest follow in the next. */
    static final int MAX_ELECTIONS_PER_REBALANCE = 1_000;
    /** First pause before an activation is tried again; doubled per attempt up to {@link #ACTIVATION_RETRY_MAX_MS}. */
    static final long ACTIVATION_RETRY_MS = 100;
    static final long ACTIVATION_RETRY_MAX_MS = 2_000;

    /** This member's controller role. */
    public enum State {
        /** Not the quorum leader: requests are answered "not active", so the caller retries on the new leader. */
        INACTIVE,
        /** Leader of {@link #epoch}, writing its activation entry. */
        ACTIVATING,
        /** The active controller. */
        ACTIVE,
        /** Closed for good. */
        CLOSED
    }

    /** Appends an entry in an epoch as the leader; completes with its offset once committed and applied. */
    @FunctionalInterface
    public interface Appender {
        CompletableFuture<Long> append(long epoch, byte[] entry);
    }

    private final ControllerConfig config;
    private final ConfigValidator validator;
    private final MetadataFollower metadata;
    private final String clusterId;
    private final LongSupplier clock;
    private final Duration appendTimeout;
    private final ScheduledExecutorService thread;
    /** Changes of the voters, one at a time; its thread is made on first use. */
    private final java.util.concurrent.ExecutorService voterThread;
    private volatile Appender appender;
    private volatile java.util.function.Supplier<org.tributary.quorum.QuorumStatus> status;
    private volatile java.util.function.Supplier<java.util.Map<Integer, String>> voterAddresses = java.util.Map::of;
    private volatile java.util.function.IntFunction<Uuid> directoryIds = id -> Uuid.ZERO_UUID;
    private volatile java.util.function.UnaryOperator<ApiMessage> voterChanges;
    private volatile State state = State.INACTIVE;
    private volatile long epoch = -1;
    /** The epoch the quorum last made this member leader of, -1 once it resigned it. Controller thread only. */
    private long leaderOf = -1;
    private ClusterController rules;
    private ScheduledFuture<?> ticker;
    /** An append timed out (no quorum) and may still commit: nothing else is decided until its fate is known. */
    private boolean inDoubt;
    /** Per API key: requests decided while active, and metadata log entries they wrote. */
    private final ConcurrentHashMap<Short, AtomicLongArray> counts = new ConcurrentHashMap<>();

    public ControllerServer(ControllerConfig config, ConfigValidator validator, MetadataFollower metadata, String clusterId,
            LongSupplier clock, Duration appendTimeout, ThreadFactory threads) {
        this.config = config;
        this.validator = validator;
        this.metadata = metadata;
        this.clusterId = clusterId;
        this.clock = clock;
        this.appendTimeout = appendTimeout;
        this.voterThread = Executors.newSingleThreadExecutor(r -> {
            Thread t = threads.newThread(r);
            t.setName("tributary-voter-change");
            t.setDaemon(true);
            return t;
        });
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = threads.newThread(r);
            t.setName("tributary-controller");
            t.setDaemon(true);
            return t;
        });
    }

    /** Connects the quorum's append; must be called before the quorum can elect this member. */
    public void attach(Appender appender) {
        this.appender = appender;
    }

    /**
     * Connects the quorum's status, for DescribeQuorum: the status, the voters' addresses now, and
     * each member's directory id (the zero id when unknown).
     */
    public void attachStatus(java.util.function.Supplier<org.tributary.quorum.QuorumStatus> status,
            java.util.function.Supplier<java.util.Map<Integer, String>> voters, java.util.function.IntFunction<Uuid> directories) {
        this.status = status;
        this.voterAddresses = voters;
        this.directoryIds = directories;
    }

    /**
     * Connects the changes of the quorum's voters: AddRaftVoter and RemoveRaftVoter requests to
     * their responses. They run on their own thread, not the controller's: a change waits for the
     * engine to commit it (and a leader that leaves the voters hands its leadership over first).
     */
    public void attachVoterChanges(java.util.function.UnaryOperator<ApiMessage> changes) {
        this.voterChanges = changes;
    }

    public State state() {
        return state;
    }

    /** How many requests with API key {@code apiKey} this member decided as the active controller. */
    public long requestsDecided(short apiKey) {
        return count(apiKey).get(0);
    }

    /** How many metadata log entries requests with API key {@code apiKey} appended through this member. */
    public long entriesWritten(short apiKey) {
        return count(apiKey).get(1);
    }

    private AtomicLongArray count(short apiKey) {
        return counts.computeIfAbsent(apiKey, k -> new AtomicLongArray(2));
    }

    /** The epoch this member leads (or last led), -1 if never. */
    public long epoch() {
        return epoch;
    }

    // ---- leadership (called by the quorum, ordered with apply; must not block) ----

    @Override
    public void becameLeader(long newEpoch, MetadataImage committed) {
        submit(() -> {
            leaderOf = newEpoch;
            activate(newEpoch, 1);
        });
    }

    @Override
    public void resigned(long oldEpoch) {
        submit(() -> {
            if (leaderOf == oldEpoch) {
                leaderOf = -1;
            }
            if (epoch == oldEpoch && state != State.CLOSED) {
                deactivate("resigned");
            }
        });
    }

    /**
     * Becomes the active controller of {@code newEpoch} by committing the activation entry. If that
     * entry does not commit in time (a leader just elected after a crash may still be replaying its
     * log, or its followers may not have answered yet), the attempt is repeated with a growing
     * pause for as long as the quorum keeps this member its leader in that epoch: a leader that
     * gave up would leave the cluster without an active controller until the next election, which
     * need never come.
     */
    private void activate(long newEpoch, int attempt) {
        if (state == State.CLOSED || leaderOf != newEpoch || (state == State.ACTIVE && epoch == newEpoch)) {
            return;
        }
        epoch = newEpoch;
        state = State.ACTIVATING;
        rules = new ClusterController(config, validator, Uuid::randomUuid, clock.getAsLong());
        try {
            write(ClusterController.activationRecords());
        } catch (RuntimeException e) {
            deactivate("activation failed");
            long pause = Math.min(ACTIVATION_RETRY_MAX_MS, ACTIVATION_RETRY_MS << Math.min(attempt - 1, 6));
            Level level = attempt == 1 ? Level.WARNING : Level.FINE;
            LOG.log(level, () -> "TRIB-0050 Controller could not activate in epoch " + newEpoch + " (attempt " + attempt + "): "
                    + e.getMessage() + "; trying again in " + pause + " ms while this broker leads the metadata quorum");
            schedule(() -> activate(newEpoch, attempt + 1), pause);
            return;
        }
        if (attempt > 1) {
            LOG.info(() -> "TRIB-0050 Controller activated in epoch " + newEpoch + " after " + attempt + " attempts");
        }
        state = State.ACTIVE;
        lastRebalanceMs = clock.getAsLong();
        long graceMs = departedGraceMs;
        if (graceMs <= 0) {
            fenceDeparted(newEpoch);
        } else {
            thread.schedule(() -> fenceDeparted(newEpoch), graceMs, TimeUnit.MILLISECONDS);
        }
        ticker = thread.scheduleWithFixedDelay(this::tick, TICK_MS, TICK_MS, TimeUnit.MILLISECONDS);
        LOG.info(() -> "TRIB-0051 This broker is the active controller (epoch " + newEpoch + ")");
    }

    private volatile long rebalanceIntervalMs;
    /** Broker id -> incarnation whose grid member left while this member was not active. Controller thread only. */
    private final java.util.Map<Integer, Uuid> departed = new java.util.HashMap<>();
    private long lastRebalanceMs;

    private void deactivate(String why) {
        if (ticker != null) {
            ticker.cancel(false);
            ticker = null;
        }
        rules = null;
        inDoubt = false;
        if (state == State.ACTIVE || state == State.ACTIVATING) {
            LOG.info(() -> "TRIB-0052 This broker is no longer the active controller (epoch " + epoch + ", " + why + ")");
        }
        if (state != State.CLOSED) {
            state = State.INACTIVE;
        }
    }

    // ---- requests ----

    @Override
    public CompletableFuture<byte[]> handle(byte[] request) {
        return handle(request, Long.MAX_VALUE);
    }

    /**
     * Runs {@code request} on the controller thread, unless it reaches the head of the queue after
     * {@code deadlineMillis}: its sender has then answered its client REQUEST_TIMED_OUT, and a change
     * made now would be one the client was told did not happen (it fails with the quorum's TIMEOUT).
     */
    @Override
    public CompletableFuture<byte[]> handle(byte[] request, long deadlineMillis) {
        ApiMessage msg;
        try {
            msg = ControllerRpc.decodeRequest(request);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        java.util.function.UnaryOperator<ApiMessage> changes = voterChanges;
        if (changes != null && (msg instanceof org.apache.kafka.common.message.AddRaftVoterRequestData
                || msg instanceof org.apache.kafka.common.message.RemoveRaftVoterRequestData)) {
            return changeVoters(changes, msg, deadlineMillis);
        }
        CompletableFuture<byte[]> out = new CompletableFuture<>();
        submit(() -> {
            long late = System.currentTimeMillis() - deadlineMillis;
            if (late > 0) {
                out.completeExceptionally(new QuorumException(QuorumException.Kind.TIMEOUT, msg.getClass().getSimpleName()
                        + " waited in the controller's queue until " + late + " ms past its deadline and was not run"));
                return;
            }
            try {
                out.complete(process(msg));
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "TRIB-0054 The controller failed on " + msg.getClass().getSimpleName() + ": " + e, e);
                out.completeExceptionally(e);
            }
        });
        return out;
    }

    private CompletableFuture<byte[]> changeVoters(java.util.function.UnaryOperator<ApiMessage> changes, ApiMessage msg,
            long deadlineMillis) {
        if (state != State.ACTIVE) {
            return CompletableFuture.completedFuture(ControllerRpc.encodeNotActive());
        }
        try {
            return CompletableFuture.supplyAsync(() -> {
                if (System.currentTimeMillis() > deadlineMillis) {
                    throw new QuorumException(QuorumException.Kind.TIMEOUT, msg.getClass().getSimpleName()
                            + " arrived after its deadline and was not run");
                }
                count(msg.apiKey()).incrementAndGet(0);
                return ControllerRpc.encodeAnswer(metadata.lastAppliedOffset(), changes.apply(msg));
            }, voterThread);
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            return CompletableFuture.completedFuture(ControllerRpc.encodeNotActive());
        }
    }

    /** Runs a request: not active gives the "not active" answer; otherwise the rule's response once its records commit. */
    private byte[] process(ApiMessage request) {
        if (state != State.ACTIVE || !settled()) {
            return ControllerRpc.encodeNotActive();
        }
        if (request instanceof org.apache.kafka.common.message.DescribeQuorumRequestData && status != null) {
            return ControllerRpc.encodeAnswer(metadata.lastAppliedOffset(), QuorumDescription.of(status.get(),
                    voterAddresses.get(), directoryIds));
        }
        ControllerApis.Outcome outcome = ControllerApis.handle(rules, metadata.image(), request, clusterId, clock.getAsLong());
        count(request.apiKey()).incrementAndGet(0);
        long offset = metadata.lastAppliedOffset();
        if (!outcome.records().isEmpty()) {
            try {
                offset = write(outcome.records());
                count(request.apiKey()).incrementAndGet(1);
            } catch (NotActive e) {
                return ControllerRpc.encodeNotActive();
            }
        }
        MetadataImage after = metadata.image();
        return ControllerRpc.encodeAnswer(offset, outcome.response().apply(after));
    }

    /** The grid reports broker {@code brokerId}'s member gone: fence it now (a hint; heartbeats remain the rule). */
    public void memberLeft(int brokerId) {
        submit(() -> {
            if (state == State.ACTIVE && settled()) {
                runInternal(rules.brokerLeft(metadata.image(), brokerId, null, clock.getAsLong()).records(),
                        "fence broker " + brokerId + " whose grid member left");
            } else {
                // no active controller here yet (the controller itself may be what left): keep the hint
                // for when this member wins the election, for that incarnation of the broker only
                metadata.image().broker(brokerId).ifPresent(b -> departed.put(brokerId, b.incarnationId()));
            }
        });
    }

    /**
     * How long after its election this controller waits before acting on grid hints it kept while
     * not active: a broker that heartbeats within it is alive whatever the hint said (the member
     * that recorded the hint may itself have been cut off from the grid, seeing everyone "leave").
     * At least two heartbeat intervals; 0 acts at once (simulations).
     */
    public void departedHintGrace(long ms) {
        this.departedGraceMs = ms;
    }

    private volatile long departedGraceMs;

    /** Grid hints that arrived while this member was not the active controller; applied once it is one (and still is). */
    private void fenceDeparted(long activatedEpoch) {
        if (state != State.ACTIVE || epoch != activatedEpoch) {
            return; // no longer the controller it was scheduled for: the hints wait for the next activation
        }
        for (java.util.Map.Entry<Integer, Uuid> e : java.util.Map.copyOf(departed).entrySet()) {
            runInternal(rules.brokerLeftBeforeElection(metadata.image(), e.getKey(), e.getValue(), clock.getAsLong()).records(),
                    "fence broker " + e.getKey() + " whose grid member left before this controller was elected");
        }
        departed.clear();
    }

    private void tick() {
        if (state == State.ACTIVE && settled()) {
            long now = clock.getAsLong();
            runInternal(rules.fenceExpiredBrokers(metadata.image(), now).records(), "fence expired brokers");
            long interval = rebalanceIntervalMs;
            if (interval > 0 && now - lastRebalanceMs >= interval) {
                ControllerResult<Boolean> round = rules.balancePartitionLeaders(metadata.image(), MAX_ELECTIONS_PER_REBALANCE);
                // as Kafka: a capped round is followed by the next at once (next tick), otherwise after the interval
                lastRebalanceMs = Boolean.TRUE.equals(round.response()) ? now - interval : now;
                runInternal(round.records(), "move leadership back to preferred replicas");
            }
        }
    }

    /**
     * {@code auto.leader.rebalance.enable}: every {@code intervalMs}
     * ({@code leader.imbalance.check.interval.seconds}) the active controller gives each partition
     * not led by its preferred replica back to that replica where it is live and in sync (Kafka's
     * KRaft rule: any such partition, no per-broker threshold); 0 turns it off.
     */
    public void autoLeaderRebalance(long intervalMs) {
        this.rebalanceIntervalMs = intervalMs;
    }

    private void runInternal(List<MetadataRecord> records, String what) {
        if (records.isEmpty()) {
            return;
        }
        try {
            write(records);
        } catch (RuntimeException e) {
            LOG.fine(() -> "TRIB-0053 Controller could not " + what + ": " + e.getMessage());
        }
    }

    /** Thrown when leadership is lost while writing. */
    private static final class NotActive extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NotActive(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Whether every entry this controller appended is known to be committed. After an append timed
     * out (no quorum) the entry may still commit; rules read the committed image, so deciding
     * anything before its fate is known could decide twice (e.g. create a topic twice). A no-op
     * entry settles it: when the no-op commits, every earlier entry of this leader has as well.
     */
    private boolean settled() {
        if (!inDoubt) {
            return true;
        }
        try {
            write(ClusterController.activationRecords());
            return true;
        } catch (NotActive e) {
            return false;
        }
    }

    /**
     * Appends {@code records} as one entry in this epoch and waits until it is committed and
     * applied here. A lost leadership deactivates this controller and throws {@link NotActive};
     * no quorum within the append timeout throws {@link NotActive} and leaves the entry in doubt.
     */
    private long write(List<MetadataRecord> records) {
        Appender a = appender;
        if (a == null) {
            throw new NotActive("not attached to a quorum");
        }
        try {
            long offset = a.append(epoch, MetadataCodec.encode(records)).get(appendTimeout.toMillis(), TimeUnit.MILLISECONDS);
            metadata.awaitOffset(offset).get(appendTimeout.toMillis(), TimeUnit.MILLISECONDS);
            inDoubt = false;
            return offset;
        } catch (ExecutionException e) {
            String why = String.valueOf(e.getCause().getMessage());
            if (e.getCause() instanceof QuorumException q && q.kind() == QuorumException.Kind.TIMEOUT) {
                inDoubt = true;
                throw new NotActive("no quorum: " + why);
            }
            deactivate("write failed: " + why);
            throw new NotActive(why);
        } catch (TimeoutException e) {
            inDoubt = true;
            throw new NotActive("no quorum within " + appendTimeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NotActive("interrupted");
        }
    }

    private void schedule(Runnable task, long delayMs) {
        try {
            thread.schedule(task, delayMs, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closed
        }
    }

    private void submit(Runnable task) {
        try {
            thread.execute(task);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closed
        }
    }

    @Override
    public void close() {
        state = State.CLOSED;
        thread.shutdownNow();
        voterThread.shutdownNow();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
            voterThread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
