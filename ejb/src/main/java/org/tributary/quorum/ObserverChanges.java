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
 * leader; voters stay as they are. An addition is made to the leader's configuration, whatever
 * this member knows; a removal is a compare-and-set against this member's configuration. Blocks until the change is committed or the client's retry
 * policy gives up (bounded by the request timeout). Stateless.
 */
final class ObserverChanges {
    private ObserverChanges() {
    }

    /** The configuration of the first voter (the known leader first) that answers. */
    private static org.apache.ratis.proto.RaftProtos.RaftConfigurationProto votersConf(RaftClient client,
            RaftServer.Division division) {
        List<RaftPeer> voters = new ArrayList<>(division.getRaftConf().getCurrentPeers(RaftPeerRole.FOLLOWER));
        org.apache.ratis.protocol.RaftPeerId leader = division.getInfo().getLeaderId();
        voters.sort(java.util.Comparator.comparing(p -> !p.getId().equals(leader)));
        IOException last = null;
        for (RaftPeer v : voters) {
            try {
                java.util.Optional<org.apache.ratis.proto.RaftProtos.RaftConfigurationProto> conf = client.getGroupManagementApi(
                        v.getId()).info(division.getMemberId().getGroupId()).getConf();
                if (conf.isPresent()) {
                    return conf.get();
                }
            } catch (IOException e) {
                last = e;
            }
        }
        throw Failures.map(last != null ? last : new IOException("no voter answered"), "observer change");
    }

    /** {@code addressOrNull == null} removes observer {@code id}. */
    static void apply(RaftClient client, RaftServer.Division division, java.util.Map<Integer, String> voters, int id,
            String addressOrNull) {
        if (voters.containsKey(id)) {
            throw new IllegalArgumentException("node " + id + " is a voter");
        }
        if (addressOrNull != null && !QuorumConfig.Builder.validHostPort(addressOrNull)) {
            throw new IllegalArgumentException("observer address '" + addressOrNull + "' is not host:port");
        }
        SetConfigurationRequest.Arguments change;
        if (addressOrNull != null) {
            // against a voter's configuration: this member's own may be only its start-up one (a new
            // observer knows the voters and itself, not the other observers); a compare-and-set, so
            // a voter that lags fails the change (the caller tries again) instead of undoing others
            org.apache.ratis.proto.RaftProtos.RaftConfigurationProto conf = votersConf(client, division);
            if (conf.getOldPeersCount() > 0) {
                throw new QuorumException(QuorumException.Kind.NOT_LEADER, "observer change: another change is in progress");
            }
            List<RaftPeer> servers = org.apache.ratis.util.ProtoUtils.toRaftPeers(conf.getPeersList());
            List<RaftPeer> listeners = org.apache.ratis.util.ProtoUtils.toRaftPeers(conf.getListenersList());
            if (servers.stream().anyMatch(p -> GroupIds.nodeId(p.getId()) == id)) {
                QuorumLog.LOG.info(() -> "TRIB-0115 Node " + id + " is a voter of the quorum; it joins as one, not as an observer");
                return;
            }
            if (listeners.stream().anyMatch(p -> GroupIds.nodeId(p.getId()) == id && p.getAddress().equals(addressOrNull))) {
                return; // already there
            }
            List<RaftPeer> next = new ArrayList<>(listeners);
            next.removeIf(p -> GroupIds.nodeId(p.getId()) == id);
            next.add(RaftQuorum.peer(id, addressOrNull, RaftPeerRole.LISTENER));
            change = SetConfigurationRequest.Arguments.newBuilder().setMode(SetConfigurationRequest.Mode.COMPARE_AND_SET)
                    .setServersInCurrentConf(servers).setListenersInCurrentConf(listeners)
                    .setServersInNewConf(servers).setListenersInNewConf(next).build();
        } else {
            // a compare-and-set against what this member knows: a stale view fails instead of undoing changes
            RaftConfiguration conf = division.getRaftConf();
            List<RaftPeer> servers = new ArrayList<>(conf.getCurrentPeers(RaftPeerRole.FOLLOWER));
            List<RaftPeer> listeners = new ArrayList<>(conf.getCurrentPeers(RaftPeerRole.LISTENER));
            List<RaftPeer> remaining = new ArrayList<>(listeners);
            remaining.removeIf(p -> GroupIds.nodeId(p.getId()) == id);
            change = SetConfigurationRequest.Arguments.newBuilder().setMode(SetConfigurationRequest.Mode.COMPARE_AND_SET)
                    .setServersInCurrentConf(servers).setListenersInCurrentConf(listeners)
                    .setServersInNewConf(servers).setListenersInNewConf(remaining).build();
        }
        try {
            RaftClientReply reply = client.admin().setConfiguration(change);
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
