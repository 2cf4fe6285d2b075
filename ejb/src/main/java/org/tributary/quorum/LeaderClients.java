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
    private final RatisStateMachine sm;
    /** Guarded by this. */
    private RaftClient general;
    /** The voters {@link #general} was made with; guarded by this. */
    private Map<Integer, String> generalVoters;
    /** Earlier general clients, still possibly in use by a caller; closed with the rest. Guarded by this. */
    private final List<RaftClient> retired = new ArrayList<>();
    private final Map<Integer, RaftClient> byLeader = new ConcurrentHashMap<>();
    private volatile boolean closed;

    LeaderClients(QuorumConfig cfg, RaftGroupId groupId, RatisStateMachine sm) {
        this.cfg = cfg;
        this.groupId = groupId;
        this.sm = sm;
        this.generalVoters = voters();
        this.general = newClient(null, generalVoters);
    }

    /**
     * The client that follows the engine's own guess of the leader (configuration changes). Made
     * again when the voters changed since it was made: the engine's client learns a new leader from
     * the voters it was built with, and after voters were replaced none of those may answer.
     */
    RaftClient general() {
        Map<Integer, String> now = voters();
        synchronized (this) {
            if (!closed && !now.equals(generalVoters)) {
                retired.add(general);
                general = newClient(null, now);
                generalVoters = now;
            }
            return general;
        }
    }

    /**
     * The voters in the engine's configuration now (the configured ones until it runs), each at the
     * address this member's settings give it when they name it (they may differ from the leader's
     * view of the address, e.g. through a proxy), else at the configuration's address.
     */
    private Map<Integer, String> voters() {
        org.apache.ratis.server.RaftServer.Division d = sm.division();
        if (d == null) {
            return cfg.voters();
        }
        Map<Integer, String> out = new java.util.TreeMap<>();
        for (RaftPeer p : d.getRaftConf().getCurrentPeers(RaftPeerRole.FOLLOWER)) {
            int id = GroupIds.nodeId(p.getId());
            String configured = cfg.voters().containsKey(id) ? cfg.voters().get(id) : cfg.observers().get(id);
            out.put(id, configured != null ? configured : p.getAddress());
        }
        return out;
    }

    /** The client that starts at {@code leader} (null, not a voter, or closed: the general one). */
    RaftClient forLeader(RaftPeerId leader) {
        Map<Integer, String> voters = voters();
        if (leader == null || closed || !voters.containsKey(GroupIds.nodeId(leader))) {
            return general();
        }
        try {
            return byLeader.computeIfAbsent(GroupIds.nodeId(leader), id -> newClient(leader, voters));
        } catch (RuntimeException e) {
            QuorumLog.LOG.fine(() -> "no client for leader " + leader + ": " + e);
            return general();
        }
    }

    private RaftClient newClient(RaftPeerId leader, Map<Integer, String> members) {
        List<RaftPeer> voters = new ArrayList<>();
        members.forEach((id, address) -> voters.add(RaftQuorum.peer(id, address, RaftPeerRole.FOLLOWER)));
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
        boolean clean;
        synchronized (this) {
            closed = true;
            clean = closeQuietly(general);
            for (RaftClient c : retired) {
                clean &= closeQuietly(c);
            }
        }
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
