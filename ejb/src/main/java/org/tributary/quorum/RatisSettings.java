package org.tributary.quorum;

import java.io.File;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.netty.NettyConfigKeys;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.server.RaftServerConfigKeys;
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
    static org.apache.ratis.rpc.RpcType transport() {
        if (org.apache.ratis.util.ReflectionUtils.getClassByNameOrNull(TrackingRpcType.class.getName()) != null) {
            return new TrackingRpcType();
        }
        QuorumLog.LOG.info("TRIB-0117 Ratis cannot load " + TrackingRpcType.class.getName() + " from its class loader; using its"
                + " plain Netty transport (followers' fetch times are not reported)");
        return SupportedRpcType.NETTY;
    }

    static RaftProperties server(QuorumConfig cfg, String bindHost, int bindPort) {
        RaftProperties p = new RaftProperties();
        RaftConfigKeys.Rpc.setType(p, transport());
        NettyConfigKeys.Server.setHost(p, bindHost);
        NettyConfigKeys.Server.setPort(p, bindPort);
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
        RaftConfigKeys.Rpc.setType(p, SupportedRpcType.NETTY);
        NettyConfigKeys.Client.setUseEpoll(p, false);
        RaftClientConfigKeys.Rpc.setRequestTimeout(p, ms(cfg.requestTimeout().toMillis()));
        return p;
    }

    static TimeDuration ms(long millis) {
        return TimeDuration.valueOf(millis, TimeUnit.MILLISECONDS);
    }
}
