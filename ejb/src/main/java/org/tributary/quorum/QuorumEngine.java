package org.tributary.quorum;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.logging.Level;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.storage.RaftStorage;

/**
 * One run of the Raft engine for a {@link RaftQuorum}: the Ratis server on the member's storage,
 * the bridge to the user's state machine, the follower tracker and the clients of the leader. A
 * member has one at a time; it opens another on the same storage (and the same user state
 * machine) when the engine must start over in another role. Immutable after {@link #open}.
 */
final class QuorumEngine {
    final RaftServer server;
    final RatisStateMachine sm;
    final FollowerTracker tracker;
    final LeaderClients clients;

    private QuorumEngine(RaftServer server, RatisStateMachine sm, FollowerTracker tracker, LeaderClients clients) {
        this.server = server;
        this.sm = sm;
        this.tracker = tracker;
        this.clients = clients;
    }

    /**
     * Opens the storage (recovering the log and loading the latest snapshot into {@code userSm}
     * when it is newer than what that holds) and starts the server. On failure nothing stays open.
     * The caller sets the context class loader (see {@link RaftQuorum#start}).
     */
    static QuorumEngine open(QuorumConfig cfg, ReplicatedStateMachine userSm, LeaderRequestHandler handler,
            List<Consumer<Map<Integer, String>>> votersListeners) throws IOException {
        RatisLogLevels.apply();
        RaftGroupId groupId = GroupIds.metadataGroup(cfg.clusterId());
        List<RaftPeer> all = new ArrayList<>(peers(cfg.voters(), RaftPeerRole.FOLLOWER));
        all.addAll(peers(cfg.observers(), RaftPeerRole.LISTENER));
        FollowerTracker tracker = new FollowerTracker();
        Parameters params = cfg.tls().map(t -> RatisSettings.tlsParameters(t, cfg.localId())).orElseGet(Parameters::new);
        params.put(FollowerTracker.PARAMETER, tracker, FollowerTracker.class);
        String local = cfg.bindAddress();
        int colon = local.lastIndexOf(':');
        RatisStateMachine ratisSm = new RatisStateMachine(cfg.localId(), userSm, handler, tracker, votersListeners);
        RaftServer server = null;
        LeaderClients clients = null;
        try {
            server = RaftServer.newBuilder()
                    .setServerId(GroupIds.peerId(cfg.localId()))
                    .setGroup(RaftGroup.valueOf(groupId, all))
                    .setStateMachine(ratisSm)
                    .setProperties(RatisSettings.server(cfg, local.substring(0, colon),
                            Integer.parseInt(local.substring(colon + 1))))
                    .setParameters(params)
                    .setOption(RaftStorage.StartupOption.RECOVER)
                    .build();
            server.start();
            clients = new LeaderClients(cfg, groupId, ratisSm);
            return new QuorumEngine(server, ratisSm, tracker, clients);
        } catch (IOException | RuntimeException e) {
            QuorumLog.LOG.severe(() -> "TRIB-0102 Quorum member " + cfg.localId() + " cannot start: " + e);
            ratisSm.beginClose();
            if (clients != null) {
                clients.close();
            }
            if (server != null) {
                closeQuietly(server);
            }
            throw e instanceof IOException io ? io : new IOException("Quorum member " + cfg.localId() + " cannot start", e);
        }
    }

    /** Submits a write of {@code content} to this (leading) member's own server. */
    java.util.concurrent.CompletableFuture<org.apache.ratis.protocol.RaftClientReply> submit(org.apache.ratis.protocol.ClientId client,
            long callId, org.apache.ratis.thirdparty.com.google.protobuf.ByteString content) throws IOException {
        return server.submitClientRequestAsync(org.apache.ratis.protocol.RaftClientRequest.newBuilder()
                .setClientId(client)
                .setServerId(server.getId())
                .setGroupId(sm.division().getMemberId().getGroupId())
                .setCallId(callId)
                .setMessage(org.apache.ratis.protocol.Message.valueOf(content))
                .setType(org.apache.ratis.protocol.RaftClientRequest.writeRequestType())
                .build());
    }

    /** The members with {@code role} in the engine's configuration now (id to address); {@code configured} until it runs. */
    Map<Integer, String> members(RaftPeerRole role, Map<Integer, String> configured) {
        RaftServer.Division d = sm.division();
        if (d == null) {
            return configured;
        }
        Map<Integer, String> out = new java.util.TreeMap<>();
        for (RaftPeer p : d.getRaftConf().getCurrentPeers(role)) {
            out.put(GroupIds.nodeId(p.getId()), p.getAddress());
        }
        return java.util.Collections.unmodifiableMap(out);
    }

    /**
     * Closes {@code old} (the state machine is not called again; its events end) and opens an engine
     * on the same storage with {@code observerCfg}, in which this member is an observer. Sets the
     * context class loader as {@link RaftQuorum#start} does.
     */
    static QuorumEngine reopenAsObserver(QuorumEngine old, QuorumConfig observerCfg, ReplicatedStateMachine userSm,
            LeaderRequestHandler handler, List<Consumer<Map<Integer, String>>> votersListeners) throws IOException {
        long t0 = System.nanoTime();
        old.sm.beginClose();
        old.clients.close();
        closeQuietly(old.server);
        try {
            old.sm.awaitEventsStopped(1000);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
        }
        Thread current = Thread.currentThread();
        ClassLoader previous = current.getContextClassLoader();
        current.setContextClassLoader(RaftQuorum.class.getClassLoader());
        try {
            QuorumEngine next = open(observerCfg, userSm, handler, votersListeners);
            QuorumLog.LOG.info(() -> "TRIB-0120 Quorum member " + observerCfg.localId() + " is no longer a voter: its engine"
                    + " started over as an observer in " + (System.nanoTime() - t0) / 1_000_000 + " ms (voters "
                    + observerCfg.voters().keySet() + ")");
            return next;
        } finally {
            current.setContextClassLoader(previous);
            RatisThreads.clearCallerThreadLocals();
        }
    }

    static List<RaftPeer> peers(Map<Integer, String> members, RaftPeerRole role) {
        List<RaftPeer> out = new ArrayList<>();
        members.forEach((id, address) -> out.add(RaftQuorum.peer(id, address, role)));
        return out;
    }

    static boolean closeQuietly(AutoCloseable c) {
        if (c == null) {
            return true;
        }
        try {
            c.close();
            return true;
        } catch (Exception e) {
            QuorumLog.LOG.log(Level.WARNING, e, () -> "TRIB-0103 Closing " + c.getClass().getSimpleName() + " failed: " + e);
            return false;
        }
    }
}
