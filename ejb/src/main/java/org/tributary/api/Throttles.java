package org.tributary.api;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.kafka.common.protocol.ApiMessage;

/**
 * Sets {@code throttle_time_ms} on any response message that has the field (most do; the setter
 * is looked up once per message class). A response without it is left alone: its client is held
 * back by the muted connection only.
 */
final class Throttles {
    private static final ConcurrentMap<Class<?>, Optional<MethodHandle>> SETTERS = new ConcurrentHashMap<>();

    private Throttles() {
    }

    static void set(ApiMessage response, int throttleMs) {
        Optional<MethodHandle> setter = SETTERS.computeIfAbsent(response.getClass(), Throttles::find);
        if (setter.isEmpty()) {
            return;
        }
        try {
            setter.get().invoke(response, throttleMs);
        } catch (Throwable e) {
            throw new IllegalStateException("cannot set the throttle time of " + response.getClass().getSimpleName(), e);
        }
    }

    private static Optional<MethodHandle> find(Class<?> type) {
        try {
            return Optional.of(MethodHandles.publicLookup().findVirtual(type, "setThrottleTimeMs",
                    MethodType.methodType(type, int.class)));
        } catch (NoSuchMethodException | IllegalAccessException e) {
            return Optional.empty();
        }
    }
}
