package org.tributary.config;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.security.auth.SecurityProtocol;

/**
 * How the metadata quorum's own port ({@link QuorumSettings#PORT}) is secured, in the terms of
 * Kafka's controller listener:
 *
 * <ul>
 *   <li>{@code controller.listener.names}: the name of the quorum's listener (one name; unset: the
 *       quorum speaks PLAINTEXT, as before). It is not one of the Kafka {@code listeners}: the
 *       quorum has its own port.</li>
 *   <li>its protocol comes from {@code listener.security.protocol.map} (whose default maps each
 *       protocol name to itself, so {@code controller.listener.names=SSL} needs no map): PLAINTEXT
 *       or SSL. SASL_PLAINTEXT and SASL_SSL are refused: the quorum's transport (Apache Ratis)
 *       cannot run SASL, mutual TLS is what it supports.</li>
 *   <li>with SSL, the {@code listener.name.<name>.ssl.*} keys, falling back to the broker-wide
 *       {@code ssl.*} ones ({@link SslConfig}). The quorum always runs mutual TLS with host name
 *       verification: a key store is required, and {@code ssl.client.auth} and
 *       {@code ssl.endpoint.identification.algorithm} may only be left unset or set to
 *       {@code required} and {@code https}.</li>
 * </ul>
 *
 * <p>Every member of a quorum must use the same protocol. Immutable.
 */
public record QuorumSecurity(String listenerName, SecurityProtocol protocol, Optional<SslConfig> ssl) {
    public static final String CONTROLLER_LISTENER_NAMES = "controller.listener.names";

    /** Reads and checks the controller listener's protocol and, for SSL, its TLS settings (as text; files are read later). */
    public static QuorumSecurity from(BrokerConfig config) {
        String value = config.getString(CONTROLLER_LISTENER_NAMES, "").trim();
        if (value.isEmpty()) {
            return new QuorumSecurity(null, SecurityProtocol.PLAINTEXT, Optional.empty());
        }
        List<String> names = Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .map(s -> s.toUpperCase(Locale.ROOT)).toList();
        if (names.size() != 1) {
            throw new ConfigException(CONTROLLER_LISTENER_NAMES, value, "names " + names.size() + " listeners; the metadata quorum "
                    + "has one port (" + QuorumSettings.PORT + "), so name one");
        }
        String name = names.get(0);
        for (Listener l : Listener.parseList(NodeSettings.LISTENERS, config.getString(NodeSettings.LISTENERS,
                NodeSettings.DEFAULT_LISTENERS))) {
            if (l.name().equals(name)) {
                throw new ConfigException(CONTROLLER_LISTENER_NAMES, value, "names " + name + ", which is also a Kafka listener in "
                        + NodeSettings.LISTENERS + "; the metadata quorum listens on " + QuorumSettings.PORT
                        + ", so give the controller listener a name of its own");
            }
        }
        String mapValue = config.getString(ListenerSecurity.PROTOCOL_MAP, "");
        Map<String, SecurityProtocol> map = ListenerSecurity.protocolMap(mapValue);
        SecurityProtocol protocol = map.get(name);
        if (protocol == null) {
            throw new ConfigException(ListenerSecurity.PROTOCOL_MAP, mapValue, "no security protocol for the controller listener "
                    + name + " (" + CONTROLLER_LISTENER_NAMES + "); map it, e.g. " + name + ":SSL");
        }
        switch (protocol) {
            case PLAINTEXT:
                return new QuorumSecurity(name, protocol, Optional.empty());
            case SSL:
                return new QuorumSecurity(name, protocol, Optional.of(checked(SslConfig.forListener(config, name))));
            default:
                throw new ConfigException(CONTROLLER_LISTENER_NAMES, value, "the controller listener " + name + " maps to " + protocol
                        + " in " + ListenerSecurity.PROTOCOL_MAP + ", but the metadata quorum cannot authenticate with SASL; "
                        + "mutual TLS (SSL) is what it supports: map " + name + " to SSL (or PLAINTEXT)");
        }
    }

    /** Refuses the settings mutual TLS with host name verification cannot honour. */
    private static SslConfig checked(SslConfig ssl) {
        String prefix = "listener.name." + ssl.listenerName().toLowerCase(Locale.ROOT) + ".";
        if (ssl.clientAuthKey().isSet() && ssl.clientAuth() != SslConfig.ClientAuth.REQUIRED) {
            throw new ConfigException(ssl.clientAuthKey().key(), ssl.clientAuthKey().value(), "the metadata quorum always requires "
                    + "client certificates (mutual TLS); set required or leave it unset" + forQuorumAlone(ssl.clientAuthKey(), prefix));
        }
        SslConfig.Value endpoint = ssl.endpointIdentificationAlgorithm();
        if (endpoint.value() != null && !endpoint.value().equalsIgnoreCase("https")) {
            throw new ConfigException(endpoint.key(), endpoint.value(), "the metadata quorum always verifies that a peer's "
                    + "certificate names the host it is reached at (https); leave it unset or set https" + forQuorumAlone(endpoint, prefix));
        }
        return ssl;
    }

    private static String forQuorumAlone(SslConfig.Value v, String prefix) {
        return v.key().startsWith(prefix) ? "" : " (for the quorum alone: " + prefix + v.key() + ")";
    }

    /** Whether the quorum runs over TLS. */
    public boolean tls() {
        return ssl.isPresent();
    }
}
