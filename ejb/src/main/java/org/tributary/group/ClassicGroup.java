package org.tributary.group;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;

/**
 * A classic group's state: members, generation, chosen protocol, leader, and the group's
 * committed offsets. Invariants: every static member's instance id maps to its current member id
 * in {@link #staticMembers}; {@link #leaderId} is a member or null; offsets may exist with no
 * members (an Empty group, or one that only commits). Not thread-safe: guarded by the
 * coordinator's lock.
 */
final class ClassicGroup {
    final String groupId;
    GroupState state = GroupState.EMPTY;
    int generationId;
    String protocolType;
    String protocolName;
    String leaderId;
    long stateTimestamp;
    final Map<String, Member> members = new LinkedHashMap<>();
    final Map<String, String> staticMembers = new HashMap<>();
    /** KIP-394: dynamic members told their id, expected to rejoin with it, and until when. */
    final Map<String, Long> pendingMembers = new HashMap<>();
    /** Members that got this generation's JoinGroup answer but have not sent SyncGroup yet. */
    final Set<String> pendingSync = new HashSet<>();
    /** Deadline of the join phase (PreparingRebalance) or of the sync phase; -1 when none. */
    long rebalanceDeadline = -1L;
    long syncDeadline = -1L;
    /** The first rebalance of an empty group waits group.initial.rebalance.delay.ms, extended while members arrive. */
    boolean initialDelay;
    boolean newMemberAdded;
    long initialDelayRemainingMs;
    /** The committed offsets clients see: only writes the high watermark of the offsets topic covers. */
    final Map<TopicPartition, CommittedOffset> offsets = new TreeMap<>(
            (a, b) -> a.topic().equals(b.topic()) ? Integer.compare(a.partition(), b.partition()) : a.topic().compareTo(b.topic()));
    /** Where in the offsets topic partition the record of each visible offset is (a later write wins). */
    private final Map<TopicPartition, Long> offsetPositions = new HashMap<>();
    /** Kafka's pending offset commits: written, not replicated yet; the position of the latest such write per partition. */
    final Map<TopicPartition, Long> pendingOffsets = new HashMap<>();
    /**
     * Offset tombstones (OffsetDelete, expiry) written, not committed yet: the position of the
     * latest such write per partition. The offsets stay visible until then.
     */
    final Map<TopicPartition, Long> pendingTombstones = new HashMap<>();
    /**
     * KIP-98 pending transactional offsets (TxnOffsetCommit): per producer id, the offsets its open
     * transaction wrote and where. Invisible to OffsetFetch until the producer's COMMIT marker
     * (then taken up if no later write is visible), dropped by its ABORT marker.
     */
    final Map<Long, Map<TopicPartition, TxnOffset>> pendingTxnOffsets = new HashMap<>();
    /** The group's deletion (DeleteGroups, expiry) while its tombstones are written but not committed; else null. */
    Deletion deletion;

    /**
     * A pending deletion: its tombstones start at {@code position}, written when the group was in
     * {@code generation}; {@code outcome} completes with the raw append outcome once the deletion
     * has been applied to (or, failed, left out of) the in-memory state.
     */
    record Deletion(long position, int generation, CompletableFuture<Errors> outcome) {
    }

    /** A transactional offset written at {@code position}, waiting for its transaction's marker. */
    record TxnOffset(CommittedOffset offset, long position) {
    }

    ClassicGroup(String groupId, long now) {
        this.groupId = groupId;
        this.stateTimestamp = now;
    }

    /** An offset read from the log at {@code position}, already committed there. */
    void putOffset(TopicPartition tp, CommittedOffset offset, long position) {
        offsets.put(tp, offset);
        offsetPositions.put(tp, position);
    }

    /**
     * The write of {@code offset} at {@code position} is replicated: it becomes visible unless a
     * later write already is, or the offset was deleted while it was pending (Kafka's onOffsetCommitAppend).
     */
    void onOffsetCommitted(TopicPartition tp, CommittedOffset offset, long position) {
        Long pending = pendingOffsets.get(tp);
        if (pending == null) {
            return;
        }
        Long visible = offsetPositions.get(tp);
        if (visible == null || visible < position) {
            putOffset(tp, offset, position);
        }
        if (pending == position) {
            pendingOffsets.remove(tp);
        }
    }

    /** The write at {@code position} failed: it never becomes visible. */
    void onOffsetWriteFailed(TopicPartition tp, long position) {
        pendingOffsets.remove(tp, position);
        if (!pendingOffsets.containsKey(tp) && !offsets.containsKey(tp)) {
            offsetPositions.remove(tp); // a committed tombstone's mark (see onTombstoneCommitted): no commit left to hold back
        }
    }

    /**
     * A tombstone of {@code tp} written at {@code position} is committed: an offset written before
     * it is gone (visible, or pending and taken up later), one written after it stays (pending or
     * already visible). While a later commit is still pending, the tombstone's position is kept as
     * the partition's visible position with no offset, so that an earlier commit taken up late
     * cannot come back (replicated writes may be taken up in any order).
     */
    void onTombstoneCommitted(TopicPartition tp, long position) {
        Long visible = offsetPositions.get(tp);
        if (visible != null && visible < position) {
            offsets.remove(tp);
            offsetPositions.remove(tp);
        }
        for (Map<TopicPartition, TxnOffset> m : pendingTxnOffsets.values()) {
            TxnOffset t = m.get(tp);
            if (t != null && t.position() < position) {
                m.remove(tp); // Kafka's replay of an offset tombstone drops the pending transactional offsets before it
            }
        }
        pendingTxnOffsets.values().removeIf(Map::isEmpty);
        Long pending = pendingOffsets.get(tp);
        if (pending != null && pending < position) {
            pendingOffsets.remove(tp);
        } else if (pending != null && !offsetPositions.containsKey(tp)) {
            offsetPositions.put(tp, position);
        }
    }

    /** Forgets an offset, visible or pending, transactional ones included (a tombstone replayed from the log, as Kafka's replay). */
    void removeOffset(TopicPartition tp) {
        offsets.remove(tp);
        offsetPositions.remove(tp);
        pendingOffsets.remove(tp);
        pendingTxnOffsets.values().forEach(m -> m.remove(tp));
        pendingTxnOffsets.values().removeIf(Map::isEmpty);
    }

    /** Where the visible offset of {@code tp} (or a committed tombstone's mark) was written; -1 if none. */
    long visiblePosition(TopicPartition tp) {
        return offsetPositions.getOrDefault(tp, -1L);
    }

    /** Whether an open transaction wrote an offset of {@code tp} (OffsetFetch with require_stable answers UNSTABLE_OFFSET_COMMIT). */
    boolean hasPendingTxnOffset(TopicPartition tp) {
        for (Map<TopicPartition, TxnOffset> m : pendingTxnOffsets.values()) {
            if (m.containsKey(tp)) {
                return true;
            }
        }
        return false;
    }

    /** A transactional offset of {@code producerId} written at {@code position} (a later one of the same transaction replaces it). */
    void addTxnOffset(long producerId, TopicPartition tp, CommittedOffset offset, long position) {
        pendingTxnOffsets.computeIfAbsent(producerId, id -> new HashMap<>()).put(tp, new TxnOffset(offset, position));
    }

    /** The transactional write at {@code position} failed: it never counts. */
    void onTxnOffsetWriteFailed(long producerId, TopicPartition tp, long position) {
        Map<TopicPartition, TxnOffset> m = pendingTxnOffsets.get(producerId);
        if (m != null && m.get(tp) != null && m.get(tp).position() == position) {
            m.remove(tp);
            if (m.isEmpty()) {
                pendingTxnOffsets.remove(producerId);
            }
        }
    }

    /**
     * The marker of {@code producerId}'s transaction at {@code markerOffset}: removes the offsets that
     * transaction wrote before it and returns them (the caller makes them visible on COMMIT);
     * offsets written after the marker belong to the producer's next transaction and stay.
     */
    Map<TopicPartition, TxnOffset> endTxn(long producerId, long markerOffset) {
        Map<TopicPartition, TxnOffset> m = pendingTxnOffsets.get(producerId);
        Map<TopicPartition, TxnOffset> ended = new HashMap<>();
        if (m == null) {
            return ended;
        }
        m.entrySet().removeIf(e -> {
            if (e.getValue().position() < markerOffset) {
                ended.put(e.getKey(), e.getValue());
                return true;
            }
            return false;
        });
        if (m.isEmpty()) {
            pendingTxnOffsets.remove(producerId);
        }
        return ended;
    }

    /**
     * A committed transactional offset becomes visible unless a later write (by log position) is
     * already visible, as Kafka takes up a committed transaction's offsets.
     */
    void applyTxnOffset(TopicPartition tp, TxnOffset o) {
        if (visiblePosition(tp) < o.position()) {
            putOffset(tp, o.offset(), o.position());
        }
    }

    /**
     * What is left of a deleted group that had only offsets committed after its tombstones: a new
     * group with no generation or protocol, as replaying the log (and Kafka, whose commit created
     * a new simple group once the old one was gone) gives.
     */
    void resetMetadata() {
        generationId = 0;
        protocolType = null;
        protocolName = null;
        leaderId = null;
        state = GroupState.EMPTY;
    }

    /** Takes over the offsets another object of this group holds (a replayed metadata record replaces the group). */
    void takeOffsets(ClassicGroup other) {
        offsets.putAll(other.offsets);
        offsetPositions.putAll(other.offsetPositions);
        pendingOffsets.putAll(other.pendingOffsets);
        pendingTxnOffsets.putAll(other.pendingTxnOffsets);
    }

    boolean hasOffsets() {
        return !offsets.isEmpty() || !pendingOffsets.isEmpty() || !pendingTxnOffsets.isEmpty();
    }

    void transitionTo(GroupState next, long now) {
        state = next;
        stateTimestamp = now;
    }

    boolean has(String memberId) {
        return members.containsKey(memberId);
    }

    boolean isEmpty() {
        return members.isEmpty();
    }

    void add(Member m) {
        if (members.isEmpty()) {
            protocolType = m.protocolType;
        }
        members.put(m.memberId, m);
        if (m.isStatic()) {
            staticMembers.put(m.groupInstanceId, m.memberId);
        }
        if (leaderId == null) {
            leaderId = m.memberId;
        }
    }

    void remove(String memberId) {
        Member m = members.remove(memberId);
        if (m != null && m.isStatic() && memberId.equals(staticMembers.get(m.groupInstanceId))) {
            staticMembers.remove(m.groupInstanceId);
        }
        pendingSync.remove(memberId);
        if (memberId.equals(leaderId)) {
            leaderId = null;
            for (Member other : members.values()) {
                if (leaderId == null || other.awaitingJoin != null && members.get(leaderId).awaitingJoin == null) {
                    leaderId = other.memberId;
                }
            }
        }
    }

    /** Moves a static member to a new member id (a restarted instance); keeps its assignment. */
    Member replaceStatic(String oldMemberId, String newMemberId) {
        Member m = members.remove(oldMemberId);
        m.memberId = newMemberId;
        members.put(newMemberId, m);
        staticMembers.put(m.groupInstanceId, newMemberId);
        if (oldMemberId.equals(leaderId)) {
            leaderId = newMemberId;
        }
        if (pendingSync.remove(oldMemberId)) {
            pendingSync.add(newMemberId);
        }
        return m;
    }

    int rebalanceTimeoutMs() {
        int max = 0;
        for (Member m : members.values()) {
            max = Math.max(max, m.rebalanceTimeoutMs);
        }
        return max;
    }

    boolean allMembersJoined() {
        for (Member m : members.values()) {
            if (m.awaitingJoin == null) {
                return false;
            }
        }
        return pendingMembers.isEmpty();
    }

    /** Protocols every member supports, in no particular order. */
    Set<String> candidateProtocols() {
        Set<String> common = null;
        for (Member m : members.values()) {
            Set<String> mine = new HashSet<>();
            m.protocols.forEach(p -> mine.add(p.name()));
            if (common == null) {
                common = mine;
            } else {
                common.retainAll(mine);
            }
        }
        return common == null ? Set.of() : common;
    }

    /** Whether a joining member with these protocols can be in this group (Kafka's INCONSISTENT_GROUP_PROTOCOL check). */
    boolean supports(String memberProtocolType, List<Member.Protocol> protocols) {
        if (memberProtocolType == null || memberProtocolType.isEmpty() || protocols.isEmpty()) {
            return false;
        }
        if (members.isEmpty()) {
            return true;
        }
        if (!memberProtocolType.equals(protocolType)) {
            return false;
        }
        Set<String> candidates = candidateProtocols();
        for (Member.Protocol p : protocols) {
            if (candidates.contains(p.name())) {
                return true;
            }
        }
        return false;
    }

    /** Kafka's vote: each member votes for its most preferred common protocol; most votes wins. */
    String selectProtocol() {
        Set<String> candidates = candidateProtocols();
        Map<String, Integer> votes = new LinkedHashMap<>();
        for (Member m : members.values()) {
            for (Member.Protocol p : m.protocols) {
                if (candidates.contains(p.name())) {
                    votes.merge(p.name(), 1, Integer::sum);
                    break;
                }
            }
        }
        String best = null;
        for (Map.Entry<String, Integer> e : votes.entrySet()) {
            if (best == null || e.getValue() > votes.get(best)) {
                best = e.getKey();
            }
        }
        return best;
    }

    List<JoinResult.MemberMetadata> memberMetadata() {
        List<JoinResult.MemberMetadata> out = new ArrayList<>();
        for (Member m : members.values()) {
            out.add(new JoinResult.MemberMetadata(m.memberId, m.groupInstanceId, m.metadata(protocolName)));
        }
        return out;
    }

    JoinResult joinResult(Member m, boolean leaderGetsMembers, boolean skipAssignment) {
        boolean leader = m.memberId.equals(leaderId);
        return new JoinResult(Errors.NONE, m.memberId, generationId, protocolType, protocolName,
                leaderId == null ? "" : leaderId, leader && skipAssignment,
                leader && leaderGetsMembers ? memberMetadata() : List.of());
    }

    GroupDescription describe() {
        List<GroupDescription.MemberDescription> ms = new ArrayList<>();
        boolean stable = state == GroupState.STABLE;
        for (Member m : members.values()) {
            ms.add(new GroupDescription.MemberDescription(m.memberId, m.groupInstanceId, m.clientId, m.clientHost,
                    stable ? m.metadata(protocolName) : new byte[0], stable ? m.assignment : new byte[0]));
        }
        return new GroupDescription(groupId, state, protocolType == null ? "" : protocolType,
                stable && protocolName != null ? protocolName : "", generationId, leaderId, ms);
    }

    OffsetsTopicRecords.StoredGroup toStored() {
        List<OffsetsTopicRecords.StoredMember> ms = new ArrayList<>();
        for (Member m : members.values()) {
            byte[] sub = protocolName == null ? null : m.metadata(protocolName);
            ms.add(new OffsetsTopicRecords.StoredMember(m.memberId, m.groupInstanceId, m.clientId, m.clientHost,
                    m.rebalanceTimeoutMs, m.sessionTimeoutMs, sub == null ? new byte[0] : sub, m.assignment));
        }
        return new OffsetsTopicRecords.StoredGroup(protocolType, generationId, protocolName, leaderId, stateTimestamp, ms);
    }
}
