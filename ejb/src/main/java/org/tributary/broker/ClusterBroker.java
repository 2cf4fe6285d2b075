package org.tributary.broker;

import java.io.IOException;
import java.net.BindException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import org.apache.kafka.common.utils.Time;
import org.tributary.cluster.BrokerInfo;
import org.tributary.config.BrokerConfig;
import org.tributary.config.ConfigException;
import org.tributary.config.Listener;
import org.tributary.config.NodeSettings;
import org.tributary.config.QuorumSettings;
import org.tributary.grid.VoterSet;
import org.tributary.metadata.BrokerEndpoint;
import org.tributary.server.KafkaServer;

/**
 * A broker of a cluster whose identity and quorum are already known (cluster id, node id, the
 * metadata quorum's voters): starts the quorum member, opens the logs, binds the Kafka listener,
 * registers with the active controller and, once admitted, serves. {@link BrokerNode} runs it
 * inside Payara after the data grid has settled identity and voters; tests and benchmarks run it
 * directly with explicit voters.
 *
 * <p>Not thread-safe: one owner starts and closes it.
 */
public final class ClusterBroker implements AutoCloseable {
    private final MetadataNode metadata;
    private final KafkaServer server;
    private final QuorumClusterView view;
    private final BrokerInfo self;

    private ClusterBroker(MetadataNode metadata, KafkaServer server, QuorumClusterView view, BrokerInfo self) {
        this.metadata = metadata;
        this.server = server;
        this.view = view;
        this.self = self;
    }

    /** Starts node {@code nodeId}; nothing is left running when it fails. */
    public static ClusterBroker start(BrokerConfig config, NodeSettings s, int nodeId, String clusterId, VoterSet voters,
            QuorumSettings.HostPort quorumAddress, ThreadFactory threads, Time time, Duration admission) throws IOException {
        MetadataNode md = MetadataNode.start(clusterId, nodeId, voters, quorumAddress, s.dataDir(), config, threads);
        KafkaServer server = null;
        try {
            server = KafkaServer.create(config, s.dataDir(), threads, time, md.metadata());
            try {
                server.bind();
            } catch (BindException e) {
                throw new ConfigException(NodeSettings.LISTENERS, s.listeners(), "the address is already in use or not local ("
                        + e.getMessage() + "); stop what uses it or choose another port");
            }
            List<Listener> advertised = s.advertised(server.boundPorts());
            List<BrokerEndpoint> endpoints = advertised.stream().map(l -> new BrokerEndpoint(l.name(), l.host(), l.port(),
                    s.security().protocol(l.name()).id)).toList();
            Listener first = advertised.get(0);
            BrokerInfo info = new BrokerInfo(nodeId, first.host(), first.port(), s.httpPort(), s.rack(), endpoints);
            BrokerLifecycle lifecycle = md.register(info, admission);
            server.storageFailures().onFailure(lifecycle::fenceForStorageFailure);
            QuorumClusterView view = new QuorumClusterView(clusterId, nodeId, md.metadata(), md::controllerId,
                    md.controllerClient(), md::brokerEpoch, Duration.ofSeconds(15));
            server.start(view, md.controllerClient());
            return new ClusterBroker(md, server, view, info);
        } catch (IOException | RuntimeException e) {
            md.shutDownBroker();
            if (server != null) {
                server.close();
            }
            md.close();
            throw e;
        }
    }

    public MetadataNode metadata() {
        return metadata;
    }

    public KafkaServer server() {
        return server;
    }

    public QuorumClusterView view() {
        return view;
    }

    public BrokerInfo self() {
        return self;
    }

    /** Controlled shutdown (leadership moves away first), then the server and the quorum member stop. Idempotent. */
    @Override
    public void close() {
        metadata.shutDownBroker();
        server.close();
        metadata.close();
    }
}
