package org.tributary.cluster;

import java.util.List;
import org.tributary.metadata.BrokerEndpoint;

/**
 * A broker as the cluster knows it: stable id, the address of its first advertised listener
 * ({@code host}/{@code kafkaPort}), the HTTP port of its admin API, its rack (may be null), and
 * every advertised listener ({@code endpoints}).
 */
public record BrokerInfo(int id, String host, int kafkaPort, int httpPort, String rack, List<BrokerEndpoint> endpoints) {

    public BrokerInfo {
        endpoints = endpoints == null || endpoints.isEmpty() ? BrokerEndpoint.plaintextOnly(host, kafkaPort) : List.copyOf(endpoints);
    }

    /** A broker with one PLAINTEXT listener at {@code host:kafkaPort}. */
    public BrokerInfo(int id, String host, int kafkaPort, int httpPort, String rack) {
        this(id, host, kafkaPort, httpPort, rack, null);
    }
}
