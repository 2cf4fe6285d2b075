package org.tributary.ee;

/** One topic configuration value, with where it comes from (DEFAULT_CONFIG, DYNAMIC_TOPIC_CONFIG, ...). */
public record ConfigEntryInfo(String name, String value, String source, boolean readOnly, boolean sensitive) {
}
