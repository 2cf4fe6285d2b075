package org.tributary.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.security.auth.SecurityProtocol;

/**
 * Kafka's listener model: which security protocol each listener speaks and which listener the
 * brokers use among themselves.
 *
 * <ul>
 *   <li>{@code listener.security.protocol.map}: {@code NAME:PROTOCOL,...}; by default each of
 *       PLAINTEXT, SSL, SASL_PLAINTEXT and SASL_SSL maps to itself, so a custom name such as
 *       {@code INTERNAL} must be mapped ({@code INTERNAL:SSL}).</li>
 *   <li>{@code inter.broker.listener.name}, or {@code security.inter.broker.protocol} (default
 *       PLAINTEXT: the listener of that name); at most one of the two, and the listener must be
 *       advertised.</li>
 * </ul>
 *
 * <p>Which protocols this broker serves is decided in one place, {@link #requireServed}. Immutable.
 */
public record ListenerSecurity(Map<String, SecurityProtocol> protocols, String interBrokerListener) {
    public static final String PROTOCOL_MAP = "listener.security.protocol.map";
    public static final String INTER_BROKER_LISTENER = "inter.broker.listener.name";
    public static final String INTER_BROKER_PROTOCOL = "security.inter.broker.protocol";
    public static final String PRINCIPAL_BUILDER = "principal.builder.class";
    /** The one principal builder this broker has: Kafka's default (certificate DN mapped by the rules, SASL user name). */
    static final String DEFAULT_PRINCIPAL_BUILDER = "org.apache.kafka.common.security.authenticator.DefaultKafkaPrincipalBuilder";

    public ListenerSecurity {
        protocols = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(protocols));
    }

    /** Reads and checks the model for the given bind and advertised listeners. */
    public static ListenerSecurity from(BrokerConfig config, List<Listener> listeners, List<Listener> advertised) {
        String builder = config.getString(PRINCIPAL_BUILDER, "").trim();
        if (!builder.isEmpty() && !builder.equals(DEFAULT_PRINCIPAL_BUILDER)) {
            throw new ConfigException(PRINCIPAL_BUILDER, builder, "custom principal builders are not supported by this broker; "
                    + "principals are User:<certificate DN mapped by ssl.principal.mapping.rules> or User:<SASL user name>, as "
                    + "with Kafka's default (" + DEFAULT_PRINCIPAL_BUILDER + "); remove the setting");
        }
        Map<String, SecurityProtocol> map = protocolMap(config.getString(PROTOCOL_MAP, ""));
        Map<String, SecurityProtocol> protocols = new LinkedHashMap<>();
        for (Listener l : listeners) {
            SecurityProtocol p = map.get(l.name());
            if (p == null) {
                throw new ConfigException(PROTOCOL_MAP, config.getString(PROTOCOL_MAP, ""), "no security protocol for listener "
                        + l.name() + "; map it, e.g. " + l.name() + ":SSL");
            }
            requireServed(l.name(), p);
            protocols.put(l.name(), p);
        }
        for (Listener a : advertised) {
            if (!protocols.containsKey(a.name())) {
                throw new ConfigException(NodeSettings.ADVERTISED_LISTENERS, a, "names listener " + a.name()
                        + ", which is not one of the listeners this broker binds (" + NodeSettings.LISTENERS + ")");
            }
        }
        String byName = config.getString(INTER_BROKER_LISTENER, "");
        String byProtocol = config.getString(INTER_BROKER_PROTOCOL, "");
        if (!byName.isEmpty() && !byProtocol.isEmpty()) {
            throw new ConfigException(INTER_BROKER_LISTENER, byName, "set only one of " + INTER_BROKER_LISTENER + " and "
                    + INTER_BROKER_PROTOCOL);
        }
        String inter;
        if (!byName.isEmpty()) {
            inter = byName.toUpperCase(Locale.ROOT);
        } else {
            String protocol = byProtocol.isEmpty() ? "PLAINTEXT" : byProtocol.toUpperCase(Locale.ROOT);
            try {
                inter = SecurityProtocol.forName(protocol).name;
            } catch (IllegalArgumentException e) {
                throw new ConfigException(INTER_BROKER_PROTOCOL, byProtocol, "must be one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL");
            }
        }
        String interName = inter;
        if (advertised.stream().noneMatch(a -> a.name().equals(interName))) {
            String key = byName.isEmpty() ? INTER_BROKER_PROTOCOL : INTER_BROKER_LISTENER;
            throw new ConfigException(key, byName.isEmpty() ? inter : byName, "the inter-broker listener " + inter
                    + " is not among the advertised listeners " + advertised + "; set " + INTER_BROKER_LISTENER
                    + " to one of them");
        }
        return new ListenerSecurity(protocols, inter);
    }

    /**
     * The one place that decides which protocols this broker serves: all four of Kafka's
     * (SASL_PLAINTEXT and SASL_SSL authenticate with {@link SaslConfig}'s mechanisms; SASL_SSL and
     * SSL run over TLS). Kept as the hook where a future protocol would be refused.
     */
    static void requireServed(String listener, SecurityProtocol protocol) {
        if (protocol == null) {
            throw new ConfigException(NodeSettings.LISTENERS, listener, "has no security protocol");
        }
    }

    /** The protocol of {@code listener}; throws for a listener this broker does not have. */
    public SecurityProtocol protocol(String listener) {
        SecurityProtocol p = protocols.get(listener);
        if (p == null) {
            throw new IllegalArgumentException("no listener " + listener);
        }
        return p;
    }

    public SecurityProtocol interBrokerProtocol() {
        return protocol(interBrokerListener);
    }

    static Map<String, SecurityProtocol> protocolMap(String value) {
        Map<String, SecurityProtocol> map = new LinkedHashMap<>();
        if (value.isBlank()) {
            for (SecurityProtocol p : SecurityProtocol.values()) {
                map.put(p.name, p);
            }
            return map;
        }
        for (String part : value.split(",")) {
            String entry = part.trim();
            if (entry.isEmpty()) {
                continue;
            }
            int colon = entry.indexOf(':');
            if (colon <= 0 || colon == entry.length() - 1) {
                throw new ConfigException(PROTOCOL_MAP, value, "'" + entry + "' is not of the form NAME:PROTOCOL");
            }
            String name = entry.substring(0, colon).trim().toUpperCase(Locale.ROOT);
            String protocol = entry.substring(colon + 1).trim().toUpperCase(Locale.ROOT);
            SecurityProtocol p;
            try {
                p = SecurityProtocol.forName(protocol);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(PROTOCOL_MAP, value, "unknown security protocol '" + protocol
                        + "' (PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL)");
            }
            if (map.put(name, p) != null) {
                throw new ConfigException(PROTOCOL_MAP, value, "listener " + name + " is mapped twice");
            }
        }
        return map;
    }
}
