package org.tributary.cluster;

import java.util.List;

/**
 * What the protocol layer may ask of the cluster: identity, who is alive, who is controller,
 * and cluster-wide unique producer ids. Implemented over Payara's Hazelcast in the container and
 * by {@link LocalClusterView} for a single embedded broker (tests).
 *
 * <p>Implementations are thread-safe.
 */
public interface ClusterView {

    /** The cluster id (Kafka's 22-character base64 UUID form). */
    String clusterId();

    /** This broker's id. */
    int localBrokerId();

    /** The live brokers, ordered by id; always contains this broker while it is running. */
    List<BrokerInfo> liveBrokers();

    /** The id of the active controller, or -1 when there is none. */
    int controllerId();

    /**
     * Reserves {@code count} consecutive producer ids that no other broker of the cluster will
     * hand out, now or after a restart, and returns the first.
     */
    long allocateProducerIds(int count);

    /** This broker's registration epoch with the controller (KIP-903); -1 when it has none. */
    default long brokerEpoch() {
        return -1L;
    }
}
