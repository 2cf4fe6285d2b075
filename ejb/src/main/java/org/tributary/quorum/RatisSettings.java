package org.tributary.quorum;

import java.io.File;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.grpc.GrpcTlsConfig;
import org.apache.ratis.netty.NettyConfigKeys;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.thirdparty.io.netty.handler.ssl.SslProvider;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;

/**
 * Every Ratis setting the quorum relies on, set explicitly in one place (never Ratis's defaults
 * by accident). Stateless.
 */
final class RatisSettings {
    /** Snapshots kept on disk: the newest plus one in case the newest turns out unreadable. */
    static final int SNAPSHOTS_RETAINED = 2;
    /** Ratis's close-after-a-JVM-pause threshold: effectively never (see {@link #server}). */
    static final TimeDuration NEVER_CLOSE_ON_PAUSE = TimeDuration.valueOf(3650, TimeUnit.DAYS);

    private RatisSettings() {
    }

    /**
     * The tracking transport when Ratis can load it by name; plain Netty otherwise. Ratis resolves
     * the type through the context class loader it captured when it was first used: in an EAR its
     * jars are in {@code lib/} and may have captured a loader that cannot see the EJB module, and
     * then followers' fetch and caught-up times are unknown (-1) in DescribeQuorum; nothing else
     * changes.
     */
    static org.apache.ratis.rpc.RpcType transport(boolean tls) {
        Class<?> tracking = tls ? TrackingGrpcRpcType.class : TrackingRpcType.class;
        if (org.apache.ratis.util.ReflectionUtils.getClassByNameOrNull(tracking.getName()) != null) {
            return tls ? new TrackingGrpcRpcType() : new TrackingRpcType();
        }
        QuorumLog.LOG.info("TRIB-0117 Ratis cannot load " + tracking.getName() + " from its class loader; using its"
                + " plain " + (tls ? "gRPC" : "Netty") + " transport (followers' fetch times are not reported)");
        return tls ? SupportedRpcType.GRPC : SupportedRpcType.NETTY;
    }

    static RaftProperties server(QuorumConfig cfg, String bindHost, int bindPort) {
        RaftProperties p = new RaftProperties();
        boolean tls = cfg.tls().isPresent();
        RaftConfigKeys.Rpc.setType(p, transport(tls));
        NettyConfigKeys.Server.setHost(p, bindHost);
        NettyConfigKeys.Server.setPort(p, bindPort);
        if (tls) {
            // one port for peers, clients and admin requests (the admin and client ports default to -1: the server's)
            GrpcConfigKeys.Server.setHost(p, bindHost);
            GrpcConfigKeys.Server.setPort(p, bindPort);
        }
        // plain NIO: a native epoll library can be loaded by one class loader only, which breaks a redeploy
        NettyConfigKeys.Server.setUseEpoll(p, false);
        NettyConfigKeys.Client.setUseEpoll(p, false);
        NettyConfigKeys.DataStream.Client.setUseEpoll(p, false);
        NettyConfigKeys.DataStream.Server.setUseEpoll(p, false);

        File root = cfg.storageDir().toFile();
        RaftServerConfigKeys.setStorageDir(p, List.of(root));
        RaftServerConfigKeys.setRemovedGroupsDir(p, new File(root, "removed-groups"));

        // durability: an entry counts (leader's commit, follower's ack) only once fsynced;
        // unsafe-flush and async-flush would advance the flush index before the fsync completes
        RaftServerConfigKeys.Log.setUnsafeFlushEnabled(p, false);
        RaftServerConfigKeys.Log.setAsyncFlushEnabled(p, false);
        RaftServerConfigKeys.Log.StateMachineData.setSync(p, true);
        RaftServerConfigKeys.Log.setSegmentSizeMax(p, SizeInBytes.valueOf(cfg.logSegmentBytes()));
        RaftServerConfigKeys.Log.setPreallocatedSize(p, SizeInBytes.valueOf(Math.min(cfg.logSegmentBytes(), 1L << 20)));

        // snapshots every N applied entries, then the log behind them is purged (closed segments only)
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, true);
        RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, cfg.snapshotThreshold());
        RaftServerConfigKeys.Snapshot.setCreationGap(p, Math.min(1024, cfg.snapshotThreshold()));
        RaftServerConfigKeys.Snapshot.setRetentionFileNum(p, SNAPSHOTS_RETAINED);
        // no snapshot while stopping: the state machine's classes may already be gone (undeploy)
        RaftServerConfigKeys.Snapshot.setTriggerWhenStopEnabled(p, false);
        RaftServerConfigKeys.Snapshot.setTriggerWhenRemoveEnabled(p, false);
        RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(p, true);
        RaftServerConfigKeys.Log.setPurgeGap(p, (int) Math.max(1, Math.min(1024, cfg.snapshotThreshold())));
        RaftServerConfigKeys.Log.Appender.setInstallSnapshotEnabled(p, true);

        // timing: elections, requests, and a bounded close
        RaftServerConfigKeys.Rpc.setTimeoutMin(p, ms(cfg.electionTimeoutMin().toMillis()));
        RaftServerConfigKeys.Rpc.setTimeoutMax(p, ms(cfg.electionTimeoutMax().toMillis()));
        RaftServerConfigKeys.Rpc.setRequestTimeout(p, ms(cfg.requestTimeout().toMillis()));
        RaftServerConfigKeys.Rpc.setSlownessTimeout(p, TimeDuration.valueOf(60, TimeUnit.SECONDS));
        // Ratis closes its whole server after a JVM pause longer than this threshold (its pause
        // monitor; the setting has no other use). A closed member never follows the metadata log
        // again, so a broker frozen for a few seconds (GC, SIGSTOP, a suspended VM) would come back
        // serving its old metadata for good. A paused member must instead rejoin and catch up like
        // any lagging one (a paused leader still steps down: Ratis's step-down wait time), so the
        // threshold lies beyond any pause.
        RaftServerConfigKeys.setCloseThreshold(p, NEVER_CLOSE_ON_PAUSE);
        RaftServerConfigKeys.LeaderElection.setPreVote(p, true);
        RaftServerConfigKeys.Read.setOption(p, RaftServerConfigKeys.Read.Option.DEFAULT);
        RaftServerConfigKeys.Read.setTimeout(p, ms(cfg.requestTimeout().toMillis()));
        return p;
    }

    static RaftProperties client(QuorumConfig cfg) {
        RaftProperties p = new RaftProperties();
        RaftConfigKeys.Rpc.setType(p, cfg.tls().isPresent() ? SupportedRpcType.GRPC : SupportedRpcType.NETTY);
        NettyConfigKeys.Client.setUseEpoll(p, false);
        RaftClientConfigKeys.Rpc.setRequestTimeout(p, ms(cfg.requestTimeout().toMillis()));
        return p;
    }

    /**
     * Ratis parameters carrying the quorum's TLS (for the server, its connections to peers, and
     * the client): mutual, so a member's server requires a trusted client certificate and its
     * clients present theirs. JDK TLS, never a native library (one class loader only, as for epoll).
     */
    static Parameters tlsParameters(QuorumTls tls, int localId) {
        GrpcTlsConfig.Builder b = GrpcTlsConfig.newBuilder()
                .setName("tributary-quorum")
                .setKeyManager(tls.keyManager())
                .setTrustManager(RefusedPeerLog.wrap(tls.trustManager(), localId, System::nanoTime))
                .setMutualTls(true)
                .setSslProvider(SslProvider.JDK);
        if (!tls.protocols().isEmpty()) {
            b.setProtocols(tls.protocols());
        }
        if (!tls.cipherSuites().isEmpty()) {
            b.setCipherSuites(tls.cipherSuites());
        }
        Parameters params = new Parameters();
        GrpcConfigKeys.TLS.setConf(params, b.build());
        return params;
    }

    static TimeDuration ms(long millis) {
        return TimeDuration.valueOf(millis, TimeUnit.MILLISECONDS);
    }
}
