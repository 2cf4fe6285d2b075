package org.tributary.quorum;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.leader.FollowerInfo;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.raftlog.RaftLog;

/** Reads a {@link QuorumStatus} from a Ratis division. Stateless; every value is read once, without locks. */
final class StatusReader {
    private StatusReader() {
    }

    static QuorumStatus read(int localId, MemberState state, RaftServer.Division d, FollowerTracker tracker) {
        if (d == null || state != MemberState.RUNNING) {
            return new QuorumStatus(localId, state, QuorumRole.NONE, -1, -1, -1, -1, -1, List.of(), List.of());
        }
        DivisionInfo info = d.getInfo();
        RaftLog log = d.getRaftLog();
        boolean leader = info.isLeader();
        long highWatermark = log.getLastCommittedIndex();
        TermIndex last = log.getLastEntryTermIndex();
        long localEnd = last == null ? -1 : last.getIndex();
        long now = System.currentTimeMillis();
        if (leader) {
            tracker.sample(highWatermark);
        }
        Collection<RaftPeer> voterPeers = d.getRaftConf().getCurrentPeers(RaftPeerRole.FOLLOWER);
        Collection<RaftPeer> observerPeers = d.getRaftConf().getCurrentPeers(RaftPeerRole.LISTENER);
        List<QuorumStatus.ReplicaState> voters = new ArrayList<>();
        List<QuorumStatus.ReplicaState> observers = new ArrayList<>();
        for (RaftPeer p : voterPeers) {
            voters.add(replica(localId, p, leader, localEnd, now, tracker));
        }
        for (RaftPeer p : observerPeers) {
            observers.add(replica(localId, p, leader, localEnd, now, tracker));
        }
        voters.sort(Comparator.comparingInt(QuorumStatus.ReplicaState::id));
        observers.sort(Comparator.comparingInt(QuorumStatus.ReplicaState::id));
        // the engine keeps a voter that was made an observer in its old local role until it restarts;
        // it votes no more (it is not among the voters), so it is reported as what it is
        QuorumRole role = role(info);
        if ((role == QuorumRole.FOLLOWER || role == QuorumRole.CANDIDATE)
                && voterPeers.stream().noneMatch(p -> GroupIds.nodeId(p.getId()) == localId)
                && observerPeers.stream().anyMatch(p -> GroupIds.nodeId(p.getId()) == localId)) {
            role = QuorumRole.OBSERVER;
        }
        return new QuorumStatus(localId, state, role, GroupIds.nodeId(info.getLeaderId()), info.getCurrentTerm(),
                highWatermark, info.getLastAppliedIndex(), log.getStartIndex(), voters, observers);
    }

    private static QuorumStatus.ReplicaState replica(int localId, RaftPeer p, boolean leader, long localEnd, long now,
            FollowerTracker tracker) {
        int id = GroupIds.nodeId(p.getId());
        if (id == localId) {
            return leader ? new QuorumStatus.ReplicaState(id, localEnd, now, now, 0)
                    : new QuorumStatus.ReplicaState(id, localEnd, -1, -1, -1);
        }
        FollowerInfo f = leader ? tracker.follower(p.getId()) : null;
        if (f == null) {
            return new QuorumStatus.ReplicaState(id, -1, -1, -1, -1);
        }
        long match = f.getMatchIndex();
        long lastFetch = now - f.getLastRpcResponseTime().elapsedTimeMs();
        return new QuorumStatus.ReplicaState(id, match, lastFetch, tracker.lastCaughtUpMillis(p.getId()),
                Math.max(0, localEnd - match));
    }

    static QuorumRole role(DivisionInfo info) {
        RaftPeerRole r = info.getCurrentRole();
        if (r == null) {
            return QuorumRole.NONE;
        }
        switch (r) {
            case LEADER:
                return QuorumRole.LEADER;
            case FOLLOWER:
                return QuorumRole.FOLLOWER;
            case CANDIDATE:
                return QuorumRole.CANDIDATE;
            case LISTENER:
                return QuorumRole.OBSERVER;
            default:
                return QuorumRole.NONE;
        }
    }
}
