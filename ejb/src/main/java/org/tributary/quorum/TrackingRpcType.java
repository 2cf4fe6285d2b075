package org.tributary.quorum;

import org.apache.ratis.conf.Parameters;
import org.apache.ratis.netty.NettyFactory;
import org.apache.ratis.rpc.RpcFactory;
import org.apache.ratis.rpc.RpcType;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.leader.FollowerInfo;
import org.apache.ratis.server.leader.LeaderState;
import org.apache.ratis.server.leader.LogAppender;

/**
 * Ratis's Netty transport, unchanged except that each follower's progress object is handed to the
 * {@link FollowerTracker} found in the server's parameters (for {@link QuorumStatus}).
 *
 * <p>Ratis instantiates this class by name (the value of {@code raft.rpc.type}), through the
 * context class loader that was current when Ratis's {@code ReflectionUtils} was first loaded; so
 * it must stay public with a public no-argument constructor, and must be loadable by the same
 * class loader as Ratis (true when Ratis is bundled with the application). Stateless.
 */
public final class TrackingRpcType implements RpcType {

    @Override
    public String name() {
        return TrackingRpcType.class.getName();
    }

    @Override
    public RpcFactory newFactory(Parameters parameters) {
        return new Factory(parameters);
    }

    static final class Factory extends NettyFactory {
        private final FollowerTracker tracker;

        Factory(Parameters parameters) {
            super(parameters);
            this.tracker = parameters == null ? null : parameters.get(FollowerTracker.PARAMETER, FollowerTracker.class);
        }

        @Override
        public LogAppender newLogAppender(RaftServer.Division server, LeaderState state, FollowerInfo f) {
            if (tracker != null) {
                tracker.register(f);
            }
            return super.newLogAppender(server, state, f);
        }
    }
}
