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

    public static Map<String, String> parse(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        if (text == null) {
            return out;
        }
        for (String part : text.split("[;\\n]")) {
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

    /** The cluster to use when none is configured: the system property, the environment, then localhost. */
    public static String defaultBootstrapServers() {
        String v = System.getProperty(BOOTSTRAP_PROPERTY);
        if (v == null || v.isBlank()) {
            v = System.getenv("TRIBUTARY_BOOTSTRAP_SERVERS");
        }
        return v == null || v.isBlank() ? "localhost:9092" : v.trim();
    }
}
