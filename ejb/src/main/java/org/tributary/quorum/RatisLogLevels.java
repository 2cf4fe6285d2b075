package org.tributary.quorum;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;

/**
 * Quiets Ratis's logging (it logs through slf4j to JUL): about 120 INFO lines per start, and a
 * WARNING with a stack trace on every retry to a dead follower. Each level is set only if the
 * operator configured none for that logger (in logging.properties or in code), so a configured
 * level always wins. Loggers whose level we set are kept referenced, since JUL holds loggers
 * weakly and would forget the level otherwise. Thread-safe (synchronized, idempotent).
 */
final class RatisLogLevels {
    /** Logger name to the level used when none is configured. */
    static final String[][] DEFAULTS = {
        {"org.apache.ratis", "WARNING"},
        {"org.apache.ratis.thirdparty", "WARNING"},
        // retries to an unreachable follower: one WARNING with a stack trace per attempt
        {"org.apache.ratis.server.leader.LogAppender", "SEVERE"},
        // connection failures to an unreachable peer, per attempt
        {"org.apache.ratis.netty", "SEVERE"},
        // the same under TLS (gRPC transport): retries to an unreachable or refused follower
        {"org.apache.ratis.grpc.server.GrpcLogAppender", "SEVERE"},
        // a stack trace per connection that sends bytes the transport cannot decode (e.g. TLS to a plaintext member)
        {"org.apache.ratis.thirdparty.io.netty.channel.DefaultChannelPipeline", "SEVERE"},
        // elections while a peer is down: each vote request that fails is logged
        {"org.apache.ratis.server.impl.LeaderElection", "SEVERE"},
    };

    private static final List<Logger> HELD = new ArrayList<>();

    private RatisLogLevels() {
    }

    /**
     * Ratis's lifecycle logger reports every failed connection attempt to an unreachable peer
     * (its Netty client and peer proxy "failed to start", three records per retry); those are
     * dropped, as the transport loggers above are quieted. Lifecycle records of anything else (a
     * server or division failing) still pass.
     */
    static final String LIFECYCLE = "org.apache.ratis.util.LifeCycle";

    static boolean peerConnectionNoise(java.util.logging.LogRecord r) {
        String m = r.getMessage();
        return m != null && (m.startsWith("NettyClient-") || m.matches("(?s)^\\d+\\|[^:]+:\\d+: .*"));
    }

    static synchronized void apply() {
        LogManager manager = LogManager.getLogManager();
        Logger lifecycle = Logger.getLogger(LIFECYCLE);
        if (lifecycle.getFilter() == null) {
            lifecycle.setFilter(r -> !peerConnectionNoise(r));
            HELD.add(lifecycle);
        }
        for (String[] d : DEFAULTS) {
            Logger logger = Logger.getLogger(d[0]);
            if (logger.getLevel() == null && manager.getProperty(d[0] + ".level") == null) {
                logger.setLevel(Level.parse(d[1]));
                HELD.add(logger);
            }
        }
    }
}
