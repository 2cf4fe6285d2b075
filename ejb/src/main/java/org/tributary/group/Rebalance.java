package org.tributary.group;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Logger;
import org.apache.kafka.common.protocol.Errors;

/**
 * The rebalance half of the classic state machine: entering PreparingRebalance (with the initial
 * delay for an empty group), ending the join phase into the next generation, dropping members,
 * and the deadlines (session timeouts, join and sync phases, pending members). Runs under the
 * coordinator's lock; every method is called with it held.
 */
final class Rebalance {
    private static final Logger LOG = Logger.getLogger(Rebalance.class.getName());

    private final GroupCoordinator c;

    Rebalance(GroupCoordinator coordinator) {
        this.c = coordinator;
    }

    /** Checks one group's deadlines against {@code now}. */
    void checkDeadlines(ClassicGroup g, long now) {
        boolean pendingExpired = g.pendingMembers.values().removeIf(deadline -> deadline <= now);
        for (Member m : List.copyOf(g.members.values())) {
            // members waiting for a join or sync phase are kept alive by it (as Kafka does), then get a fresh session
            boolean keptAlive = m.awaitingJoin != null || m.awaitingSync != null || g.pendingSync.contains(m.memberId);
            if (keptAlive) {
                m.heartbeatDeadline = Math.max(m.heartbeatDeadline, now + m.sessionTimeoutMs);
            } else if (now >= m.heartbeatDeadline && g.members.containsKey(m.memberId)) {
                LOG.info("TRIB-GRP-001 member " + m.memberId + " of group " + g.groupId + " missed its session timeout ("
                        + m.sessionTimeoutMs + " ms); removing it");
                removeMemberAndRebalance(g, m, now, "session timeout of " + m.memberId);
            }
        }
        if (g.state == GroupState.PREPARING_REBALANCE) {
            if (g.rebalanceDeadline >= 0 && now >= g.rebalanceDeadline) {
                if (g.initialDelay && g.newMemberAdded && g.initialDelayRemainingMs > 0) {
                    long delay = Math.min(c.config.initialRebalanceDelayMs(), g.initialDelayRemainingMs);
                    g.initialDelayRemainingMs -= delay;
                    g.newMemberAdded = false;
                    g.rebalanceDeadline = now + delay;
                } else {
                    completeJoin(g, now);
                }
            } else {
                maybeCompleteJoin(g, now);
            }
        }
        if (g.syncDeadline >= 0 && now >= g.syncDeadline
                && (g.state == GroupState.COMPLETING_REBALANCE || g.state == GroupState.STABLE)) {
            g.syncDeadline = -1L;
            if (!g.pendingSync.isEmpty()) {
                for (String id : List.copyOf(g.pendingSync)) {
                    Member m = g.members.get(id);
                    if (m != null) {
                        failMember(g, m);
                    }
                }
                prepareRebalance(g, now, "members did not sync in time");
            }
        }
        if (pendingExpired && g.state == GroupState.EMPTY) {
            c.dropIfUnused(g); // only a KIP-394 pending member that never came back
        }
    }

    void maybePrepareRebalance(ClassicGroup g, long now, String reason) {
        if (g.state == GroupState.PREPARING_REBALANCE) {
            maybeCompleteJoin(g, now);
        } else {
            prepareRebalance(g, now, reason);
        }
    }

    void prepareRebalance(ClassicGroup g, long now, String reason) {
        if (g.state == GroupState.COMPLETING_REBALANCE) {
            resetAssignments(g, Errors.REBALANCE_IN_PROGRESS);
        }
        g.pendingSync.clear();
        g.syncDeadline = -1L;
        boolean wasEmpty = g.state == GroupState.EMPTY;
        g.transitionTo(GroupState.PREPARING_REBALANCE, now);
        LOG.fine(() -> "group " + g.groupId + " rebalancing (generation " + g.generationId + "): " + reason);
        if (wasEmpty && c.config.initialRebalanceDelayMs() > 0) {
            g.initialDelay = true;
            g.newMemberAdded = false;
            g.initialDelayRemainingMs = Math.max(0, g.rebalanceTimeoutMs() - c.config.initialRebalanceDelayMs());
            g.rebalanceDeadline = now + c.config.initialRebalanceDelayMs();
        } else {
            g.initialDelay = false;
            g.rebalanceDeadline = now + g.rebalanceTimeoutMs();
            maybeCompleteJoin(g, now);
        }
    }

    void maybeCompleteJoin(ClassicGroup g, long now) {
        if (g.state == GroupState.PREPARING_REBALANCE && !g.initialDelay && g.allMembersJoined()) {
            completeJoin(g, now);
        }
    }

    /** Ends the join phase: members that did not rejoin are dropped, the next generation starts. */
    void completeJoin(ClassicGroup g, long now) {
        for (Member m : List.copyOf(g.members.values())) {
            if (m.awaitingJoin == null) {
                failMember(g, m);
            }
        }
        g.pendingMembers.clear();
        g.rebalanceDeadline = -1L;
        g.initialDelay = false;
        g.generationId++;
        if (g.isEmpty()) {
            g.protocolName = null;
            g.leaderId = null;
            g.transitionTo(GroupState.EMPTY, now);
            c.writer.persist(g).replicated().thenAccept(e -> {
                if (e != Errors.NONE) { // as Kafka: the previous generation may come back after a failover, with no live members
                    LOG.warning("TRIB-GRP-002 cannot store that group " + g.groupId + " is empty: " + e);
                }
            });
            return;
        }
        g.protocolName = g.selectProtocol();
        g.transitionTo(GroupState.COMPLETING_REBALANCE, now);
        if (g.leaderId == null || !g.has(g.leaderId)) {
            g.leaderId = g.members.keySet().iterator().next();
        }
        for (Member m : g.members.values()) {
            CompletableFuture<JoinResult> f = m.awaitingJoin;
            m.awaitingJoin = null;
            m.isNew = false;
            m.heartbeatDeadline = now + m.sessionTimeoutMs;
            g.pendingSync.add(m.memberId);
            f.complete(g.joinResult(m, true, false));
        }
        g.syncDeadline = now + g.rebalanceTimeoutMs();
    }

    void resetAssignments(ClassicGroup g, Errors error) {
        for (Member m : g.members.values()) {
            m.assignment = new byte[0];
            if (m.awaitingSync != null) {
                m.awaitingSync.complete(SyncResult.error(error));
                m.awaitingSync = null;
            }
        }
    }

    /** Removes a member without touching the group state; completes what it waits for with UNKNOWN_MEMBER_ID. */
    void failMember(ClassicGroup g, Member m) {
        m.failWaiting(Errors.UNKNOWN_MEMBER_ID);
        g.remove(m.memberId);
    }

    void removeMemberAndRebalance(ClassicGroup g, Member m, long now, String reason) {
        failMember(g, m);
        switch (g.state) {
            case STABLE, COMPLETING_REBALANCE -> prepareRebalance(g, now, reason);
            case PREPARING_REBALANCE -> maybeCompleteJoin(g, now);
            default -> {
            }
        }
    }
}
