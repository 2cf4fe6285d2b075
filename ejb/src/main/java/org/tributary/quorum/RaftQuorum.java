package org.tributary.quorum;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;

/**
 * One member of the metadata quorum: a Ratis server for the cluster's metadata group, plus a
 * client for reaching the leader. See {@link MemberState} for the lifecycle.
 *
 * <p>{@link #start} returns once the server runs, usually before an election has happened:
 * {@link #status()} tells the truth at any time and {@link #awaitLeader(Duration)} waits for one.
 * Every method is thread-safe. Every asynchronous result completes within the configured request
 * timeout (or the given one), also without a quorum, and completes exceptionally with a
 * {@link QuorumException} on failure.
 *
 * <p>{@link #close()} is idempotent and bounded (a few seconds at most): it stops calling the
 * state machine first, fails pending requests, then closes the client and the server, which
 * releases the storage lock and Ratis's threads. It takes no snapshot and needs none of the
 * caller's classes, so it may run in a container's {@code @PreDestroy}. A new member may then be
 * started on the same storage in the same JVM. A few of Ratis's threads end a moment after close
 * returns; a container waits for them with {@link RatisThreads#awaitEnded} (see there).
 */
public final class RaftQuorum implements AutoCloseable {
    private static final long POLL_MILLIS = 10;
    /**
     * Storage directories of the members running in this JVM (and this class loader): a second
     * start on one fails at once with a clear message instead of Ratis's five one-second lock retries.
     * Across class loaders (a redeploy) Ratis's file lock still protects the directory.
     */
    private static final Set<java.nio.file.Path> STORAGE_IN_USE = ConcurrentHashMap.newKeySet();
    /** Threads that wait for leader requests (the Ratis client call used blocks). */
    private static final int REQUEST_THREADS = 4;

    /** The settings this member started with; its role and the voters may have changed since (see {@link #voters()}). */
    private final QuorumConfig cfg;
    private final ReplicatedStateMachine userSm;
    private final LeaderRequestHandler handler;
    /** The engine now running; replaced only by {@link #restartAsObserver}. */
    private volatile QuorumEngine engine;
    /** Listeners of stable voter sets, shared by this member's engines. */
    private final List<java.util.function.Consumer<Map<Integer, String>>> votersListeners =
            new java.util.concurrent.CopyOnWriteArrayList<>();
    private final ClientId localClientId = ClientId.randomId();
    private final AtomicLong callIds = new AtomicLong();
    private final ScheduledThreadPoolExecutor timer;
    private final ThreadPoolExecutor requests;
    private final Set<CompletableFuture<?>> pending = ConcurrentHashMap.newKeySet();
    private final AtomicReference<MemberState> state = new AtomicReference<>(MemberState.STARTING);

    private RaftQuorum(QuorumConfig cfg, ReplicatedStateMachine userSm, LeaderRequestHandler handler,
            ScheduledThreadPoolExecutor timer) {
        this.cfg = cfg;
        this.userSm = userSm;
        this.handler = handler;
        this.timer = timer;
        this.requests = QuorumThreads.pool("request", cfg.localId(), REQUEST_THREADS);
        // first listener: a voter that the committed configuration made an observer starts its engine over as one
        votersListeners.add(this::votersApplied);
    }

    /**
     * Opens the storage (recovering the log and loading the latest snapshot into {@code sm}) and
     * starts the Raft server. Returns before an election.
     *
     * @throws IOException if the storage cannot be opened (e.g. used by a running member) or the port bound
     */
    public static RaftQuorum start(QuorumConfig cfg, ReplicatedStateMachine sm, LeaderRequestHandler handler)
            throws IOException {
        // Ratis loads its transport (TrackingRpcType) by name through the context class loader it
        // saw first; in an EAR its jars sit in lib/ while this class is in the EJB module, so make
        // the loader that sees both (this class's) the context while Ratis starts and makes threads
        Thread current = Thread.currentThread();
        ClassLoader previous = current.getContextClassLoader();
        current.setContextClassLoader(RaftQuorum.class.getClassLoader());
        try {
            return startWithContextLoader(cfg, sm, handler);
        } finally {
            current.setContextClassLoader(previous);
            RatisThreads.clearCallerThreadLocals();
        }
    }

    private static RaftQuorum startWithContextLoader(QuorumConfig cfg, ReplicatedStateMachine sm, LeaderRequestHandler handler)
            throws IOException {
        java.nio.file.Path storage = cfg.storageDir().toAbsolutePath().normalize();
        if (!STORAGE_IN_USE.add(storage)) {
            throw new IOException("Quorum storage " + storage + " is in use by a running member in this JVM");
        }
        ScheduledThreadPoolExecutor timer = QuorumThreads.timer(cfg.localId());
        RaftQuorum q = new RaftQuorum(cfg, sm, handler, timer);
        try {
            q.engine = QuorumEngine.open(cfg, sm, handler, q.votersListeners);
        } catch (IOException | RuntimeException e) {
            timer.shutdownNow();
            q.requests.shutdownNow();
            STORAGE_IN_USE.remove(storage);
            throw e;
        }
        q.state.set(MemberState.RUNNING);
        timer.scheduleWithFixedDelay(q::checkEngine, 1, 1, TimeUnit.SECONDS);
        QuorumLog.LOG.info(() -> "TRIB-0100 Quorum member " + cfg.localId() + " started as "
                + (q.isObserverNow() ? "observer" : "voter") + " of group " + GroupIds.metadataGroup(cfg.clusterId()).getUuid()
                + " (voters " + q.voters().keySet() + "), storage " + cfg.storageDir());
        return q;
    }

    /** Whether the engine's configuration (recovered from storage, else the settings) lists this member as an observer. */
    private boolean isObserverNow() {
        return !voters().containsKey(cfg.localId());
    }

    static RaftPeer peer(int id, String address, RaftPeerRole role) {
        return RaftPeer.newBuilder().setId(GroupIds.peerId(id)).setAddress(address).setStartupRole(role).build();
    }

    // ---- writes ----

    /**
     * Leader only: appends one entry in {@code epoch}. Completes with the entry's offset once it is
     * committed and applied locally. Fails, appending nothing, when this member is not the ready
     * leader or {@code epoch} is not its current epoch; fails with TIMEOUT after the request timeout
     * (the entry may then still commit), or CLOSED when the member closes first.
     */
    public CompletableFuture<Long> appendAsLeader(long epoch, byte[] entry) {
        if (state.get() != MemberState.RUNNING) {
            return CompletableFuture.failedFuture(closed());
        }
        QuorumEngine e = engine;
        DivisionInfo info = e.sm.info();
        if (info == null || !info.isLeaderReady()) {
            return CompletableFuture.failedFuture(new QuorumException(QuorumException.Kind.NOT_LEADER, "member "
                    + cfg.localId() + " is not the leader", leaderId(), null));
        }
        if (info.getCurrentTerm() != epoch) {
            return CompletableFuture.failedFuture(new QuorumException(QuorumException.Kind.EPOCH_CHANGED, "append for epoch "
                    + epoch + " but the current epoch is " + info.getCurrentTerm()));
        }
        CompletableFuture<RaftClientReply> sent;
        try {
            sent = e.submit(localClientId, callIds.incrementAndGet(), RatisStateMachine.encode(epoch, entry));
        } catch (IOException | RuntimeException ex) {
            return CompletableFuture.failedFuture(Failures.map(ex, "append"));
        }
        CompletableFuture<Long> result = sent.thenApply(reply -> {
            if (!reply.isSuccess()) {
                throw Failures.map(reply.getException(), "append");
            }
            byte outcome = reply.getMessage().getContent().byteAt(0);
            if (outcome != RatisStateMachine.APPLIED) {
                throw state.get() == MemberState.RUNNING
                        ? new QuorumException(QuorumException.Kind.EPOCH_CHANGED, "entry at offset " + reply.getLogIndex()
                                + " was not written in epoch " + epoch + "; skipped")
                        : closed();
            }
            return reply.getLogIndex();
        });
        return bounded(result, cfg.requestTimeout(), "append");
    }

    // ---- requests to the leader ----

    /**
     * Sends {@code request} to the current leader's {@link LeaderRequestHandler}, following leader
     * changes, and completes with its answer; fails within {@code timeout} with a retriable
     * NO_QUORUM or TIMEOUT when no leader answers, or NOT_LEADER when the member asked lost its
     * leadership (a leader answers only while it holds its {@link LeaderLease lease}).
     */
    public CompletableFuture<byte[]> requestLeader(byte[] request, Duration timeout) {
        return requestLeader(request, java.util.concurrent.ThreadLocalRandom.current().nextLong(), timeout);
    }

    /**
     * Like {@link #requestLeader(byte[], Duration)}, for a caller that asks again after a failure
     * that does not say whether the leader ran the request (NO_QUORUM after the engine's client
     * gave up): copies with the same {@code requestId} that reach the same leader before their
     * deadline run once there, and each gets that run's answer.
     */
    public CompletableFuture<byte[]> requestLeader(byte[] request, long requestId, Duration timeout) {
        if (state.get() != MemberState.RUNNING) {
            return CompletableFuture.failedFuture(closed());
        }
        CompletableFuture<byte[]> result = new CompletableFuture<>();
        // the deadline travels with the request: the blocking client below goes on retrying after
        // this call timed out, and a leader that was paused may read a request long after it was
        // sent; either way a request past its deadline is refused there, never run (its caller was
        // already told it timed out). So does an id: a copy the client sends again because its own
        // timeout ran out while the leader was still running the first gets that run's answer
        // rather than a second run
        Message message = Message.valueOf(org.apache.ratis.thirdparty.com.google.protobuf.ByteString.copyFrom(
                RatisStateMachine.framed(System.currentTimeMillis() + timeout.toMillis(), requestId, request)));
        try {
            // the blocking client follows NotLeader/LeaderNotReady replies (the ordered async one does not
            // over Netty, and the unordered one is gRPC-only), bounded by the client's retry policy
            requests.execute(() -> {
                try {
                    QuorumEngine e = engine;
                    DivisionInfo info = e.sm.info();
                    RaftClientReply reply = e.clients.forLeader(info == null ? null : info.getLeaderId()).io()
                            .sendReadOnly(message);
                    if (!reply.isSuccess()) {
                        throw Failures.map(reply.getException(), "leader request");
                    }
                    result.complete(reply.getMessage().getContent().toByteArray());
                } catch (IOException | RuntimeException e) {
                    result.completeExceptionally(Failures.map(e, "leader request"));
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            return CompletableFuture.failedFuture(closed());
        }
        return bounded(result, timeout, "leader request");
    }

    /** Completes {@code f}'s copy with TIMEOUT after {@code timeout}; maps failures; tracks it for close. */
    private <T> CompletableFuture<T> bounded(CompletableFuture<T> f, Duration timeout, String what) {
        CompletableFuture<T> out = new CompletableFuture<>();
        pending.add(out);
        out.whenComplete((v, e) -> pending.remove(out));
        f.whenComplete((v, e) -> {
            if (e == null) {
                out.complete(v);
            } else {
                out.completeExceptionally(Failures.map(e, what));
            }
        });
        try {
            var task = timer.schedule(() -> out.completeExceptionally(new QuorumException(QuorumException.Kind.TIMEOUT,
                    what + " got no answer within " + timeout.toMillis()
                    + " ms (no quorum, or an election in progress)", leaderId(), null)),
                    timeout.toMillis(), TimeUnit.MILLISECONDS);
            out.whenComplete((v, e) -> task.cancel(false));
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            out.completeExceptionally(closed());
        }
        if (state.get() != MemberState.RUNNING) {
            out.completeExceptionally(closed());
        }
        return out;
    }

    // ---- observers ----

    /** Adds a non-voting observer that will receive every committed entry; waits for the change to commit. */
    public void addObserver(int id, String hostPort) {
        changeObservers(id, hostPort);
    }

    /** Removes an observer; waits for the change to commit. */
    public void removeObserver(int id) {
        changeObservers(id, null);
    }

    private void changeObservers(int id, String addressOrNull) {
        if (state.get() != MemberState.RUNNING) {
            throw closed();
        }
        QuorumEngine e = engine;
        ObserverChanges.apply(e.clients.general(), e.sm.division(), voters(), id, addressOrNull);
    }

    // ---- voters (KIP-853) ----

    /**
     * Observer {@code id} becomes a voter (from any member: the change is sent to the leader);
     * waits until the change is committed.
     *
     * @throws VoterChangeException when the change is refused (not an observer, a voter already, a change in progress)
     * @throws QuorumException when the leader cannot be reached or the member is closed
     */
    public void addVoter(int id) {
        if (state.get() != MemberState.RUNNING) {
            throw closed();
        }
        QuorumEngine e = engine;
        VoterChanges.promote(e.clients.general(), e.sm.division(), id);
    }

    /**
     * Voter {@code id} becomes an observer, which keeps following the log; waits until the change is
     * committed. A leader that removes itself steps down once the change is committed.
     *
     * @throws VoterChangeException when the change is refused (not a voter, the last voter, a change in progress)
     * @throws QuorumException when the leader cannot be reached or the member is closed
     */
    public void removeVoter(int id) {
        if (state.get() != MemberState.RUNNING) {
            throw closed();
        }
        QuorumEngine e = engine;
        VoterChanges.demote(e.clients.general(), e.sm.division(), id);
    }

    /**
     * The voters (id to {@code host:port}, sorted by id) in the configuration this member knows now:
     * the configured ones until the engine runs, then the engine's, which changes with every
     * committed (or, briefly, appended) configuration change.
     */
    public Map<Integer, String> voters() {
        return members(RaftPeerRole.FOLLOWER, cfg.voters());
    }

    /** The observers in the configuration this member knows now (see {@link #voters()}). */
    public Map<Integer, String> observers() {
        return members(RaftPeerRole.LISTENER, cfg.observers());
    }

    private Map<Integer, String> members(RaftPeerRole role, Map<Integer, String> configured) {
        QuorumEngine e = engine;
        return e == null ? configured : e.members(role, configured);
    }

    /**
     * Calls {@code listener} (on the engine's events thread, never concurrently) with the voters of
     * every stable configuration this member applies from the log, also when replaying its own log
     * at start; a listener keeps a copy of the voters where a restarted node finds them first.
     */
    public void onVotersChanged(java.util.function.Consumer<Map<Integer, String>> listener) {
        votersListeners.add(listener);
    }

    /** Runs on an engine's events thread with each stable voter set it applies. */
    private void votersApplied(Map<Integer, String> voters) {
        if (voters.containsKey(cfg.localId()) || state.get() != MemberState.RUNNING) {
            return;
        }
        QuorumEngine e = engine;
        DivisionInfo info = e == null ? null : e.sm.info();
        if (info != null && info.getCurrentRole() != RaftPeerRole.LISTENER) {
            try {
                timer.execute(() -> restartAsObserver(e));
            } catch (java.util.concurrent.RejectedExecutionException closing) {
                // closing: nothing to restart
            }
        }
    }

    /**
     * The committed configuration made this voter an observer. The engine keeps a running member's
     * role, and a voter that is no longer one stops when the next leader contacts it, so the engine
     * starts over on the same storage (and the same state machine, which skips what it applied) as
     * an observer. Runs on the timer thread, so never beside {@link #checkEngine}.
     */
    private synchronized void restartAsObserver(QuorumEngine old) {
        if (engine != old || state.get() != MemberState.RUNNING) {
            return;
        }
        Map<Integer, String> voters = voters();
        if (voters.containsKey(cfg.localId())) {
            return;
        }
        try {
            engine = QuorumEngine.reopenAsObserver(old, cfg.asObserver(voters), userSm, handler, votersListeners);
        } catch (IOException | RuntimeException ex) {
            engineFailure = "the metadata quorum's Raft engine of member " + cfg.localId() + " could not start again as an"
                    + " observer (" + ex.getMessage() + "); this node no longer follows the cluster metadata: restart it";
            QuorumLog.LOG.severe(() -> "TRIB-0118 " + engineFailure);
        }
    }

    // ---- state ----

    /** Waits until this member knows a leader; returns its id, or -1 when none is known by the deadline. */
    public int awaitLeader(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            int leader = leaderId();
            if (leader >= 0 && (leader != cfg.localId() || isLeader())) {
                return leader;
            }
            if (System.nanoTime() - deadline >= 0 || state.get() != MemberState.RUNNING) {
                return -1;
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    /**
     * Why the Raft engine stopped although this member was not closed, or empty while it runs. A
     * member whose engine stopped no longer follows the metadata log: the node must be restarted.
     */
    public java.util.Optional<String> engineFailure() {
        return java.util.Optional.ofNullable(engineFailure);
    }

    private volatile String engineFailure;

    /** Runs every second on the timer: notices (once) an engine that stopped by itself. */
    private void checkEngine() {
        if (engineFailure != null || state.get() != MemberState.RUNNING) {
            return;
        }
        QuorumEngine e = engine;
        org.apache.ratis.util.LifeCycle.State s = e.server.getLifeCycleState();
        DivisionInfo info = e.sm.info();
        if (s.isRunning() && info != null) {
            s = info.getLifeCycleState(); // the group's division may stop on its own too
        }
        if (s.isClosingOrClosed() || s == org.apache.ratis.util.LifeCycle.State.EXCEPTION) {
            engineFailure = "the metadata quorum's Raft engine of member " + cfg.localId() + " stopped by itself (state " + s
                    + "); this node no longer follows the cluster metadata: restart it";
            QuorumLog.LOG.severe(() -> "TRIB-0118 " + engineFailure);
        }
    }

    public QuorumStatus status() {
        QuorumEngine e = engine;
        return StatusReader.read(cfg.localId(), state.get(), e.sm.division(), e.tracker);
    }

    public MemberState state() {
        return state.get();
    }

    public int localId() {
        return cfg.localId();
    }

    /** True when this member is the leader and has applied everything committed before its epoch. */
    public boolean isLeader() {
        DivisionInfo info = engine.sm.info();
        return state.get() == MemberState.RUNNING && info != null && info.isLeaderReady();
    }

    /** The leader's id as known here, -1 if none. */
    public int leaderId() {
        DivisionInfo info = engine.sm.info();
        return state.get() == MemberState.RUNNING && info != null ? GroupIds.nodeId(info.getLeaderId()) : -1;
    }

    /** The current Raft term (controller epoch), -1 when not running. */
    public long epoch() {
        DivisionInfo info = engine.sm.info();
        return state.get() == MemberState.RUNNING && info != null ? info.getCurrentTerm() : -1;
    }

    public QuorumConfig config() {
        return cfg;
    }

    /** The Ratis division, for tests in this package; null once closed is not guaranteed. */
    RaftServer.Division division() {
        return engine.sm.division();
    }

    // ---- close ----

    @Override
    public void close() {
        if (!state.compareAndSet(MemberState.RUNNING, MemberState.CLOSING)) {
            return;
        }
        long t0 = System.nanoTime();
        QuorumEngine e;
        synchronized (this) { // waits for a restart in progress
            e = engine;
        }
        e.sm.beginClose();
        QuorumException closed = closed();
        for (CompletableFuture<?> f : pending) {
            f.completeExceptionally(closed);
        }
        boolean clean = e.clients.close();
        long clientMs = (System.nanoTime() - t0) / 1_000_000;
        clean &= QuorumEngine.closeQuietly(e.server);
        long serverMs = (System.nanoTime() - t0) / 1_000_000 - clientMs;
        timer.shutdownNow();
        requests.shutdownNow();
        try {
            clean &= e.sm.awaitEventsStopped(1000) && timer.awaitTermination(1000, TimeUnit.MILLISECONDS)
                    && requests.awaitTermination(1000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            clean = false;
        }
        STORAGE_IN_USE.remove(cfg.storageDir().toAbsolutePath().normalize());
        RatisThreads.clearCallerThreadLocals();
        state.set(MemberState.CLOSED);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        if (clean) {
            QuorumLog.LOG.info(() -> "TRIB-0101 Quorum member " + cfg.localId() + " closed in " + ms + " ms (client "
                    + clientMs + " ms, server " + serverMs + " ms)");
        } else {
            QuorumLog.LOG.warning(() -> "TRIB-0103 Quorum member " + cfg.localId() + " closed in " + ms
                    + " ms, but not everything stopped cleanly (see above)");
        }
    }

    private QuorumException closed() {
        return new QuorumException(QuorumException.Kind.CLOSED, "quorum member " + cfg.localId() + " is "
                + state.get().name().toLowerCase(java.util.Locale.ROOT));
    }
}
