package org.tributary.controller;

import java.util.Map;
import org.tributary.metadata.MetadataRecord.ResourceType;

/**
 * Checks the complete set of config overrides a topic or broker would have after a change (so
 * rules between keys can be checked). Returns {@link ApiError#NONE} or, usually,
 * {@code INVALID_CONFIG} with a message naming the key. Provided by the caller (the broker knows
 * the config definitions); must be deterministic and side-effect free.
 */
@FunctionalInterface
public interface ConfigValidator {
    ConfigValidator ACCEPT_ALL = (type, name, configs) -> ApiError.NONE;

    ApiError validate(ResourceType type, String resourceName, Map<String, String> configs);
}
