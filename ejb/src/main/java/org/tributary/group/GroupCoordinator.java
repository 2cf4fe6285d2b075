package org.tributary.group;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Time;

/**
 * Kafka's classic group coordinator: membership state machine (Empty → PreparingRebalance →
 * CompletingRebalance → Stable), generations, static members, and the group's committed offsets.
 * A group belongs to partition {@code abs(hash(groupId)) % N} of {@code __consumer_offsets}; this
 * broker coordinates the groups of the partitions it leads.
 *
 * <p>This class owns the groups, the lock and the routing (which partition, whether this broker
 * coordinates it); the work is in its parts, reached through the thin public API: JoinGroup,
 * SyncGroup, Heartbeat and LeaveGroup in {@link GroupMembership}, the rebalance transitions and
 * deadlines in {@link Rebalance}, committed offsets in {@link GroupOffsets} and
 * {@link TxnOffsetCommits}, loads and unloads in {@link GroupLeadership}, listing, describing and
 * deleting groups in {@link GroupAdmin}, and the writes to the offsets topic in {@link OffsetsWriter}.
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
    final Rebalance rebalance;
    /** JoinGroup (incl. KIP-345 static members), SyncGroup, Heartbeat, LeaveGroup. */
    private final GroupMembership membership;
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
        this.membership = new GroupMembership(this);
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

    // ---------------------------------------------------------------- membership (GroupMembership)

    /** JoinGroup, with KIP-394's member id round trip and KIP-345's static members; completes when the join phase ends. */
    public CompletableFuture<JoinResult> join(JoinRequest r) {
        return membership.join(r);
    }

    /** SyncGroup: the leader's assignment is stored before any member gets its own. */
    public CompletableFuture<SyncResult> sync(String groupId, int generationId, String memberId, String groupInstanceId,
            String protocolType, String protocolName, Map<String, byte[]> assignments) {
        return membership.sync(groupId, generationId, memberId, groupInstanceId, protocolType, protocolName, assignments);
    }

    /** Heartbeat: keeps the member's session; REBALANCE_IN_PROGRESS tells it to rejoin. */
    public Errors heartbeat(String groupId, String memberId, String groupInstanceId, int generationId) {
        return membership.heartbeat(groupId, memberId, groupInstanceId, generationId);
    }

    /** Who asks to leave: a member id, a static instance id, or both. */
    public record Leaving(String memberId, String groupInstanceId) {
    }

    /** Removes members; returns the group-level error and one error per leaving member, in order. */
    public Map.Entry<Errors, List<Errors>> leave(String groupId, List<Leaving> leaving) {
        return membership.leave(groupId, leaving);
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

    void dropIfUnused(ClassicGroup g) {
        if (g.isEmpty() && !g.hasOffsets() && g.generationId == 0 && g.pendingMembers.isEmpty()) {
            groups.remove(g.groupId);
        }
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
