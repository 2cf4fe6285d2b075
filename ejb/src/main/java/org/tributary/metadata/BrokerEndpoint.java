package org.tributary.metadata;

import java.util.List;
import java.util.Objects;

/**
 * One advertised listener of a registered broker: its name (as in {@code listeners}), address and
 * security protocol id (Kafka's {@code SecurityProtocol} ids: 0 PLAINTEXT, 1 SSL, 2 SASL_PLAINTEXT,
 * 3 SASL_SSL). Clients are answered with the endpoints of the listener their request came on;
 * brokers connect to each other on {@code inter.broker.listener.name}. Immutable.
 */
public record BrokerEndpoint(String listener, String host, int port, short securityProtocol) {
    public static final String PLAINTEXT = "PLAINTEXT";

    public BrokerEndpoint {
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(host, "host");
    }

    /** The endpoints of a registration written before brokers had several listeners: one PLAINTEXT listener. */
    public static List<BrokerEndpoint> plaintextOnly(String host, int port) {
        return List.of(new BrokerEndpoint(PLAINTEXT, host, port, (short) 0));
    }

    /** The endpoint of {@code listener} among {@code endpoints}, or null. */
    public static BrokerEndpoint find(List<BrokerEndpoint> endpoints, String listener) {
        for (BrokerEndpoint e : endpoints) {
            if (e.listener().equals(listener)) {
                return e;
            }
        }
        return null;
    }
}
