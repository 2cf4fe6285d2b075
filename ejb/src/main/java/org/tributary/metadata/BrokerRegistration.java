package org.tributary.metadata;

import java.util.Objects;
import org.apache.kafka.common.Uuid;

/**
 * A registered broker as the metadata log knows it: its current incarnation, broker epoch (the
 * log offset of the entry holding its registration), endpoints, rack (may be null), whether its
 * previous run ended cleanly, and its fencing state. A fenced broker may neither lead nor be in an
 * ISR of more than one member; a broker in controlled shutdown is unfenced but may not become a
 * leader or join an ISR. Immutable.
 */
public record BrokerRegistration(int id, Uuid incarnationId, long epoch, String host, int kafkaPort, int httpPort, String rack,
        boolean fenced, boolean inControlledShutdown, boolean cleanShutdown) {

    public BrokerRegistration {
        Objects.requireNonNull(incarnationId, "incarnationId");
        Objects.requireNonNull(host, "host");
    }

    /** Unfenced and not shutting down: may lead partitions and receive new replicas. */
    public boolean active() {
        return !fenced && !inControlledShutdown;
    }

    public BrokerRegistration withFenced(boolean newFenced) {
        return new BrokerRegistration(id, incarnationId, epoch, host, kafkaPort, httpPort, rack, newFenced,
                newFenced ? false : inControlledShutdown, cleanShutdown);
    }

    public BrokerRegistration withControlledShutdown() {
        return new BrokerRegistration(id, incarnationId, epoch, host, kafkaPort, httpPort, rack, fenced, true, cleanShutdown);
    }

    BrokerRegistration withEpoch(long newEpoch) {
        return new BrokerRegistration(id, incarnationId, newEpoch, host, kafkaPort, httpPort, rack, fenced, inControlledShutdown,
                cleanShutdown);
    }
}
