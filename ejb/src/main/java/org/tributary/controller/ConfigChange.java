package org.tributary.controller;

import java.util.Objects;

/** Set {@code key} to {@code value}, or delete it when {@code value} is null (IncrementalAlterConfigs SET/DELETE). */
public record ConfigChange(String key, String value) {
    public ConfigChange {
        Objects.requireNonNull(key, "key");
    }
}
