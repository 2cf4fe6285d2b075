package org.tributary.metadata;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.common.Uuid;

/**
 * A registered broker as the metadata log knows it: its current incarnation, broker epoch (the
 * log offset of the entry holding its registration), endpoints, rack (may be null), whether its
 * previous run ended cleanly, and its fencing state. {@code host}/{@code kafkaPort} are its first
 * advertised listener's (for display); {@code endpoints} holds every advertised listener. A fenced broker may neither lead nor be in an
 * ISR of more than one member; a broker in controlled shutdown is unfenced but may not become a
 * leader or join an ISR. Immutable.
 */
public record BrokerRegistration(int id, Uuid incarnationId, long epoch, String host, int kafkaPort, int httpPort, String rack,
        boolean fenced, boolean inControlledShutdown, boolean cleanShutdown, List<BrokerEndpoint> endpoints) {

    public BrokerRegistration {
        Objects.requireNonNull(incarnationId, "incarnationId");
        Objects.requireNonNull(host, "host");
        endpoints = endpoints == null || endpoints.isEmpty() ? BrokerEndpoint.plaintextOnly(host, kafkaPort) : List.copyOf(endpoints);
    }

    /** A broker with one PLAINTEXT listener at {@code host:kafkaPort}. */
    public BrokerRegistration(int id, Uuid incarnationId, long epoch, String host, int kafkaPort, int httpPort, String rack,
            boolean fenced, boolean inControlledShutdown, boolean cleanShutdown) {
        this(id, incarnationId, epoch, host, kafkaPort, httpPort, rack, fenced, inControlledShutdown, cleanShutdown, null);
    }

    /** The endpoint of listener {@code name}, if this broker advertises it. */
    public Optional<BrokerEndpoint> endpoint(String name) {
        return Optional.ofNullable(BrokerEndpoint.find(endpoints, name));
    }

    /** Unfenced and not shutting down: may lead partitions and receive new replicas. */
    public boolean active() {
        return !fenced && !inControlledShutdown;
    }

    public BrokerRegistration withFenced(boolean newFenced) {
        return new BrokerRegistration(id, incarnationId, epoch, host, kafkaPort, httpPort, rack, newFenced,
                newFenced ? false : inControlledShutdown, cleanShutdown, endpoints);
    }

    public BrokerRegistration withControlledShutdown() {
        return new BrokerRegistration(id, incarnationId, epoch, host, kafkaPort, httpPort, rack, fenced, true, cleanShutdown, endpoints);
    }

    BrokerRegistration withEpoch(long newEpoch) {
        return new BrokerRegistration(id, incarnationId, newEpoch, host, kafkaPort, httpPort, rack, fenced, inControlledShutdown,
                cleanShutdown, endpoints);
    }
}
