package org.tributary.quorum;

import org.apache.ratis.conf.Parameters;
import org.apache.ratis.grpc.GrpcFactory;
import org.apache.ratis.rpc.RpcFactory;
import org.apache.ratis.rpc.RpcType;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.leader.FollowerInfo;
import org.apache.ratis.server.leader.LeaderState;
import org.apache.ratis.server.leader.LogAppender;

/**
 * Ratis's gRPC transport, unchanged except that each follower's progress object is handed to the
 * {@link FollowerTracker} found in the server's parameters (as {@link TrackingRpcType} does for
 * Netty). The quorum uses gRPC only under TLS: in Ratis 3.3 the gRPC transport is the one that
 * takes a TLS configuration for its server, peer and client channels (the Netty RPC transport
 * has none; only Netty's data-stream channel, which the quorum does not use, has TLS).
 *
 * <p>Loaded by name like {@link TrackingRpcType}, so it stays public with a public no-argument
 * constructor. Stateless.
 */
public final class TrackingGrpcRpcType implements RpcType {

    @Override
    public String name() {
        return TrackingGrpcRpcType.class.getName();
    }

    @Override
    public RpcFactory newFactory(Parameters parameters) {
        return new Factory(parameters);
    }

    static final class Factory extends GrpcFactory {
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
