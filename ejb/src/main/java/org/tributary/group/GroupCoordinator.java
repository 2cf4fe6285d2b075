package org.tributary.group;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.logging.Logger;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Time;

/**
 * Kafka's classic group coordinator: membership state machine (Empty → PreparingRebalance →
 * CompletingRebalance → Stable), generations, static members, and the group's committed offsets
 * (see {@link GroupOffsets}; the rebalance transitions and deadlines are in {@link Rebalance}). A group belongs to partition {@code abs(hash(groupId)) % N} of
 * {@code __consumer_offsets}; this broker coordinates the groups of the partitions it leads.
 *
 * <p>Leadership drives the state, as in Kafka: when this broker becomes a partition's leader
 * ({@link #becameLeader}) the partition is replayed on the loader executor, and its groups answer
 * COORDINATOR_LOAD_IN_PROGRESS until that is done; when it stops leading ({@link #resigned}) its
 * groups are dropped and whatever they wait for is answered NOT_COORDINATOR. Groups of partitions
 * not led here (or whose leadership moved, before the event arrives) get NOT_COORDINATOR.
 *
 * <p>Writes are acknowledged once replicated: an offset commit, a generation's assignment, a
 * replaced static member or a deletion (DeleteGroups, OffsetDelete) is answered (and a commit or
 * deletion becomes visible) only when the offsets topic partition's high watermark covers the
 * write; failures are mapped as Kafka maps them ({@link OffsetsWriter#clientError}).
 *
 * <p>JoinGroup and SyncGroup answers are delayed operations: futures held by the members and
 * completed by events (the last member joins, the leader syncs, a member leaves or fails, a write
 * is replicated) or by deadlines that {@link #tick()} checks against the injected clock. No thread ever waits.
 *
 * <p>Thread-safe: one lock (this object) guards all groups; futures complete under it. Replicated
 * writes are taken up on the completion executor, never on the thread that moved the high watermark.
 */
public final class GroupCoordinator implements GroupsView {
    private static final Logger LOG = Logger.getLogger(GroupCoordinator.class.getName());

    final GroupConfig config;
    final CoordinatorLog log;
    final Time time;
    final Map<String, ClassicGroup> groups = new HashMap<>();
    /**
     * Which groups may hold pending transactional offsets of each producer id, so a marker finds
     * them without scanning every group (may name groups that no longer do; guarded by this).
     */
    final Map<Long, java.util.Set<String>> txnGroups = new HashMap<>();
    /** Turns a consumer subscription (ConsumerProtocol bytes) into its topics; decoding lives in the protocol layer. */
    final Function<byte[], java.util.Set<String>> subscriptionTopics;
    private final GroupOffsets offsets;
    private final TxnOffsetCommits txnOffsets;
    private final Rebalance rebalance;
    /** ListGroups, DescribeGroups, DeleteGroups and the console's view. */
    private final GroupAdmin admin;
    /** Takes up replicated (or failed) writes. */
    final Executor completions;
    /** Appends to the offsets topic and maps their failures. */
    final OffsetsWriter writer;
    /** Which offsets topic partitions this broker coordinates, and their loads and unloads. */
    private final GroupLeadership leadership;
    private long nextExpiryCheck;

    /** Loads, unloads and replicated writes run on the calling thread (tests). */
    public GroupCoordinator(GroupConfig config, CoordinatorLog log, Time time, Function<byte[], java.util.Set<String>> subscriptionTopics) {
        this(config, log, time, subscriptionTopics, Runnable::run, Runnable::run);
    }

    /**
     * {@code loader} runs the replays of partitions this broker comes to lead (one thread: never
     * the thread applying metadata); {@code completions} takes up writes once replicated.
     */
    public GroupCoordinator(GroupConfig config, CoordinatorLog log, Time time, Function<byte[], java.util.Set<String>> subscriptionTopics,
            Executor loader, Executor completions) {
        this.config = config;
        this.log = log;
        this.time = time;
        this.subscriptionTopics = subscriptionTopics;
        this.completions = completions;
        this.writer = new OffsetsWriter(this);
        this.leadership = new GroupLeadership(this, loader);
        this.offsets = new GroupOffsets(this);
        this.txnOffsets = new TxnOffsetCommits(this);
        this.rebalance = new Rebalance(this);
        this.admin = new GroupAdmin(this);
        this.nextExpiryCheck = time.milliseconds() + config.offsetsRetentionCheckIntervalMs();
    }

    GroupConfig config() {
        return config;
    }

    public GroupOffsets offsets() {
        return offsets;
    }

    GroupAdmin admin() {
        return admin;
    }

    /** TxnOffsetCommit: offsets written in a producer's transaction. */
    public TxnOffsetCommits txnOffsets() {
        return txnOffsets;
    }

    /** Kafka's {@code Utils.abs(groupId.hashCode()) % N}, N the offsets topic's partition count. */
    public int partitionFor(String groupId) {
        int h = groupId.hashCode();
        return (h == Integer.MIN_VALUE ? 0 : Math.abs(h)) % log.partitionCount();
    }

    /** Creates the offsets topic if it does not exist yet (FindCoordinator's first use); takes no lock. */
    public void ensureOffsetsTopic() {
        log.createIfMissing();
    }

    /**
     * NONE when this broker coordinates the group and has loaded it; COORDINATOR_LOAD_IN_PROGRESS
     * while its partition loads; NOT_COORDINATOR when another broker leads the partition (or the
     * leadership moved and the unload has not run yet).
     */
    synchronized Errors checkCoordinator(String groupId) {
        if (groupId == null || groupId.isEmpty()) {
            return Errors.INVALID_GROUP_ID;
        }
        return leadership.state(partitionFor(groupId));
    }

    /** Whether any partition is still loading (ListGroups then answers COORDINATOR_LOAD_IN_PROGRESS, as Kafka does). */
    public boolean loading() {
        return leadership.loading();
    }

    // ---------------------------------------------------------------- leadership: load and unload (GroupLeadership)

    /**
     * This broker became the leader of offsets topic partition {@code partition} in
     * {@code leaderEpoch}: its groups answer COORDINATOR_LOAD_IN_PROGRESS until the loader has
     * replayed it. Called on the thread applying metadata: takes no coordinator lock.
     */
    public void becameLeader(int partition, int leaderEpoch) {
        leadership.becameLeader(partition, leaderEpoch);
    }

    /** This broker stopped leading the partition as of {@code leaderEpoch}: its groups answer NOT_COORDINATOR. No lock. */
    public void resigned(int partition, int leaderEpoch) {
        leadership.resigned(partition, leaderEpoch);
    }

    /**
     * A transaction marker of {@code producerId} was written and replicated at {@code markerOffset}
     * on offsets topic partition {@code tp} (WriteTxnMarkers): COMMIT makes the offsets that
     * transaction wrote there visible, ABORT drops them. A marker reaching a partition that is still
     * loading is kept and applied by the load if its replay ended before the marker.
     */
    public void markerWritten(org.apache.kafka.common.TopicPartition tp, long producerId, short producerEpoch, boolean commit,
            long markerOffset) {
        leadership.markerWritten(tp.partition(), new GroupLeadership.Marker(producerId, commit, markerOffset));
    }

    /** Whether {@code g} is still the coordinator's object for its group (not unloaded, deleted or replaced). */
    boolean isCurrent(ClassicGroup g) {
        return groups.get(g.groupId) == g;
    }

    // ---------------------------------------------------------------- JoinGroup

    public synchronized CompletableFuture<JoinResult> join(JoinRequest r) {
        String memberId = r.memberId() == null ? "" : r.memberId();
        Errors e = checkCoordinator(r.groupId());
        if (e != Errors.NONE) {
            return done(JoinResult.error(e, memberId));
        }
        if (r.sessionTimeoutMs() < config.minSessionTimeoutMs() || r.sessionTimeoutMs() > config.maxSessionTimeoutMs()) {
            return done(JoinResult.error(Errors.INVALID_SESSION_TIMEOUT, memberId));
        }
        long now = time.milliseconds();
        ClassicGroup g = groups.get(r.groupId());
        boolean unknown = memberId.isEmpty();
        if (g == null) {
            if (!unknown) {
                return done(JoinResult.error(Errors.UNKNOWN_MEMBER_ID, memberId));
            }
            g = new ClassicGroup(r.groupId(), now);
            groups.put(r.groupId(), g);
        }
        List<Member.Protocol> protocols = new ArrayList<>();
        r.protocols().forEach(p -> protocols.add(new Member.Protocol(p.name(), p.metadata())));
        if (!g.supports(r.protocolType(), protocols)) {
            dropIfUnused(g);
            return done(JoinResult.error(Errors.INCONSISTENT_GROUP_PROTOCOL, memberId));
        }
        boolean known = !unknown && (g.has(memberId) || g.pendingMembers.containsKey(memberId));
        if (!known && g.members.size() + g.pendingMembers.size() >= config.maxSize()
                && !(r.groupInstanceId() != null && g.staticMembers.containsKey(r.groupInstanceId()))) {
            dropIfUnused(g);
            return done(JoinResult.error(Errors.GROUP_MAX_SIZE_REACHED, memberId));
        }
        return unknown ? joinNewMember(g, r, protocols, now) : joinKnownMember(g, r, memberId, protocols, now);
    }

    private CompletableFuture<JoinResult> joinNewMember(ClassicGroup g, JoinRequest r, List<Member.Protocol> protocols, long now) {
        String newId = (r.clientId() == null ? "" : r.clientId()) + "-" + UUID.randomUUID();
        if (r.groupInstanceId() != null) {
            String old = g.staticMembers.get(r.groupInstanceId());
            if (old != null) {
                return replaceStaticMember(g, r, old, newId, protocols, now);
            }
            return addMemberAndRebalance(g, r, newId, protocols, now);
        }
        if (r.requireKnownMemberId()) {
            g.pendingMembers.put(newId, now + r.sessionTimeoutMs());
            return done(JoinResult.error(Errors.MEMBER_ID_REQUIRED, newId));
        }
        return addMemberAndRebalance(g, r, newId, protocols, now);
    }

    private CompletableFuture<JoinResult> joinKnownMember(ClassicGroup g, JoinRequest r, String memberId,
            List<Member.Protocol> protocols, long now) {
        if (g.pendingMembers.remove(memberId) != null) {
            return addMemberAndRebalance(g, r, memberId, protocols, now);
        }
        if (r.groupInstanceId() != null) {
            String current = g.staticMembers.get(r.groupInstanceId());
            if (current == null) {
                return done(JoinResult.error(Errors.UNKNOWN_MEMBER_ID, memberId));
            }
            if (!current.equals(memberId)) {
                return done(JoinResult.error(Errors.FENCED_INSTANCE_ID, memberId));
            }
        }
        Member m = g.members.get(memberId);
        if (m == null) {
            return done(JoinResult.error(Errors.UNKNOWN_MEMBER_ID, memberId));
        }
        m.heartbeatDeadline = now + m.sessionTimeoutMs;
        switch (g.state) {
            case PREPARING_REBALANCE:
                return updateMemberAndRebalance(g, m, r, protocols, now);
            case COMPLETING_REBALANCE:
                if (m.sameProtocols(protocols)) {
                    return done(g.joinResult(m, true, false));
                }
                return updateMemberAndRebalance(g, m, r, protocols, now);
            case STABLE:
                if (memberId.equals(g.leaderId) || !m.sameProtocols(protocols)) {
                    return updateMemberAndRebalance(g, m, r, protocols, now);
                }
                return done(g.joinResult(m, false, false));
            default:
                return done(JoinResult.error(Errors.UNKNOWN_MEMBER_ID, memberId));
        }
    }

    private CompletableFuture<JoinResult> addMemberAndRebalance(ClassicGroup g, JoinRequest r, String memberId,
            List<Member.Protocol> protocols, long now) {
        Member m = new Member(memberId, r.groupInstanceId(), r.clientId(), r.clientHost(), r.rebalanceTimeoutMs(),
                r.sessionTimeoutMs(), r.protocolType(), protocols);
        m.isNew = true;
        m.awaitingJoin = new CompletableFuture<>();
        m.heartbeatDeadline = now + r.sessionTimeoutMs();
        g.add(m);
        if (g.state == GroupState.PREPARING_REBALANCE && g.initialDelay) {
            g.newMemberAdded = true;
        }
        CompletableFuture<JoinResult> f = m.awaitingJoin;
        rebalance.maybePrepareRebalance(g, now, "member " + memberId + " joined");
        return f;
    }

    private CompletableFuture<JoinResult> updateMemberAndRebalance(ClassicGroup g, Member m, JoinRequest r,
            List<Member.Protocol> protocols, long now) {
        m.protocols = List.copyOf(protocols);
        m.rebalanceTimeoutMs = r.rebalanceTimeoutMs();
        m.sessionTimeoutMs = r.sessionTimeoutMs();
        m.clientId = r.clientId();
        m.clientHost = r.clientHost();
        if (m.awaitingJoin != null) {
            m.awaitingJoin.complete(JoinResult.error(Errors.REBALANCE_IN_PROGRESS, m.memberId));
        }
        m.awaitingJoin = new CompletableFuture<>();
        CompletableFuture<JoinResult> f = m.awaitingJoin;
        rebalance.maybePrepareRebalance(g, now, "member " + m.memberId + " rejoined");
        return f;
    }

    /**
     * KIP-345: a restarted static member takes over its old member id and assignment, without a
     * rebalance when stable; answered once the new member id is stored (replicated), else reverted.
     */
    private CompletableFuture<JoinResult> replaceStaticMember(ClassicGroup g, JoinRequest r, String oldId, String newId,
            List<Member.Protocol> protocols, long now) {
        Member m = g.members.get(oldId);
        m.failWaiting(Errors.FENCED_INSTANCE_ID);
        g.replaceStatic(oldId, newId);
        m.heartbeatDeadline = now + r.sessionTimeoutMs();
        if (g.state == GroupState.STABLE) {
            List<Member.Protocol> oldProtocols = m.protocols;
            m.protocols = List.copyOf(protocols);
            if (g.protocolName != null && g.protocolName.equals(g.selectProtocol())) {
                Member old = new Member(oldId, m.groupInstanceId, m.clientId, m.clientHost, m.rebalanceTimeoutMs, m.sessionTimeoutMs,
                        m.protocolType, oldProtocols);
                m.clientId = r.clientId();
                m.clientHost = r.clientHost();
                m.rebalanceTimeoutMs = r.rebalanceTimeoutMs();
                m.sessionTimeoutMs = r.sessionTimeoutMs();
                return writer.persist(g).replicated().thenApply(e -> {
                    synchronized (this) {
                        if (e == Errors.NONE) {
                            LOG.fine(() -> "static member " + r.groupInstanceId() + " of group " + g.groupId + " rejoined as " + newId);
                            boolean skip = r.supportsSkipAssignment();
                            return g.joinResult(m, skip, skip && newId.equals(g.leaderId));
                        }
                        if (isCurrent(g) && newId.equals(g.staticMembers.get(m.groupInstanceId))) {
                            m.protocols = old.protocols;
                            m.clientId = old.clientId;
                            m.clientHost = old.clientHost;
                            m.rebalanceTimeoutMs = old.rebalanceTimeoutMs;
                            m.sessionTimeoutMs = old.sessionTimeoutMs;
                            g.replaceStatic(newId, oldId);
                            m.heartbeatDeadline = time.milliseconds() + m.sessionTimeoutMs;
                        }
                        return JoinResult.error(OffsetsWriter.clientError(e), "");
                    }
                });
            }
        }
        return updateMemberAndRebalance(g, m, r, protocols, now);
    }

    // ---------------------------------------------------------------- SyncGroup

    public synchronized CompletableFuture<SyncResult> sync(String groupId, int generationId, String memberId, String groupInstanceId,
            String protocolType, String protocolName, Map<String, byte[]> assignments) {
        Errors e = checkCoordinator(groupId);
        if (e != Errors.NONE) {
            return done(SyncResult.error(e));
        }
        ClassicGroup g = groups.get(groupId);
        Errors invalid = validateMember(g, memberId, groupInstanceId, generationId);
        if (invalid != Errors.NONE) {
            return done(SyncResult.error(invalid));
        }
        if (protocolType != null && !protocolType.equals(g.protocolType)
                || protocolName != null && !protocolName.equals(g.protocolName)) {
            return done(SyncResult.error(Errors.INCONSISTENT_GROUP_PROTOCOL));
        }
        long now = time.milliseconds();
        Member m = g.members.get(memberId);
        switch (g.state) {
            case PREPARING_REBALANCE:
                return done(SyncResult.error(Errors.REBALANCE_IN_PROGRESS));
            case COMPLETING_REBALANCE: {
                m.heartbeatDeadline = now + m.sessionTimeoutMs;
                g.pendingSync.remove(memberId);
                if (m.awaitingSync != null) {
                    m.awaitingSync.complete(SyncResult.error(Errors.REBALANCE_IN_PROGRESS));
                }
                m.awaitingSync = new CompletableFuture<>();
                CompletableFuture<SyncResult> f = m.awaitingSync;
                if (memberId.equals(g.leaderId)) {
                    for (Member each : g.members.values()) {
                        byte[] a = assignments.get(each.memberId);
                        each.assignment = a == null ? new byte[0] : a;
                    }
                    int generation = g.generationId;
                    writer.persist(g).replicated().thenAccept(stored -> assignmentStored(g, generation, stored));
                }
                return f;
            }
            case STABLE:
                m.heartbeatDeadline = now + m.sessionTimeoutMs;
                g.pendingSync.remove(memberId);
                if (g.pendingSync.isEmpty()) {
                    g.syncDeadline = -1L;
                }
                return done(new SyncResult(Errors.NONE, g.protocolType, g.protocolName, m.assignment));
            default:
                return done(SyncResult.error(Errors.UNKNOWN_MEMBER_ID));
        }
    }

    /**
     * The leader's assignment for {@code generation} was stored (or not): the group becomes
     * Stable and every waiting member gets its assignment, or they all get the error and the group
     * rebalances. Nothing if the group moved on meanwhile.
     */
    private synchronized void assignmentStored(ClassicGroup g, int generation, Errors stored) {
        if (!isCurrent(g) || g.state != GroupState.COMPLETING_REBALANCE || g.generationId != generation) {
            return;
        }
        long now = time.milliseconds();
        if (stored != Errors.NONE) {
            rebalance.resetAssignments(g, OffsetsWriter.clientError(stored));
            rebalance.prepareRebalance(g, now, "storing the assignment failed: " + stored);
            return;
        }
        g.transitionTo(GroupState.STABLE, now);
        for (Member each : g.members.values()) {
            if (each.awaitingSync != null) {
                each.awaitingSync.complete(new SyncResult(Errors.NONE, g.protocolType, g.protocolName, each.assignment));
                each.awaitingSync = null;
            }
        }
        if (g.pendingSync.isEmpty()) {
            g.syncDeadline = -1L;
        }
    }

    // ---------------------------------------------------------------- Heartbeat, LeaveGroup

    public synchronized Errors heartbeat(String groupId, String memberId, String groupInstanceId, int generationId) {
        Errors e = checkCoordinator(groupId);
        if (e == Errors.COORDINATOR_LOAD_IN_PROGRESS) {
            return Errors.NONE; // as Kafka: the group is still loading, answer blindly
        }
        if (e != Errors.NONE) {
            return e;
        }
        ClassicGroup g = groups.get(groupId);
        Errors invalid = validateMember(g, memberId, groupInstanceId, generationId);
        if (invalid != Errors.NONE) {
            return invalid;
        }
        Member m = g.members.get(memberId);
        m.heartbeatDeadline = time.milliseconds() + m.sessionTimeoutMs;
        return g.state == GroupState.PREPARING_REBALANCE ? Errors.REBALANCE_IN_PROGRESS : Errors.NONE;
    }

    /** Who asks to leave: a member id, a static instance id, or both. */
    public record Leaving(String memberId, String groupInstanceId) {
    }

    /** Removes members; returns the group-level error and one error per leaving member, in order. */
    public synchronized Map.Entry<Errors, List<Errors>> leave(String groupId, List<Leaving> leaving) {
        Errors e = checkCoordinator(groupId);
        if (e != Errors.NONE) {
            return Map.entry(e, List.of());
        }
        ClassicGroup g = groups.get(groupId);
        List<Errors> out = new ArrayList<>();
        long now = time.milliseconds();
        for (Leaving l : leaving) {
            if (g == null) {
                out.add(Errors.UNKNOWN_MEMBER_ID);
                continue;
            }
            String memberId = l.memberId();
            if (l.groupInstanceId() != null) {
                String current = g.staticMembers.get(l.groupInstanceId());
                if (current == null) {
                    out.add(Errors.UNKNOWN_MEMBER_ID);
                    continue;
                }
                if (memberId != null && !memberId.isEmpty() && !memberId.equals(current)) {
                    out.add(Errors.FENCED_INSTANCE_ID);
                    continue;
                }
                memberId = current;
            }
            if (memberId != null && g.pendingMembers.remove(memberId) != null) {
                rebalance.maybeCompleteJoin(g, now);
                out.add(Errors.NONE);
                continue;
            }
            Member m = memberId == null ? null : g.members.get(memberId);
            if (m == null) {
                out.add(Errors.UNKNOWN_MEMBER_ID);
                continue;
            }
            rebalance.removeMemberAndRebalance(g, m, now, "member " + memberId + " left");
            out.add(Errors.NONE);
        }
        return Map.entry(Errors.NONE, out);
    }

    // ---------------------------------------------------------------- deadlines

    /** Checks every deadline against the clock: session timeouts, join and sync phases, pending members, offset expiry. */
    public synchronized void tick() {
        long now = time.milliseconds();
        for (ClassicGroup g : List.copyOf(groups.values())) {
            if (isCurrent(g) && coordinating(g)) {
                rebalance.checkDeadlines(g, now);
            }
        }
        if (now >= nextExpiryCheck) {
            nextExpiryCheck = now + config.offsetsRetentionCheckIntervalMs();
            offsets.expire(now);
        }
    }

    /** Whether this broker still leads the group's partition in the epoch it loaded (an unload may be on its way). */
    boolean coordinating(ClassicGroup g) {
        return leadership.state(partitionFor(g.groupId)) == Errors.NONE;
    }

    private Errors validateMember(ClassicGroup g, String memberId, String groupInstanceId, int generationId) {
        if (g == null) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        if (groupInstanceId != null) {
            String current = g.staticMembers.get(groupInstanceId);
            if (current != null && !current.equals(memberId)) {
                return Errors.FENCED_INSTANCE_ID;
            }
        }
        if (!g.has(memberId)) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        if (generationId != g.generationId) {
            return Errors.ILLEGAL_GENERATION;
        }
        return Errors.NONE;
    }

    void dropIfUnused(ClassicGroup g) {
        if (g.isEmpty() && !g.hasOffsets() && g.generationId == 0 && g.pendingMembers.isEmpty()) {
            groups.remove(g.groupId);
        }
    }

    private static <T> CompletableFuture<T> done(T value) {
        return CompletableFuture.completedFuture(value);
    }

    // ---------------------------------------------------------------- admin: list, describe, delete

    /** Groups this broker coordinates, optionally only in the given states. */
    public List<GroupDescription> listGroups(java.util.Set<GroupState> states) {
        return admin.listGroups(states);
    }

    /** Describes a group; an unknown group is reported as Dead with no members, as Kafka does. */
    public Map.Entry<Errors, GroupDescription> describe(String groupId) {
        return admin.describe(groupId);
    }

    /**
     * DeleteGroups: deletes empty groups and their offsets; one error per group (each group once,
     * in the order asked). The tombstones of the groups of one offsets topic partition are one
     * write; the answer comes once they are committed, or with the client error of the failed write
     * (the groups then stay). Until then the groups stay visible (DescribeGroups, OffsetFetch).
     *
     * <p>A group already being deleted is not written again: its answer waits for that deletion,
     * then is GROUP_ID_NOT_FOUND, as Kafka answers (its coordinator applies a deletion to its
     * uncommitted state at once, and answers a later request once the earlier write is committed),
     * or the earlier deletion's error if it failed.
     */
    public CompletableFuture<Map<String, Errors>> deleteGroups(List<String> groupIds) {
        return admin.deleteGroups(groupIds);
    }

    // ---------------------------------------------------------------- GroupsView

    @Override
    public List<GroupDescription> groups() {
        return listGroups(java.util.Set.of());
    }

    @Override
    public Optional<GroupDescription> describeGroup(String groupId) {
        return admin.describeGroup(groupId);
    }

    @Override
    public List<PartitionLag> lag(String groupId) {
        return offsets.lag(groupId);
    }

    /** Completes every waiting join and sync with COORDINATOR_NOT_AVAILABLE so clients retry elsewhere (shutdown). */
    public synchronized void close() {
        for (ClassicGroup g : groups.values()) {
            g.members.values().forEach(m -> m.failWaiting(Errors.COORDINATOR_NOT_AVAILABLE));
        }
    }
}
