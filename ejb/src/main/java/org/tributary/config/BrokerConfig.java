package org.tributary.config;

import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Broker-level configuration: an immutable snapshot of string values under Kafka's property names
 * (for example {@code listeners}, {@code log.dirs}, {@code num.partitions}) plus Tributary's own
 * ({@code tributary.*}). Typed getters validate on read and throw {@link ConfigException} naming
 * the key; every subsystem reads its own keys with its own defaults.
 *
 * <p>Thread-safe (immutable).
 */
public final class BrokerConfig {
    private final Map<String, String> values;
    private final Function<String, Optional<String>> fallback;

    private BrokerConfig(Map<String, String> values, Function<String, Optional<String>> fallback) {
        this.values = Collections.unmodifiableMap(new TreeMap<>(values));
        this.fallback = fallback;
    }

    /** A configuration made of exactly these values (tests, embedded use). */
    public static BrokerConfig of(Map<String, String> values) {
        return new BrokerConfig(values, k -> Optional.empty());
    }

    /**
     * A configuration backed by a lookup (MicroProfile Config in the container), with explicit
     * values taking precedence.
     */
    public static BrokerConfig of(Map<String, String> values, Function<String, Optional<String>> lookup) {
        return new BrokerConfig(values, lookup);
    }

    /** A copy with some values replaced. */
    public BrokerConfig with(Map<String, String> overrides) {
        Map<String, String> m = new TreeMap<>(values);
        m.putAll(overrides);
        return new BrokerConfig(m, fallback);
    }

    public Optional<String> get(String key) {
        String v = values.get(key);
        if (v != null) {
            return Optional.of(v.trim());
        }
        return fallback.apply(key).map(String::trim);
    }

    public String getString(String key, String defaultValue) {
        return get(key).filter(s -> !s.isEmpty()).orElse(defaultValue);
    }

    public int getInt(String key, int defaultValue) {
        return get(key).filter(s -> !s.isEmpty()).map(v -> parseInt(key, v)).orElse(defaultValue);
    }

    public int getInt(String key, int defaultValue, int min, int max) {
        int v = getInt(key, defaultValue);
        if (v < min || v > max) {
            throw new ConfigException(key, v, "must be between " + min + " and " + max);
        }
        return v;
    }

    public long getLong(String key, long defaultValue) {
        return get(key).filter(s -> !s.isEmpty()).map(v -> parseLong(key, v)).orElse(defaultValue);
    }

    public boolean getBoolean(String key, boolean defaultValue) {
        return get(key).filter(s -> !s.isEmpty()).map(v -> {
            if (v.equalsIgnoreCase("true")) {
                return true;
            }
            if (v.equalsIgnoreCase("false")) {
                return false;
            }
            throw new ConfigException(key, v, "must be true or false");
        }).orElse(defaultValue);
    }

    /** The explicitly set values (not the fallback lookup), for diagnostics. */
    public Map<String, String> explicitValues() {
        return values;
    }

    private static int parseInt(String key, String v) {
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new ConfigException(key, v, "must be a whole number");
        }
    }

    private static long parseLong(String key, String v) {
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new ConfigException(key, v, "must be a whole number");
        }
    }
}
