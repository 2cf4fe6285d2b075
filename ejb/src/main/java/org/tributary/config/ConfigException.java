package org.tributary.config;

/**
 * A configuration value that cannot be used. The message always names the key, the offending
 * value and what is expected, so it can be logged as one line that tells the operator what to fix.
 */
public class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String key;

    public ConfigException(String key, Object value, String problem) {
        super("Invalid value " + (value == null ? "(none)" : "'" + value + "'") + " for configuration '" + key + "': " + problem);
        this.key = key;
    }

    public ConfigException(String key, String message) {
        super("Configuration '" + key + "': " + message);
        this.key = key;
    }

    /** The configuration key at fault. */
    public String key() {
        return key;
    }
}
