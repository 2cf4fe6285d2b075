package org.tributary.quorum;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.SetConfigurationRequest;
import org.apache.ratis.protocol.exceptions.ReconfigurationInProgressException;
import org.apache.ratis.protocol.exceptions.SetConfigurationException;
import org.apache.ratis.server.RaftConfiguration;
import org.apache.ratis.server.RaftServer;

/**
 * Changes who votes (KIP-853's add and remove controller) with one Raft configuration change: a
 * running observer becomes a voter at the address it already follows from, or a voter becomes an
 * observer, so the node keeps following the metadata log either way. Every other member keeps its
 * role. The change is a compare-and-set against the configuration this member saw, so two
 * concurrent changes cannot undo each other (the loser gets {@link VoterChangeException.Kind#CHANGE_IN_PROGRESS}).
 * Blocks until the change is committed or the client's retry policy gives up (bounded by the
 * request timeout). Stateless.
 */
final class VoterChanges {
    private VoterChanges() {
    }

    /** Observer {@code id} becomes a voter. */
    static void promote(RaftClient client, RaftServer.Division division, int id) {
        RaftConfiguration conf = stable(division);
        List<RaftPeer> voters = new ArrayList<>(conf.getCurrentPeers(RaftPeerRole.FOLLOWER));
        List<RaftPeer> listeners = new ArrayList<>(conf.getCurrentPeers(RaftPeerRole.LISTENER));
        if (find(voters, id).isPresent()) {
            throw new VoterChangeException(VoterChangeException.Kind.DUPLICATE_VOTER, "node " + id + " is a voter already");
        }
        RaftPeer observer = find(listeners, id).orElseThrow(() -> new VoterChangeException(
                VoterChangeException.Kind.NOT_AN_OBSERVER, "node " + id + " does not follow the metadata quorum (observers: "
                        + ids(listeners) + "); start it, let it join as an observer, then add it"));
        List<RaftPeer> newVoters = new ArrayList<>(voters);
        newVoters.add(RaftQuorum.peer(id, observer.getAddress(), RaftPeerRole.FOLLOWER));
        List<RaftPeer> newListeners = new ArrayList<>(listeners);
        newListeners.remove(observer);
        change(client, voters, listeners, newVoters, newListeners, "add voter " + id);
        QuorumLog.LOG.info(() -> "TRIB-0119 Node " + id + " is now a voter of the metadata quorum (voters " + ids(newVoters) + ")");
    }

    /** Voter {@code id} becomes an observer. */
    static void demote(RaftClient client, RaftServer.Division division, int id) {
        RaftConfiguration conf = stable(division);
        List<RaftPeer> voters = new ArrayList<>(conf.getCurrentPeers(RaftPeerRole.FOLLOWER));
        List<RaftPeer> listeners = new ArrayList<>(conf.getCurrentPeers(RaftPeerRole.LISTENER));
        RaftPeer voter = find(voters, id).orElseThrow(() -> new VoterChangeException(VoterChangeException.Kind.VOTER_NOT_FOUND,
                "node " + id + " is not a voter (voters: " + ids(voters) + ")"));
        if (voters.size() == 1) {
            throw new VoterChangeException(VoterChangeException.Kind.LAST_VOTER, "node " + id
                    + " is the only voter; add another voter before removing it");
        }
        List<RaftPeer> newVoters = new ArrayList<>(voters);
        newVoters.remove(voter);
        if (voter.getId().equals(division.getInfo().getLeaderId())) {
            // the engine lets a leader that removed itself lead on; so it hands leadership over first
            handOver(client, newVoters.get(0), id);
        }
        List<RaftPeer> newListeners = new ArrayList<>(listeners);
        newListeners.add(RaftQuorum.peer(id, voter.getAddress(), RaftPeerRole.LISTENER));
        change(client, voters, listeners, newVoters, newListeners, "remove voter " + id);
        QuorumLog.LOG.info(() -> "TRIB-0119 Node " + id + " is no longer a voter of the metadata quorum; it follows as an"
                + " observer (voters " + ids(newVoters) + ")");
    }

    /** Moves leadership from {@code from} to {@code to} (which must be caught up), waiting at most the request timeout. */
    private static void handOver(RaftClient client, RaftPeer to, int from) {
        try {
            RaftClientReply reply = client.admin().transferLeadership(to.getId(), HAND_OVER_MS);
            if (!reply.isSuccess()) {
                throw refused(reply.getException(), "hand leadership from " + from + " to " + GroupIds.nodeId(to.getId()));
            }
        } catch (IOException e) {
            throw refused(e, "hand leadership from " + from + " to " + GroupIds.nodeId(to.getId()));
        }
        QuorumLog.LOG.info(() -> "TRIB-0119 Leader " + from + " handed leadership to " + GroupIds.nodeId(to.getId())
                + " before leaving the voters");
    }

    private static final long HAND_OVER_MS = 3_000;

    private static RaftConfiguration stable(RaftServer.Division division) {
        RaftConfiguration conf = division.getRaftConf();
        if (!conf.getPreviousPeers().isEmpty()) {
            throw new VoterChangeException(VoterChangeException.Kind.CHANGE_IN_PROGRESS,
                    "another change of the quorum's members is in progress; retry when it has finished");
        }
        return conf;
    }

    private static void change(RaftClient client, List<RaftPeer> voters, List<RaftPeer> listeners, List<RaftPeer> newVoters,
            List<RaftPeer> newListeners, String what) {
        try {
            RaftClientReply reply = client.admin().setConfiguration(SetConfigurationRequest.Arguments.newBuilder()
                    .setMode(SetConfigurationRequest.Mode.COMPARE_AND_SET)
                    .setServersInCurrentConf(voters).setListenersInCurrentConf(listeners)
                    .setServersInNewConf(newVoters).setListenersInNewConf(newListeners).build());
            if (!reply.isSuccess()) {
                throw refused(reply.getException(), what);
            }
        } catch (IOException e) {
            throw refused(e, what);
        }
    }

    private static RuntimeException refused(Throwable t, String what) {
        Throwable e = Failures.unwrap(t);
        if (e instanceof ReconfigurationInProgressException || e instanceof SetConfigurationException) {
            return new VoterChangeException(VoterChangeException.Kind.CHANGE_IN_PROGRESS, what + ": the quorum's members changed"
                    + " meanwhile or another change is in progress (" + e.getMessage() + "); retry");
        }
        return Failures.map(e, what);
    }

    private static Optional<RaftPeer> find(List<RaftPeer> peers, int id) {
        return peers.stream().filter(p -> GroupIds.nodeId(p.getId()) == id).findFirst();
    }

    private static List<Integer> ids(List<RaftPeer> peers) {
        return peers.stream().map(p -> GroupIds.nodeId(p.getId())).sorted().toList();
    }
}
