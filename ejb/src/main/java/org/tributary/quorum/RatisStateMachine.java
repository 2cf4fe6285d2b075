package org.tributary.quorum;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;

/**
 * The bridge from Ratis's state machine callbacks to a {@link ReplicatedStateMachine}.
 *
 * <p>Threading: Ratis calls {@code applyTransaction}, {@code takeSnapshot}, {@code reinitialize}
 * and {@code notifyLeaderReady} on its one state-machine-updater thread, in log order; apply is
 * done synchronously there. Leadership loss is reported by Ratis on other threads and handed to a
 * one-thread executor ({@code tributary-quorum-events-<id>}). Every call into the user's state
 * machine holds {@link #smLock}, so they never overlap.
 *
 * <p>Invariants: an entry is passed to {@code apply} only if the epoch it was appended for equals
 * the term of its log position (checked again at apply, so a leader that lost and regained
 * leadership between check and append cannot smuggle an old-epoch entry in); entries at or below
 * the user's {@code lastAppliedOffset()} are not applied again; {@code becameLeader(e)} happens at
 * most once per epoch and is followed by exactly one {@code resigned(e)} unless the member closes;
 * once {@link #beginClose()} ran, the user's state machine is never called again.
 */
final class RatisStateMachine extends BaseStateMachine {
    /** First byte of the reply to an append: the entry was applied. */
    static final byte APPLIED = 0;
    /** The entry was not applied (epoch mismatch, or the member is closing). */
    static final byte SKIPPED = 1;

    /** Bytes before a request to the leader: deadline and id. */
    private static final int HEADER_BYTES = 2 * Long.BYTES;
    /** How long an answer is kept after its run, at least (its copies' deadlines may keep it longer). */
    private static final long ANSWER_RETENTION_MS = 10_000;
    /** Answers (or runs still going) to requests to the leader by id, until each request's deadline. */
    private final java.util.concurrent.ConcurrentHashMap<Long, Answer> answers = new java.util.concurrent.ConcurrentHashMap<>();

    private record Answer(long deadline, CompletableFuture<Message> message) {
    }

    private final int localId;
    private final ReplicatedStateMachine sm;
    private final LeaderRequestHandler handler;
    private final FollowerTracker tracker;
    private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
    private final Object smLock = new Object();
    private final ExecutorService events;
    private volatile RaftServer.Division division;
    private volatile boolean closing;
    /** Epoch announced with becameLeader, -1 if none; guarded by smLock. */
    private long announcedEpoch = -1;

    RatisStateMachine(int localId, ReplicatedStateMachine sm, LeaderRequestHandler handler, FollowerTracker tracker,
            java.util.List<java.util.function.Consumer<java.util.Map<Integer, String>>> votersListeners) {
        this.votersListeners = votersListeners;
        this.localId = localId;
        this.sm = sm;
        this.handler = handler;
        this.tracker = tracker;
        this.events = QuorumThreads.pool("events", localId, 1);
    }

    static ByteString encode(long epoch, byte[] entry) {
        ByteBuffer b = ByteBuffer.allocate(Long.BYTES + entry.length);
        b.putLong(epoch).put(entry).flip();
        return ByteString.copyFrom(b);
    }

    static long epochOf(ByteString data) {
        return data.size() < Long.BYTES ? -1 : data.asReadOnlyByteBuffer().getLong();
    }

    DivisionInfo info() {
        RaftServer.Division d = division;
        return d == null ? null : d.getInfo();
    }

    RaftServer.Division division() {
        return division;
    }

    @Override
    public SimpleStateMachineStorage getStateMachineStorage() {
        return storage;
    }

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
        super.initialize(server, groupId, raftStorage);
        storage.init(raftStorage);
        division = server.getDivision(groupId);
        getLifeCycle().startAndTransition(() -> load(storage.loadLatestSnapshot(), "at start"));
    }

    /** Ratis pauses the state machine before installing a snapshot, and checks it did. */
    @Override
    public void pause() {
        getLifeCycle().transition(org.apache.ratis.util.LifeCycle.State.PAUSING);
        getLifeCycle().transition(org.apache.ratis.util.LifeCycle.State.PAUSED);
    }

    @Override
    public void reinitialize() throws IOException {
        load(storage.loadLatestSnapshot(), "installed from the leader");
        getLifeCycle().transition(org.apache.ratis.util.LifeCycle.State.STARTING);
        getLifeCycle().transition(org.apache.ratis.util.LifeCycle.State.RUNNING);
    }

    private void load(SingleFileSnapshotInfo snapshot, String how) throws IOException {
        if (snapshot == null) {
            return;
        }
        synchronized (smLock) {
            if (closing) {
                return;
            }
            if (snapshot.getIndex() > sm.lastAppliedOffset()) {
                try {
                    SnapshotFiles.read(snapshot, (in, index, term) -> sm.loadSnapshot(in, index, term));
                } catch (IOException | RuntimeException e) {
                    QuorumLog.LOG.log(Level.SEVERE, e, () -> "TRIB-0114 Snapshot " + snapshot.getFile().getPath()
                            + " could not be loaded: " + e);
                    throw e;
                }
                QuorumLog.LOG.info(() -> "TRIB-0113 Quorum member " + localId + " loaded snapshot at offset "
                        + snapshot.getIndex() + " (epoch " + snapshot.getTerm() + ") " + how);
            }
            setLastAppliedTermIndex(snapshot.getTermIndex());
        }
    }

    @Override
    public TransactionContext startTransaction(RaftClientRequest request) throws IOException {
        TransactionContext trx = super.startTransaction(request);
        long epoch = epochOf(request.getMessage().getContent());
        DivisionInfo info = info();
        if (info == null || !info.isLeader()) {
            trx.setException(new QuorumException(QuorumException.Kind.NOT_LEADER, "member " + localId
                    + " is not the leader", -1, null));
        } else if (info.getCurrentTerm() != epoch) {
            trx.setException(new QuorumException(QuorumException.Kind.EPOCH_CHANGED, "append for epoch " + epoch
                    + " but the current epoch is " + info.getCurrentTerm()));
        }
        return trx;
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        long index = entry.getIndex();
        long term = entry.getTerm();
        ByteString data = entry.getStateMachineLogEntry().getLogData();
        long epoch = epochOf(data);
        byte result = SKIPPED;
        synchronized (smLock) {
            if (!closing) {
                if (epoch != term) {
                    QuorumLog.LOG.warning(() -> "TRIB-0111 Entry at offset " + index + " skipped: appended for epoch "
                            + epoch + " but written in epoch " + term);
                } else if (index > sm.lastAppliedOffset()) {
                    byte[] payload = data.substring(Long.BYTES).toByteArray();
                    try {
                        sm.apply(index, term, payload);
                    } catch (RuntimeException e) {
                        QuorumLog.LOG.log(Level.SEVERE, e, () -> "TRIB-0110 The state machine failed to apply offset "
                                + index + "; the entry counts as applied: " + e);
                    }
                    result = APPLIED;
                } else {
                    result = APPLIED; // already in the state (reused state machine)
                }
                updateLastAppliedTermIndex(term, index);
            }
        }
        DivisionInfo info = info();
        if (info != null && info.isLeader()) {
            tracker.sample(index);
        }
        return CompletableFuture.completedFuture(Message.valueOf(ByteString.copyFrom(new byte[] {result})));
    }

    @Override
    public long takeSnapshot() throws IOException {
        synchronized (smLock) {
            if (closing) {
                return RaftLog.INVALID_LOG_INDEX;
            }
            TermIndex last = getLastAppliedTermIndex();
            if (last == null || last.getIndex() < 0) {
                return RaftLog.INVALID_LOG_INDEX;
            }
            SingleFileSnapshotInfo latest = storage.getLatestSnapshot();
            if (latest != null && latest.getIndex() >= last.getIndex()) {
                return latest.getIndex();
            }
            try {
                SingleFileSnapshotInfo info = SnapshotFiles.write(storage, last, sm::writeSnapshot);
                QuorumLog.LOG.fine(() -> "TRIB-0112 Quorum member " + localId + " wrote snapshot at offset "
                        + last.getIndex() + " (" + info.getFile().getFileSize() + " bytes)");
            } catch (IOException | RuntimeException e) {
                QuorumLog.LOG.log(Level.SEVERE, e, () -> "TRIB-0114 Snapshot at offset " + last.getIndex()
                        + " could not be written: " + e);
                throw e;
            }
            return last.getIndex();
        }
    }

    @Override
    public CompletableFuture<Message> query(Message request) {
        if (closing) {
            return CompletableFuture.failedFuture(new QuorumException(QuorumException.Kind.CLOSED, "member " + localId
                    + " is closing"));
        }
        ByteBuffer in = request.getContent().asReadOnlyByteBuffer();
        if (in.remaining() < HEADER_BYTES) {
            return CompletableFuture.failedFuture(new QuorumException(QuorumException.Kind.OTHER,
                    "a request to the leader of " + in.remaining() + " bytes has no deadline and id"));
        }
        long deadline = in.getLong();
        long id = in.getLong();
        long now = System.currentTimeMillis();
        long late = now - deadline;
        if (late > 0) {
            return CompletableFuture.failedFuture(expired(late));
        }
        forgetAnswersBefore(now);
        CompletableFuture<Message> mine = new CompletableFuture<>();
        Answer before = answers.putIfAbsent(id, new Answer(deadline, mine));
        if (before != null) {
            // a copy: the engine client sent it again (its own timeout ran out while the first was
            // running), or the sender asked again under the same id after giving up on the first:
            // one run, and every copy gets its answer, kept until the last copy's deadline
            answers.computeIfPresent(id, (k, a) -> a.message() == before.message() && a.deadline() < deadline
                    ? new Answer(deadline, a.message()) : a);
            return before.message().thenApply(m -> m);
        }
        byte[] payload = new byte[in.remaining()];
        in.get(payload);
        run(payload, deadline).whenComplete((m, e) -> {
            if (e != null) {
                answers.remove(id); // failures ran nothing to repeat; a retry is asked afresh
                mine.completeExceptionally(e);
            } else {
                // kept a while after the run, for a copy sent under the same id with a later deadline
                long keep = System.currentTimeMillis() + ANSWER_RETENTION_MS;
                answers.computeIfPresent(id, (k, a) -> a.message() == mine && a.deadline() < keep ? new Answer(keep, mine) : a);
                mine.complete(m);
            }
        });
        return mine.thenApply(m -> m);
    }

    private CompletableFuture<Message> run(byte[] payload, long deadline) {
        RaftServer.Division d = division;
        DivisionInfo info = d == null ? null : d.getInfo();
        if (info != null && info.isLeader() && !LeaderLease.held(d, tracker)) {
            // a leader that may already be deposed answers nothing until a majority confirms it again
            long term = info.getCurrentTerm();
            return LeaderLease.await(d, tracker, term, 2L * d.properties().maxRpcTimeoutMs())
                    .thenCompose(leased -> answer(payload, deadline));
        }
        return answer(payload, deadline);
    }

    private CompletableFuture<Message> answer(byte[] payload, long deadline) {
        long late = System.currentTimeMillis() - deadline;
        if (late > 0) {
            return CompletableFuture.failedFuture(expired(late));
        }
        CompletableFuture<byte[]> answer;
        try {
            answer = handler.handle(payload, deadline);
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        return answer.thenApply(bytes -> Message.valueOf(ByteString.copyFrom(bytes)));
    }

    /**
     * Answers are kept until the latest deadline of their copies (a copy arriving later is refused
     * anyway) and at least {@link #ANSWER_RETENTION_MS} after their run; runs until they end.
     */
    private void forgetAnswersBefore(long now) {
        if (!answers.isEmpty()) {
            answers.values().removeIf(a -> a.deadline() < now && a.message().isDone());
        }
    }

    /**
     * A request to the leader as sent: its deadline ({@link System#currentTimeMillis()} scale), an
     * id unique to this request (the engine client's copies of it carry the same), then its bytes.
     */
    static byte[] framed(long deadlineMillis, long id, byte[] request) {
        return ByteBuffer.allocate(HEADER_BYTES + request.length).putLong(deadlineMillis)
                .putLong(id).put(request).array();
    }

    /** The failure for a request that reached the leader {@code lateMs} after its deadline: it was not run. */
    static QuorumException expired(long lateMs) {
        return new QuorumException(QuorumException.Kind.TIMEOUT, "the request reached the leader " + lateMs
                + " ms after its deadline (its sender had answered with a timeout) and was not run");
    }

    // ---- leadership ----

    @Override
    public void notifyLeaderReady() {
        DivisionInfo info = info();
        if (info == null) {
            return;
        }
        synchronized (smLock) {
            long term = info.getCurrentTerm();
            if (closing || !info.isLeader() || announcedEpoch == term) {
                return;
            }
            if (announcedEpoch != -1) {
                resign();
            }
            announcedEpoch = term;
            QuorumLog.LOG.info(() -> "TRIB-0104 Quorum member " + localId + " is the leader (active controller) in epoch "
                    + term);
            try {
                sm.becameLeader(term);
            } catch (RuntimeException e) {
                QuorumLog.LOG.log(Level.SEVERE, e, () -> "TRIB-0116 becameLeader(" + term + ") failed: " + e);
            }
        }
    }

    /** Called with the voters of each stable configuration applied; the member's list, shared by its engines. */
    private final java.util.List<java.util.function.Consumer<java.util.Map<Integer, String>>> votersListeners;

    /**
     * A configuration entry was applied (on every member, in log order, also in the replay at start):
     * a stable one (no old peers: not the joint step of a change) goes to the voter listeners on the
     * events thread.
     */
    @Override
    public void notifyConfigurationChanged(long term, long index,
            org.apache.ratis.proto.RaftProtos.RaftConfigurationProto conf) {
        if (conf.getOldPeersCount() > 0 || votersListeners.isEmpty()) {
            return;
        }
        java.util.Map<Integer, String> voters = new java.util.TreeMap<>();
        for (org.apache.ratis.proto.RaftProtos.RaftPeerProto p : conf.getPeersList()) {
            voters.put(GroupIds.nodeId(RaftPeerId.valueOf(p.getId())), p.getAddress());
        }
        java.util.Map<Integer, String> copy = java.util.Collections.unmodifiableMap(voters);
        try {
            events.execute(() -> {
                if (closing) {
                    return;
                }
                for (java.util.function.Consumer<java.util.Map<Integer, String>> l : votersListeners) {
                    try {
                        l.accept(copy);
                    } catch (RuntimeException e) {
                        QuorumLog.LOG.log(Level.WARNING, e, () -> "TRIB-0116 A voter listener failed on " + copy + ": " + e);
                    }
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            // closing: no more callbacks
        }
    }

    @Override
    public void notifyLeaderChanged(RaftGroupMemberId memberId, RaftPeerId newLeaderId) {
        if (newLeaderId == null || !newLeaderId.equals(memberId.getPeerId())) {
            leadershipLost();
        }
    }

    @Override
    public void notifyNotLeader(Collection<TransactionContext> pending) {
        leadershipLost();
    }

    /** Ratis knows this member no longer leads; resign asynchronously (never block a Ratis thread on user code). */
    private void leadershipLost() {
        DivisionInfo info = info();
        long termSeen = info == null ? Long.MAX_VALUE : info.getCurrentTerm();
        try {
            events.execute(() -> {
                synchronized (smLock) {
                    if (!closing && announcedEpoch != -1 && termSeen >= announcedEpoch) {
                        resign();
                    }
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            // closing: no more callbacks
        }
    }

    /** Caller holds smLock. */
    private void resign() {
        long epoch = announcedEpoch;
        announcedEpoch = -1;
        QuorumLog.LOG.info(() -> "TRIB-0105 Quorum member " + localId + " resigned leadership of epoch " + epoch);
        try {
            sm.resigned(epoch);
        } catch (RuntimeException e) {
            QuorumLog.LOG.log(Level.SEVERE, e, () -> "TRIB-0116 resigned(" + epoch + ") failed: " + e);
        }
    }

    // ---- lifecycle ----

    /**
     * From now on the user's state machine is never called again (waits for a call in progress to
     * finish). Entries Ratis applies after this are skipped; they are replayed from the log at the
     * next start, since no snapshot covers them.
     */
    void beginClose() {
        synchronized (smLock) {
            closing = true;
        }
        events.shutdownNow();
    }

    /** Waits (bounded) for the events thread to end. */
    boolean awaitEventsStopped(long millis) throws InterruptedException {
        return events.awaitTermination(millis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() throws IOException {
        beginClose();
        super.close();
    }
}
