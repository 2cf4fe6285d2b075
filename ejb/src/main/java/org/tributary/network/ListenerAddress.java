package org.tributary.network;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.tributary.config.BrokerConfig;
import org.tributary.config.Listener;
import org.tributary.config.ListenerSecurity;
import org.tributary.config.NodeSettings;
import org.tributary.config.SaslConfig;
import org.tributary.config.SslConfig;

/**
 * One listener this broker binds, {@code NAME://host:port}, with its security protocol, for SSL
 * and SASL_SSL its TLS context, for SASL_PLAINTEXT and SASL_SSL its {@link SaslConfig} and the
 * factory of the per-connection {@link Authenticator} (set by the server, which owns the
 * credentials: {@link #withAuthenticator}). An empty host means all interfaces; port 0 means an
 * ephemeral port.
 */
public record ListenerAddress(String name, String host, int port, SecurityProtocol protocol, TlsContext tls, SaslConfig sasl,
        Authenticator.Factory authenticator) {

    public ListenerAddress(String name, String host, int port, SecurityProtocol protocol, TlsContext tls) {
        this(name, host, port, protocol, tls, null, null);
    }

    /**
     * The broker's listeners ({@code listeners}, {@code listener.security.protocol.map}, the
     * {@code ssl.*} keys of each SSL listener, the {@code sasl.*} keys of each SASL listener), all
     * checked before anything is bound.
     */
    public static List<ListenerAddress> from(BrokerConfig config) {
        NodeSettings settings = NodeSettings.from(config);
        ListenerSecurity security = settings.security();
        List<ListenerAddress> out = new ArrayList<>();
        for (Listener l : settings.listeners()) {
            SecurityProtocol p = security.protocol(l.name());
            TlsContext tls = p == SecurityProtocol.SSL || p == SecurityProtocol.SASL_SSL
                    ? TlsContext.server(SslConfig.forListener(config, l.name())) : null;
            SaslConfig sasl = p == SecurityProtocol.SASL_PLAINTEXT || p == SecurityProtocol.SASL_SSL
                    ? SaslConfig.forListener(config, l.name()) : null;
            out.add(new ListenerAddress(l.name(), l.host(), l.port(), p, tls, sasl, null));
        }
        return out;
    }

    /** This listener with the authenticator factory of its SASL connections. */
    public ListenerAddress withAuthenticator(Authenticator.Factory factory) {
        return new ListenerAddress(name, host, port, protocol, tls, sasl, factory);
    }

    @Override
    public String toString() {
        return name + "://" + host + ":" + port + (name.equals(protocol.name) ? "" : " (" + protocol.name + ")");
    }
}
