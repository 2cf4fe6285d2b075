package org.tributary.api;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersionCollection;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * The dispatch table: API key to handler and the version range it implements. ApiVersions answers
 * from this table, so what is advertised is exactly what is registered. Adding an API is one
 * {@link #register} call. Built before the server starts, read-only afterwards.
 */
public final class ApiRegistry {
    /** One row of the table. */
    public record Registration(ApiKeys key, short minVersion, short maxVersion, ApiHandler handler) {
        boolean supports(short version) {
            return version >= minVersion && version <= maxVersion;
        }
    }

    private final Map<ApiKeys, Registration> table = new EnumMap<>(ApiKeys.class);

    /**
     * Registers {@code handler} for {@code key} versions {@code min..max}; the range must lie within
     * what the pinned kafka-clients can decode.
     */
    public ApiRegistry register(ApiKeys key, int min, int max, ApiHandler handler) {
        if (min < key.oldestVersion() || max > key.latestVersion() || min > max) {
            throw new IllegalArgumentException(key + " versions " + min + "-" + max + " outside what kafka-clients supports ("
                    + key.oldestVersion() + "-" + key.latestVersion() + ")");
        }
        if (table.putIfAbsent(key, new Registration(key, (short) min, (short) max, handler)) != null) {
            throw new IllegalArgumentException(key + " registered twice");
        }
        return this;
    }

    /**
     * Replaces {@code key}'s handler by {@code wrapper} applied to it, same versions (a layer around
     * a handler: observing the context in tests, checks before the handler).
     */
    public ApiRegistry wrap(ApiKeys key, java.util.function.UnaryOperator<ApiHandler> wrapper) {
        table.computeIfPresent(key, (k, r) -> new Registration(k, r.minVersion(), r.maxVersion(), wrapper.apply(r.handler())));
        return this;
    }

    public Optional<Registration> lookup(ApiKeys key) {
        return Optional.ofNullable(table.get(key));
    }

    public Map<ApiKeys, Registration> all() {
        return Collections.unmodifiableMap(table);
    }

    /** The {@code api_keys} list for ApiVersions responses. */
    public ApiVersionCollection advertised() {
        ApiVersionCollection c = new ApiVersionCollection();
        for (Registration r : table.values()) {
            c.add(new ApiVersion().setApiKey(r.key().id).setMinVersion(r.minVersion()).setMaxVersion(r.maxVersion()));
        }
        return c;
    }
}
