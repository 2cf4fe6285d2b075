package org.tributary.ee;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.Config;

/**
 * Collects the broker settings MicroProfile Config knows into one map, because the engine reads
 * some families of keys (log and topic defaults such as {@code log.retention.hours},
 * {@code num.partitions}) by enumerating them, not by looking them up one at a time.
 * Kafka-style names come from system properties and {@code tributary.properties} as they are;
 * environment variables in the upper-case form ({@code LOG_RETENTION_HOURS}) are mapped to
 * their dotted name and resolved through MicroProfile Config, which applies its own precedence.
 */
final class ConfigKeys {
    private static final Pattern KAFKA_STYLE = Pattern.compile("[a-z][a-z0-9-]*(\\.[a-z0-9-]+)+");
    private static final Pattern ENV_STYLE = Pattern.compile("[A-Z][A-Z0-9]*(_[A-Z0-9]+)+");

    private ConfigKeys() {
    }

    static Map<String, String> brokerSettings(Config mp) {
        Map<String, String> out = new TreeMap<>();
        for (String name : mp.getPropertyNames()) {
            String key = ENV_STYLE.matcher(name).matches() ? name.toLowerCase(Locale.ROOT).replace('_', '.') : name;
            if (KAFKA_STYLE.matcher(key).matches()) {
                mp.getOptionalValue(key, String.class).ifPresent(v -> out.put(key, v));
            }
        }
        return out;
    }
}
