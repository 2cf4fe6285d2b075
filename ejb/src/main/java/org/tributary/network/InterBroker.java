package org.tributary.network;

import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.tributary.config.BrokerConfig;
import org.tributary.config.ListenerSecurity;
import org.tributary.config.NodeSettings;
import org.tributary.config.SslConfig;

/**
 * How this broker connects to other brokers' Kafka listeners: to the endpoint each one advertises
 * for {@code inter.broker.listener.name}, over TLS when that listener is SSL (with the listener's
 * {@code ssl.*} settings: this broker's key store for mutual TLS, its trust store to verify the
 * peer, {@code ssl.endpoint.identification.algorithm} for the peer's name). {@code tls} is null
 * for a plaintext listener. Immutable.
 */
public record InterBroker(String listener, SecurityProtocol protocol, TlsContext tls) {
    public static final InterBroker PLAINTEXT = new InterBroker("PLAINTEXT", SecurityProtocol.PLAINTEXT, null);

    public static InterBroker from(BrokerConfig config) {
        ListenerSecurity security = NodeSettings.from(config).security();
        String name = security.interBrokerListener();
        SecurityProtocol p = security.protocol(name);
        TlsContext tls = p == SecurityProtocol.SSL || p == SecurityProtocol.SASL_SSL
                ? TlsContext.client(SslConfig.forListener(config, name)) : null;
        return new InterBroker(name, p, tls);
    }
}
