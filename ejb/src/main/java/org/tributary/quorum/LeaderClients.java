package org.tributary.quorum;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;

/**
 * A member's engine clients of the voters: one general client, and one per voter that starts at
 * that voter. Why: the engine's client keeps the leader it last heard from until a request to it
 * fails, so after a leader stops (SIGSTOP: nothing is refused) its next request would first wait
 * out a whole request timeout there, while this member's own Raft state names the new leader as
 * soon as it is elected; {@link #forLeader} picks the client that starts there. Per-voter clients
 * are made on first use and kept until {@link #close}. Thread-safe.
 */
final class LeaderClients {
    private final QuorumConfig cfg;
    private final RaftGroupId groupId;
    private final RaftClient general;
    private final Map<Integer, RaftClient> byLeader = new ConcurrentHashMap<>();
    private volatile boolean closed;

    LeaderClients(QuorumConfig cfg, RaftGroupId groupId) {
        this.cfg = cfg;
        this.groupId = groupId;
        this.general = newClient(null);
    }

    /** The client that follows the engine's own guess of the leader (configuration changes). */
    RaftClient general() {
        return general;
    }

    /** The client that starts at {@code leader} (null, not a voter, or closed: the general one). */
    RaftClient forLeader(RaftPeerId leader) {
        if (leader == null || closed || !cfg.voters().containsKey(GroupIds.nodeId(leader))) {
            return general;
        }
        try {
            return byLeader.computeIfAbsent(GroupIds.nodeId(leader), id -> newClient(leader));
        } catch (RuntimeException e) {
            QuorumLog.LOG.fine(() -> "no client for leader " + leader + ": " + e);
            return general;
        }
    }

    private RaftClient newClient(RaftPeerId leader) {
        List<RaftPeer> voters = new ArrayList<>();
        cfg.voters().forEach((id, address) -> voters.add(RaftQuorum.peer(id, address, RaftPeerRole.FOLLOWER)));
        RaftClient.Builder b = RaftClient.newBuilder()
                .setClientId(ClientId.randomId())
                .setRaftGroup(RaftGroup.valueOf(groupId, voters))
                .setProperties(RatisSettings.client(cfg))
                .setParameters(cfg.tls().map(t -> RatisSettings.tlsParameters(t, cfg.localId())).orElseGet(Parameters::new))
                .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(
                        (int) Math.max(1, cfg.requestTimeout().toMillis() / 100), RatisSettings.ms(100)));
        if (leader != null) {
            b.setLeaderId(leader);
        }
        return b.build();
    }

    /** Closes every client; returns whether all closed cleanly. */
    boolean close() {
        closed = true;
        boolean clean = closeQuietly(general);
        for (RaftClient c : byLeader.values()) {
            clean &= closeQuietly(c);
        }
        return clean;
    }

    private static boolean closeQuietly(RaftClient c) {
        try {
            c.close();
            return true;
        } catch (Exception e) {
            QuorumLog.LOG.log(java.util.logging.Level.WARNING, e, () -> "TRIB-0103 Closing an engine client failed: " + e);
            return false;
        }
    }
}
