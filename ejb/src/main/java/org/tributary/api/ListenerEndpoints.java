package org.tributary.api;

import java.util.Optional;
import org.tributary.cluster.BrokerInfo;
import org.tributary.metadata.BrokerEndpoint;

/**
 * Which address of a broker a client is told: the endpoint of the listener its request came on,
 * as in Kafka (a client on the SSL listener learns the SSL addresses). A broker without that
 * listener has no address for this client. Stateless.
 */
final class ListenerEndpoints {
    private ListenerEndpoints() {
    }

    /** {@code b}'s endpoint for requests on {@code listener} (null: its first listener). */
    static Optional<BrokerEndpoint> of(BrokerInfo b, String listener) {
        if (listener == null) {
            return Optional.of(new BrokerEndpoint(BrokerEndpoint.PLAINTEXT, b.host(), b.kafkaPort(), (short) 0));
        }
        return Optional.ofNullable(BrokerEndpoint.find(b.endpoints(), listener));
    }
}
