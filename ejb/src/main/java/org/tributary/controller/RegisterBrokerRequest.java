package org.tributary.controller;

import java.util.List;
import java.util.Objects;
import org.apache.kafka.common.Uuid;
import org.tributary.metadata.BrokerEndpoint;

/**
 * A broker process starting: its fixed {@code node.id}, or -1 to be given one; a fresh incarnation
 * id per process start; its endpoints and rack (may be null); whether its previous run ended with
 * a clean shutdown.
 */
public record RegisterBrokerRequest(int brokerId, Uuid incarnationId, String host, int kafkaPort, int httpPort, String rack,
        boolean cleanShutdown, List<BrokerEndpoint> endpoints) {
    public static final int ASSIGN_ID = -1;

    public RegisterBrokerRequest {
        Objects.requireNonNull(incarnationId, "incarnationId");
        Objects.requireNonNull(host, "host");
        endpoints = endpoints == null || endpoints.isEmpty() ? BrokerEndpoint.plaintextOnly(host, kafkaPort) : List.copyOf(endpoints);
    }

    /** A broker with one PLAINTEXT listener at {@code host:kafkaPort}. */
    public RegisterBrokerRequest(int brokerId, Uuid incarnationId, String host, int kafkaPort, int httpPort, String rack,
            boolean cleanShutdown) {
        this(brokerId, incarnationId, host, kafkaPort, httpPort, rack, cleanShutdown, null);
    }
}
