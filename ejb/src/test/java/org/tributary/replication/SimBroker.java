package org.tributary.replication;

import java.nio.file.Path;
import java.util.ArrayDeque;
import org.apache.kafka.common.Uuid;
import org.tributary.metadata.BrokerRegistration;
import org.tributary.metadata.MetadataImage;
import org.tributary.metadata.TopicImage;
import org.tributary.log.PartitionLog;
import org.tributary.partition.IsrChange;
import org.tributary.partition.Partition;

/**
 * One simulated broker: what survives a crash (its data directory and the metadata it applied,
 * which a real broker keeps in its quorum log) and its current process, if any: the registration
 * (incarnation, broker epoch), the partition opened once the controller admitted it, the fetcher
 * target when it follows, and the ISR changes it sends. Not thread-safe.
 */
final class SimBroker {
    final int id;
    final Path dataDir;
    final Path logDir;
    final Path snapshotDir;
    final LogMirror mirror = new LogMirror();

    // the process (reset by a crash or a stop)
    boolean up;
    Uuid incarnation;
    long brokerEpoch = -1;
    boolean registered;
    /** Admitted once (unfenced) in this incarnation: the replica manager runs. */
    boolean serving;
    boolean wantShutdown;
    long shutdownRequestedMs;
    long nextHeartbeatMs;
    long nextIsrCheckMs;
    TopicImage appliedTopic;
    PartitionLog log;
    Partition partition;
    ReplicationSim.FetchTarget target;
    final ArrayDeque<IsrChange> isrQueue = new ArrayDeque<>();
    ReplicationSim.AlterCall isrInFlight;

    // survives restarts: the metadata log applied so far
    int applied;
    MetadataImage image = MetadataImage.EMPTY;

    // faults
    long isolatedUntilMs;
    long metadataStalledUntilMs;
    double metadataPace = 0.7;

    SimBroker(int id, Path dataDir) {
        this.id = id;
        this.dataDir = dataDir;
        this.logDir = dataDir.resolve("logs").resolve(ReplicationSim.TOPIC + "-0");
        this.snapshotDir = dataDir.resolve("producer-state");
    }

    boolean isolated(long nowMs) {
        return nowMs < isolatedUntilMs;
    }

    /** As the replica manager's ISR eligibility: registered, unfenced, not shutting down in this broker's image. */
    boolean eligible(int brokerId) {
        return image.broker(brokerId).map(BrokerRegistration::active).orElse(false);
    }

    /** Dropped at a crash or a stop: the process's state. */
    void forgetProcess() {
        up = false;
        incarnation = null;
        brokerEpoch = -1;
        registered = false;
        serving = false;
        wantShutdown = false;
        appliedTopic = null;
        log = null;
        partition = null;
        target = null;
        isrQueue.clear();
        isrInFlight = null;
        isolatedUntilMs = 0;
        metadataStalledUntilMs = 0;
    }

    @Override
    public String toString() {
        return "broker " + id + (up ? "" : " (down)") + (partition == null ? "" : " " + partition + " LEO " + partition.logEndOffset());
    }
}
