package org.tributary.network;

import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.tributary.config.BrokerConfig;
import org.tributary.config.ListenerSecurity;
import org.tributary.config.NodeSettings;
import org.tributary.config.SaslConfig;
import org.tributary.config.SslConfig;

/**
 * How this broker connects to other brokers' Kafka listeners: to the endpoint each one advertises
 * for {@code inter.broker.listener.name}, over TLS when that listener is SSL (with the listener's
 * {@code ssl.*} settings: this broker's key store for mutual TLS, its trust store to verify the
 * peer, {@code ssl.endpoint.identification.algorithm} for the peer's name), and with SASL when
 * that listener is SASL_PLAINTEXT or SASL_SSL ({@code sasl.mechanism.inter.broker.protocol} and the
 * {@code username}/{@code password} of that mechanism's JAAS entry on the listener). {@code tls}
 * is null for a listener without TLS, {@code sasl} for one without SASL. Immutable.
 */
public record InterBroker(String listener, SecurityProtocol protocol, TlsContext tls, SaslConfig.Client sasl) {
    public static final InterBroker PLAINTEXT = new InterBroker("PLAINTEXT", SecurityProtocol.PLAINTEXT, null, null);

    public InterBroker(String listener, SecurityProtocol protocol, TlsContext tls) {
        this(listener, protocol, tls, null);
    }

    public static InterBroker from(BrokerConfig config) {
        ListenerSecurity security = NodeSettings.from(config).security();
        String name = security.interBrokerListener();
        SecurityProtocol p = security.protocol(name);
        TlsContext tls = p == SecurityProtocol.SSL || p == SecurityProtocol.SASL_SSL
                ? TlsContext.client(SslConfig.forListener(config, name)) : null;
        SaslConfig.Client sasl = p == SecurityProtocol.SASL_PLAINTEXT || p == SecurityProtocol.SASL_SSL
                ? SaslConfig.interBrokerClient(config, name) : null;
        return new InterBroker(name, p, tls, sasl);
    }

    /**
     * The Kafka client settings that reach this listener as this broker (the node's own admin
     * clients): {@code security.protocol}, the TLS client settings, {@code sasl.mechanism} and
     * {@code sasl.jaas.config}.
     */
    public java.util.Map<String, Object> clientProperties() {
        java.util.Map<String, Object> p = new java.util.HashMap<>();
        if (tls != null) {
            p.putAll(tls.clientProperties());
        }
        p.put("security.protocol", protocol.name);
        if (sasl != null) {
            String module = sasl.mechanism().equals(SaslConfig.PLAIN) ? "org.apache.kafka.common.security.plain.PlainLoginModule"
                    : "org.apache.kafka.common.security.scram.ScramLoginModule";
            p.put("sasl.mechanism", sasl.mechanism());
            p.put("sasl.jaas.config", module + " required username=\"" + escape(sasl.username()) + "\" password=\""
                    + escape(sasl.password()) + "\";");
        }
        return p;
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
