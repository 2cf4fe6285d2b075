package org.tributary.config;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The SASL settings of one SASL_PLAINTEXT or SASL_SSL listener, with Kafka's names:
 * <ul>
 *   <li>{@code sasl.enabled.mechanisms} (a {@code listener.name.<l>.} value wins): PLAIN,
 *       SCRAM-SHA-256, SCRAM-SHA-512. Kafka's default is GSSAPI, which this broker does not
 *       support (nor OAUTHBEARER), so a SASL listener needs the key set explicitly;</li>
 *   <li>{@code listener.name.<l>.<mechanism>.sasl.jaas.config}: one login module entry. PLAIN's
 *       users are its {@code user_<name>="<password>"} options; SCRAM users are the cluster's
 *       SCRAM credentials (metadata), so a SCRAM entry only carries the inter-broker client's
 *       {@code username}/{@code password};</li>
 *   <li>{@code connections.max.reauth.ms} (KIP-368, default 0: sessions never expire), which
 *       Kafka also reads as {@code listener.name.<l>.<mechanism>.connections.max.reauth.ms};</li>
 *   <li>{@code connection.failed.authentication.delay.ms} (default 100): a failed login's answer
 *       waits that long, then the connection closes.</li>
 * </ul>
 * Keys of features this broker lacks (custom callback handlers, login classes, Kerberos) are
 * refused. Messages name keys, never JAAS values (they hold passwords). Immutable.
 */
public record SaslConfig(String listenerName, List<String> mechanisms, Map<String, JaasEntry> jaas, Map<String, Long> maxReauthMs,
        long failedAuthDelayMs) {
    public static final String ENABLED_MECHANISMS = "sasl.enabled.mechanisms";
    public static final String JAAS_CONFIG = "sasl.jaas.config";
    public static final String INTER_BROKER_MECHANISM = "sasl.mechanism.inter.broker.protocol";
    public static final String MAX_REAUTH_MS = "connections.max.reauth.ms";
    public static final String FAILED_AUTH_DELAY_MS = "connection.failed.authentication.delay.ms";
    public static final String PLAIN = "PLAIN";
    public static final List<String> SUPPORTED = List.of(PLAIN, "SCRAM-SHA-256", "SCRAM-SHA-512");
    static final String PLAIN_MODULE = "org.apache.kafka.common.security.plain.PlainLoginModule";
    static final String SCRAM_MODULE = "org.apache.kafka.common.security.scram.ScramLoginModule";
    /** Kafka SASL keys for features this broker does not have; set at any level, they stop the node. */
    static final List<String> REFUSED = List.of("sasl.server.callback.handler.class", "sasl.login.class",
            "sasl.login.callback.handler.class", "sasl.kerberos.service.name", "sasl.server.max.receive.size");

    public SaslConfig {
        mechanisms = List.copyOf(mechanisms);
        jaas = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(jaas));
        maxReauthMs = Map.copyOf(maxReauthMs);
    }

    /** The session lifetime for logins with {@code mechanism}, 0 for none. */
    public long maxReauthMs(String mechanism) {
        return maxReauthMs.getOrDefault(mechanism, 0L);
    }

    /** The inter-broker client side: which mechanism, as whom. {@link #toString} hides the password. */
    public record Client(String mechanism, String username, String password) {
        @Override
        public String toString() {
            return mechanism + " as " + username;
        }
    }

    /** The settings of {@code listenerName} (upper case, as in {@code listeners}). */
    public static SaslConfig forListener(BrokerConfig config, String listenerName) {
        String prefix = prefix(listenerName);
        for (String refused : REFUSED) {
            refuse(config, refused, "is not supported by this broker (PLAIN users come from the JAAS config, SCRAM users from "
                    + "the cluster's SCRAM credentials)");
            refuse(config, prefix + refused, "is not supported by this broker");
            for (String m : SUPPORTED) {
                refuse(config, prefix + m.toLowerCase(Locale.ROOT) + "." + refused, "is not supported by this broker");
            }
        }
        for (String unprefixed : List.of(JAAS_CONFIG, prefix + JAAS_CONFIG)) {
            refuse(config, unprefixed, "a broker reads its JAAS config per listener and mechanism: set "
                    + prefix + "<mechanism in lower case>." + JAAS_CONFIG);
        }
        String key = config.get(prefix + ENABLED_MECHANISMS).isPresent() ? prefix + ENABLED_MECHANISMS : ENABLED_MECHANISMS;
        String value = config.get(key).orElse(null);
        if (value == null) {
            throw new ConfigException(ENABLED_MECHANISMS, "is not set and Kafka's default, GSSAPI, is not supported by this broker; "
                    + "the SASL listener " + listenerName + " needs one or more of " + String.join(", ", SUPPORTED));
        }
        List<String> mechanisms = Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        if (mechanisms.isEmpty()) {
            throw new ConfigException(key, value, "names no mechanism; use one or more of " + String.join(", ", SUPPORTED));
        }
        Map<String, JaasEntry> jaas = new LinkedHashMap<>();
        for (String m : mechanisms) {
            if (m.equals("GSSAPI") || m.equals("OAUTHBEARER")) {
                throw new ConfigException(key, value, m + " is not supported by this broker; use " + String.join(", ", SUPPORTED));
            }
            if (!SUPPORTED.contains(m)) {
                throw new ConfigException(key, value, "unknown SASL mechanism " + m + " (mechanism names are case-sensitive); use "
                        + String.join(", ", SUPPORTED));
            }
            String jaasKey = prefix + m.toLowerCase(Locale.ROOT) + "." + JAAS_CONFIG;
            Optional<String> text = config.get(jaasKey).filter(s -> !s.isEmpty());
            if (text.isPresent()) {
                JaasEntry e = JaasEntry.parse(jaasKey, text.get());
                String module = m.equals(PLAIN) ? PLAIN_MODULE : SCRAM_MODULE;
                if (!e.loginModule().equals(module)) {
                    throw new ConfigException(jaasKey, "names login module " + e.loginModule() + "; " + m + " needs " + module);
                }
                jaas.put(m, e);
            }
            if (m.equals(PLAIN) && (text.isEmpty() || plainUsers(jaas.get(m)).isEmpty())) {
                throw new ConfigException(jaasKey, "PLAIN on listener " + listenerName + " needs its users here, e.g. "
                        + PLAIN_MODULE + " required user_alice=\"<password>\";");
            }
        }
        Map<String, Long> reauth = new LinkedHashMap<>();
        for (String m : mechanisms) {
            String k = prefix + m.toLowerCase(Locale.ROOT) + "." + MAX_REAUTH_MS;
            k = config.get(k).filter(v -> !v.isEmpty()).isPresent() ? k : MAX_REAUTH_MS;
            long ms = config.getLong(k, 0L);
            if (ms < 0) {
                throw new ConfigException(k, ms, "must be 0 (no re-authentication) or more");
            }
            reauth.put(m, ms);
        }
        refuse(config, prefix + MAX_REAUTH_MS, "Kafka reads it per listener and mechanism: set " + prefix
                + "<mechanism in lower case>." + MAX_REAUTH_MS + " or " + MAX_REAUTH_MS);
        long delay = config.getLong(FAILED_AUTH_DELAY_MS, 100L);
        long idle = config.getLong("connections.max.idle.ms", 600_000L);
        if (delay < 0 || (idle > 0 && delay >= idle)) {
            throw new ConfigException(FAILED_AUTH_DELAY_MS, delay, "must be at least 0 and less than connections.max.idle.ms ("
                    + idle + ")");
        }
        return new SaslConfig(listenerName, mechanisms, jaas, reauth, delay);
    }

    /** The inter-broker client settings for {@code listenerName}, the inter-broker listener. */
    public static Client interBrokerClient(BrokerConfig config, String listenerName) {
        SaslConfig listener = forListener(config, listenerName);
        String mechanism = config.get(INTER_BROKER_MECHANISM).filter(s -> !s.isEmpty()).orElse(null);
        if (mechanism == null) {
            throw new ConfigException(INTER_BROKER_MECHANISM, "is not set and Kafka's default, GSSAPI, is not supported by this broker;"
                    + " the inter-broker listener " + listenerName + " needs one of " + listener.mechanisms());
        }
        if (!listener.mechanisms().contains(mechanism)) {
            throw new ConfigException(INTER_BROKER_MECHANISM, mechanism, "must be one of the mechanisms enabled on the inter-broker "
                    + "listener " + listenerName + " " + listener.mechanisms());
        }
        String jaasKey = prefix(listenerName) + mechanism.toLowerCase(Locale.ROOT) + "." + JAAS_CONFIG;
        JaasEntry e = listener.jaas().get(mechanism);
        String user = e == null ? null : e.options().get("username");
        String password = e == null ? null : e.options().get("password");
        if (user == null || user.isEmpty() || password == null) {
            throw new ConfigException(jaasKey, "needs username and password options: the broker logs in with them to the other "
                    + "brokers' " + listenerName + " listener");
        }
        return new Client(mechanism, user, password);
    }

    /** PLAIN's users and passwords, from the {@code user_<name>} options. */
    public static Map<String, String> plainUsers(JaasEntry entry) {
        Map<String, String> users = new LinkedHashMap<>();
        if (entry != null) {
            entry.options().forEach((k, v) -> {
                if (k.startsWith("user_") && k.length() > 5) {
                    users.put(k.substring(5), v);
                }
            });
        }
        return users;
    }

    /** This listener's PLAIN users (empty when PLAIN is not enabled). */
    public Map<String, String> plainUsers() {
        return plainUsers(jaas.get(PLAIN));
    }

    private static String prefix(String listenerName) {
        return "listener.name." + listenerName.toLowerCase(Locale.ROOT) + ".";
    }

    private static void refuse(BrokerConfig config, String key, String why) {
        if (config.get(key).filter(v -> !v.isEmpty()).isPresent()) {
            throw new ConfigException(key, why);
        }
    }

    /** Never the JAAS values: they hold passwords. */
    @Override
    public String toString() {
        return "SaslConfig[" + listenerName + " " + mechanisms + ", connections.max.reauth.ms " + maxReauthMs + "]";
    }
}
