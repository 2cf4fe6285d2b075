package org.tributary.group;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Logger;
import org.apache.kafka.common.protocol.Errors;

/**
 * The membership protocol of the classic group coordinator: JoinGroup (with KIP-394's member id
 * round trip and KIP-345's static members, whose restart takes over the old member id and
 * assignment), SyncGroup (the leader's assignment, stored before the members get it), Heartbeat
 * and LeaveGroup. These are the requests a member sends about its own membership; the rebalance
 * they trigger and its deadlines are {@link Rebalance}, the group's state is {@link ClassicGroup}.
 * Separate from {@link GroupCoordinator} so that the coordinator keeps only leadership, routing
 * and the public API, which delegates here.
 *
 * <p>Uses the coordinator's lock: every request runs under {@code synchronized (c)}, and so does
 * the take-up of a replicated write (a static member's replacement, a generation's assignment).
 */
final class GroupMembership {
    private static final Logger LOG = Logger.getLogger(GroupMembership.class.getName());

    private final GroupCoordinator c;

    GroupMembership(GroupCoordinator coordinator) {
        this.c = coordinator;
    }

    // ---------------------------------------------------------------- JoinGroup

    CompletableFuture<JoinResult> join(JoinRequest r) {
        synchronized (c) {
            String memberId = r.memberId() == null ? "" : r.memberId();
            Errors e = c.checkCoordinator(r.groupId());
            if (e != Errors.NONE) {
                return done(JoinResult.error(e, memberId));
            }
            if (r.sessionTimeoutMs() < c.config.minSessionTimeoutMs() || r.sessionTimeoutMs() > c.config.maxSessionTimeoutMs()) {
                return done(JoinResult.error(Errors.INVALID_SESSION_TIMEOUT, memberId));
            }
            long now = c.time.milliseconds();
            ClassicGroup g = c.groups.get(r.groupId());
            boolean unknown = memberId.isEmpty();
            if (g == null) {
                if (!unknown) {
                    return done(JoinResult.error(Errors.UNKNOWN_MEMBER_ID, memberId));
                }
                g = new ClassicGroup(r.groupId(), now);
                c.groups.put(r.groupId(), g);
            }
            List<Member.Protocol> protocols = new ArrayList<>();
            r.protocols().forEach(p -> protocols.add(new Member.Protocol(p.name(), p.metadata())));
            if (!g.supports(r.protocolType(), protocols)) {
                c.dropIfUnused(g);
                return done(JoinResult.error(Errors.INCONSISTENT_GROUP_PROTOCOL, memberId));
            }
            boolean known = !unknown && (g.has(memberId) || g.pendingMembers.containsKey(memberId));
            if (!known && g.members.size() + g.pendingMembers.size() >= c.config.maxSize()
                    && !(r.groupInstanceId() != null && g.staticMembers.containsKey(r.groupInstanceId()))) {
                c.dropIfUnused(g);
                return done(JoinResult.error(Errors.GROUP_MAX_SIZE_REACHED, memberId));
            }
            return unknown ? joinNewMember(g, r, protocols, now) : joinKnownMember(g, r, memberId, protocols, now);
        }
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
        c.rebalance.maybePrepareRebalance(g, now, "member " + memberId + " joined");
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
        c.rebalance.maybePrepareRebalance(g, now, "member " + m.memberId + " rejoined");
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
                return c.writer.persist(g).replicated().thenApply(e -> {
                    synchronized (c) {
                        if (e == Errors.NONE) {
                            LOG.fine(() -> "static member " + r.groupInstanceId() + " of group " + g.groupId + " rejoined as " + newId);
                            boolean skip = r.supportsSkipAssignment();
                            return g.joinResult(m, skip, skip && newId.equals(g.leaderId));
                        }
                        if (c.isCurrent(g) && newId.equals(g.staticMembers.get(m.groupInstanceId))) {
                            m.protocols = old.protocols;
                            m.clientId = old.clientId;
                            m.clientHost = old.clientHost;
                            m.rebalanceTimeoutMs = old.rebalanceTimeoutMs;
                            m.sessionTimeoutMs = old.sessionTimeoutMs;
                            g.replaceStatic(newId, oldId);
                            m.heartbeatDeadline = c.time.milliseconds() + m.sessionTimeoutMs;
                        }
                        return JoinResult.error(OffsetsWriter.clientError(e), "");
                    }
                });
            }
        }
        return updateMemberAndRebalance(g, m, r, protocols, now);
    }

    // ---------------------------------------------------------------- SyncGroup

    CompletableFuture<SyncResult> sync(String groupId, int generationId, String memberId, String groupInstanceId,
            String protocolType, String protocolName, Map<String, byte[]> assignments) {
        synchronized (c) {
            Errors e = c.checkCoordinator(groupId);
            if (e != Errors.NONE) {
                return done(SyncResult.error(e));
            }
            ClassicGroup g = c.groups.get(groupId);
            Errors invalid = validateMember(g, memberId, groupInstanceId, generationId);
            if (invalid != Errors.NONE) {
                return done(SyncResult.error(invalid));
            }
            if (protocolType != null && !protocolType.equals(g.protocolType)
                    || protocolName != null && !protocolName.equals(g.protocolName)) {
                return done(SyncResult.error(Errors.INCONSISTENT_GROUP_PROTOCOL));
            }
            long now = c.time.milliseconds();
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
                        c.writer.persist(g).replicated().thenAccept(stored -> assignmentStored(g, generation, stored));
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
    }

    /**
     * The leader's assignment for {@code generation} was stored (or not): the group becomes
     * Stable and every waiting member gets its assignment, or they all get the error and the group
     * rebalances. Nothing if the group moved on meanwhile.
     */
    private void assignmentStored(ClassicGroup g, int generation, Errors stored) {
        synchronized (c) {
            if (!c.isCurrent(g) || g.state != GroupState.COMPLETING_REBALANCE || g.generationId != generation) {
                return;
            }
            long now = c.time.milliseconds();
            if (stored != Errors.NONE) {
                c.rebalance.resetAssignments(g, OffsetsWriter.clientError(stored));
                c.rebalance.prepareRebalance(g, now, "storing the assignment failed: " + stored);
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
    }

    // ---------------------------------------------------------------- Heartbeat, LeaveGroup

    Errors heartbeat(String groupId, String memberId, String groupInstanceId, int generationId) {
        synchronized (c) {
            Errors e = c.checkCoordinator(groupId);
            if (e == Errors.COORDINATOR_LOAD_IN_PROGRESS) {
                return Errors.NONE; // as Kafka: the group is still loading, answer blindly
            }
            if (e != Errors.NONE) {
                return e;
            }
            ClassicGroup g = c.groups.get(groupId);
            Errors invalid = validateMember(g, memberId, groupInstanceId, generationId);
            if (invalid != Errors.NONE) {
                return invalid;
            }
            Member m = g.members.get(memberId);
            m.heartbeatDeadline = c.time.milliseconds() + m.sessionTimeoutMs;
            return g.state == GroupState.PREPARING_REBALANCE ? Errors.REBALANCE_IN_PROGRESS : Errors.NONE;
        }
    }

    /** Removes members; returns the group-level error and one error per leaving member, in order. */
    Map.Entry<Errors, List<Errors>> leave(String groupId, List<GroupCoordinator.Leaving> leaving) {
        synchronized (c) {
            Errors e = c.checkCoordinator(groupId);
            if (e != Errors.NONE) {
                return Map.entry(e, List.of());
            }
            ClassicGroup g = c.groups.get(groupId);
            List<Errors> out = new ArrayList<>();
            long now = c.time.milliseconds();
            for (GroupCoordinator.Leaving l : leaving) {
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
                    c.rebalance.maybeCompleteJoin(g, now);
                    out.add(Errors.NONE);
                    continue;
                }
                Member m = memberId == null ? null : g.members.get(memberId);
                if (m == null) {
                    out.add(Errors.UNKNOWN_MEMBER_ID);
                    continue;
                }
                c.rebalance.removeMemberAndRebalance(g, m, now, "member " + memberId + " left");
                out.add(Errors.NONE);
            }
            return Map.entry(Errors.NONE, out);
        }
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

    private static <T> CompletableFuture<T> done(T value) {
        return CompletableFuture.completedFuture(value);
    }
}
