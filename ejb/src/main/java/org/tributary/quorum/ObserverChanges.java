package org.tributary.quorum;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.SetConfigurationRequest;
import org.apache.ratis.server.RaftConfiguration;
import org.apache.ratis.server.RaftServer;

/**
 * Adds or removes one observer (a Ratis LISTENER) with a Raft configuration change sent to the
 * leader; voters stay as they are. Blocks until the change is committed or the client's retry
 * policy gives up (bounded by the request timeout). Stateless.
 */
final class ObserverChanges {
    private ObserverChanges() {
    }

    /** {@code addressOrNull == null} removes observer {@code id}. */
    static void apply(RaftClient client, RaftServer.Division division, QuorumConfig cfg, int id, String addressOrNull) {
        if (cfg.voters().containsKey(id)) {
            throw new IllegalArgumentException("node " + id + " is a voter");
        }
        if (addressOrNull != null && !QuorumConfig.Builder.validHostPort(addressOrNull)) {
            throw new IllegalArgumentException("observer address '" + addressOrNull + "' is not host:port");
        }
        RaftConfiguration conf = division.getRaftConf();
        List<RaftPeer> listeners = new ArrayList<>();
        for (RaftPeer p : conf.getCurrentPeers(RaftPeerRole.LISTENER)) {
            if (GroupIds.nodeId(p.getId()) != id) {
                listeners.add(p);
            }
        }
        if (addressOrNull != null) {
            listeners.add(RaftQuorum.peer(id, addressOrNull, RaftPeerRole.LISTENER));
        }
        List<RaftPeer> voters = new ArrayList<>(conf.getCurrentPeers(RaftPeerRole.FOLLOWER));
        try {
            RaftClientReply reply = client.admin().setConfiguration(SetConfigurationRequest.Arguments.newBuilder()
                    .setServersInNewConf(voters).setListenersInNewConf(listeners).build());
            if (!reply.isSuccess()) {
                throw Failures.map(reply.getException(), "observer change");
            }
        } catch (IOException e) {
            throw Failures.map(e, "observer change");
        }
        QuorumLog.LOG.info(() -> "TRIB-0115 Observer " + id + (addressOrNull == null ? " removed" : " added at "
                + addressOrNull));
    }
}
