package org.tributary.jca;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Parses free-form Kafka client settings written as {@code name=value} pairs separated by
 * {@code ;} or new lines (for example {@code "linger.ms=5;compression.type=lz4"}), so that any
 * Kafka producer or consumer property can be given through a single JavaBean property.
 */
public final class KafkaSettings {
    /** The system property (or, upper-cased with '_', environment variable) giving the default cluster. */
    public static final String BOOTSTRAP_PROPERTY = "tributary.bootstrap.servers";

    private KafkaSettings() {
    }

    /**
     * Parses {@code name=value} pairs separated by {@code ;} or new lines. A value may hold
     * {@code ;} inside double quotes, and a JAAS line's own closing {@code ;} stays with it, so
     * {@code sasl.jaas.config=...ScramLoginModule required username="app" password="s;3";} is one setting.
     */
    public static Map<String, String> parse(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        if (text == null) {
            return out;
        }
        for (String part : split(text)) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            int eq = p.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("expected name=value but found '" + p + "'");
            }
            out.put(p.substring(0, eq).trim(), p.substring(eq + 1).trim());
        }
        return out;
    }

    private static java.util.List<String> split(String text) {
        java.util.List<String> parts = new java.util.ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\' && quoted && i + 1 < text.length()) {
                cur.append(c).append(text.charAt(++i));
                continue;
            }
            if (c == '"') {
                quoted = !quoted;
            }
            if (!quoted && (c == ';' || c == '\n')) {
                String sofar = cur.toString();
                if (c == ';' && sofar.contains("LoginModule") && sofar.trim().startsWith("sasl.jaas.config")) {
                    cur.append(c); // a JAAS entry ends with ';'
                }
                parts.add(cur.toString());
                cur.setLength(0);
                continue;
            }
            cur.append(c);
        }
        if (quoted) {
            throw new IllegalArgumentException("a double quote is not closed");
        }
        parts.add(cur.toString());
        return parts;
    }

    /** Kafka's client security protocols. */
    private static final java.util.Set<String> PROTOCOLS = java.util.Set.of("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL");

    /**
     * Parses and checks security settings (Kafka's names: {@code security.protocol}, {@code ssl.*},
     * {@code sasl.*}) that apply to every Kafka client a factory or endpoint creates. Anything
     * else, or an unknown protocol, is refused; messages never show a value.
     */
    public static Map<String, String> security(String text) {
        Map<String, String> m = parse(text);
        for (String k : m.keySet()) {
            if (!k.equals("security.protocol") && !k.startsWith("ssl.") && !k.startsWith("sasl.")) {
                throw new IllegalArgumentException("'" + k + "' is not a security setting (security.protocol, ssl.*, sasl.*); "
                        + "put other client settings in the producer or consumer properties");
            }
        }
        String protocol = m.get("security.protocol");
        if (protocol != null && !PROTOCOLS.contains(protocol.toUpperCase(java.util.Locale.ROOT))) {
            throw new IllegalArgumentException("security.protocol must be one of " + new java.util.TreeSet<>(PROTOCOLS));
        }
        if (protocol != null && protocol.toUpperCase(java.util.Locale.ROOT).startsWith("SASL_") && !m.containsKey("sasl.jaas.config")) {
            throw new IllegalArgumentException("security.protocol " + protocol + " needs sasl.mechanism and sasl.jaas.config");
        }
        return m;
    }

    /** The cluster to use when none is configured: the system property, the environment, then localhost. */
    public static String defaultBootstrapServers() {
        String v = configuredBootstrapServers();
        return v == null ? FALLBACK_BOOTSTRAP : v;
    }

    /** The last resort when nothing names a cluster (Kafka's default port on this host). */
    public static final String FALLBACK_BOOTSTRAP = "localhost:9092";

    /** The system property {@value #BOOTSTRAP_PROPERTY}, else {@code TRIBUTARY_BOOTSTRAP_SERVERS}; null when neither is set. */
    public static String configuredBootstrapServers() {
        String v = System.getProperty(BOOTSTRAP_PROPERTY);
        if (v == null || v.isBlank()) {
            v = System.getenv("TRIBUTARY_BOOTSTRAP_SERVERS");
        }
        return v == null || v.isBlank() ? null : v.trim();
    }
}
