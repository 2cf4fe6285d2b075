package org.tributary.group;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One member of a classic group. Mutable; guarded by the coordinator's lock. A member waiting for
 * the join phase to end holds {@link #awaitingJoin}; one waiting for the leader's assignment
 * holds {@link #awaitingSync}: those futures are the delayed operations the coordinator completes
 * on events (all members joined, leader synced, rebalance or session timeout).
 */
final class Member {
    /** A protocol (assignor) the member supports with its metadata, in the member's order of preference. */
    record Protocol(String name, byte[] metadata) {
    }

    String memberId;
    final String groupInstanceId;
    String clientId;
    String clientHost;
    int rebalanceTimeoutMs;
    int sessionTimeoutMs;
    String protocolType;
    List<Protocol> protocols;
    byte[] assignment = new byte[0];
    CompletableFuture<JoinResult> awaitingJoin;
    CompletableFuture<SyncResult> awaitingSync;
    long heartbeatDeadline;
    boolean isNew;

    Member(String memberId, String groupInstanceId, String clientId, String clientHost, int rebalanceTimeoutMs,
            int sessionTimeoutMs, String protocolType, List<Protocol> protocols) {
        this.memberId = memberId;
        this.groupInstanceId = groupInstanceId;
        this.clientId = clientId;
        this.clientHost = clientHost;
        this.rebalanceTimeoutMs = rebalanceTimeoutMs;
        this.sessionTimeoutMs = sessionTimeoutMs;
        this.protocolType = protocolType;
        this.protocols = List.copyOf(protocols);
    }

    /** Answers a waiting JoinGroup and SyncGroup, if any, with {@code error}. */
    void failWaiting(org.apache.kafka.common.protocol.Errors error) {
        if (awaitingJoin != null) {
            awaitingJoin.complete(JoinResult.error(error, memberId));
            awaitingJoin = null;
        }
        if (awaitingSync != null) {
            awaitingSync.complete(SyncResult.error(error));
            awaitingSync = null;
        }
    }

    boolean isStatic() {
        return groupInstanceId != null;
    }

    byte[] metadata(String protocol) {
        for (Protocol p : protocols) {
            if (p.name().equals(protocol)) {
                return p.metadata();
            }
        }
        return null;
    }

    boolean supports(String protocol) {
        return metadata(protocol) != null;
    }

    /** Same protocols with the same metadata, in the same order. */
    boolean sameProtocols(List<Protocol> other) {
        if (other.size() != protocols.size()) {
            return false;
        }
        for (int i = 0; i < other.size(); i++) {
            if (!other.get(i).name().equals(protocols.get(i).name())
                    || !java.util.Arrays.equals(other.get(i).metadata(), protocols.get(i).metadata())) {
                return false;
            }
        }
        return true;
    }
}
