package org.tributary.quorum;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.leader.FollowerInfo;

/**
 * Remembers, on a leader, the per-follower progress objects Ratis keeps (match index, last
 * answer), which Ratis does not publish otherwise; fed by {@link TrackingRpcType} each time a
 * leader starts replicating to a follower. Also remembers when each follower was last seen
 * holding every committed entry (sampled on each apply on the leader and on each status call).
 *
 * <p>Thread-safe: concurrent maps, written by Ratis threads and read by any caller.
 */
final class FollowerTracker {
    /** Parameters key under which the tracker travels to {@link TrackingRpcType}. */
    static final String PARAMETER = "tributary.quorum.follower-tracker";

    private final Map<RaftPeerId, FollowerInfo> followers = new ConcurrentHashMap<>();
    private final Map<RaftPeerId, Long> caughtUpMillis = new ConcurrentHashMap<>();

    void register(FollowerInfo follower) {
        followers.put(follower.getId(), follower);
    }

    FollowerInfo follower(RaftPeerId id) {
        return followers.get(id);
    }

    /** Records as caught up every follower whose match index reached {@code committed}. */
    void sample(long committed) {
        long now = System.currentTimeMillis();
        for (FollowerInfo f : followers.values()) {
            if (f.getMatchIndex() >= committed) {
                long at = now - f.getLastRespondedAppendEntriesSendTime().elapsedTimeMs();
                caughtUpMillis.merge(f.getId(), at, Math::max);
            }
        }
    }

    long lastCaughtUpMillis(RaftPeerId id) {
        return caughtUpMillis.getOrDefault(id, -1L);
    }
}
