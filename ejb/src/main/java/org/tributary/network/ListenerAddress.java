package org.tributary.network;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.tributary.config.BrokerConfig;
import org.tributary.config.Listener;
import org.tributary.config.ListenerSecurity;
import org.tributary.config.NodeSettings;
import org.tributary.config.SslConfig;

/**
 * One listener this broker binds, {@code NAME://host:port}, with its security protocol and, for
 * SSL, its TLS context. An empty host means all interfaces; port 0 means an ephemeral port.
 */
public record ListenerAddress(String name, String host, int port, SecurityProtocol protocol, TlsContext tls) {

    /**
     * The broker's listeners ({@code listeners}, {@code listener.security.protocol.map}, the
     * {@code ssl.*} keys of each SSL listener), all checked before anything is bound.
     */
    public static List<ListenerAddress> from(BrokerConfig config) {
        NodeSettings settings = NodeSettings.from(config);
        ListenerSecurity security = settings.security();
        List<ListenerAddress> out = new ArrayList<>();
        for (Listener l : settings.listeners()) {
            SecurityProtocol p = security.protocol(l.name());
            TlsContext tls = p == SecurityProtocol.SSL || p == SecurityProtocol.SASL_SSL
                    ? TlsContext.server(SslConfig.forListener(config, l.name())) : null;
            out.add(new ListenerAddress(l.name(), l.host(), l.port(), p, tls));
        }
        return out;
    }

    @Override
    public String toString() {
        return name + "://" + host + ":" + port + (name.equals(protocol.name) ? "" : " (" + protocol.name + ")");
    }
}
