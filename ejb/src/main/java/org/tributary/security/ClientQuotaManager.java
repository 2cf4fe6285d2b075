package org.tributary.security;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.tributary.metadata.ClientQuotas;
import org.tributary.util.SampledRate;

/**
 * Enforces client quotas (KIP-13, KIP-55, KIP-124) from the cluster metadata: produce and fetch
 * byte rates and the request-time percentage, per user and client id. The quota that applies is
 * found as Kafka finds it, most specific first: user + client id, user + default client, user,
 * default user + client id, default user + default client, default user, client id, default
 * client. Clients sharing the level that applies share its rate (a quota on a user alone covers
 * all of that user's clients; a default applies to each user or client separately).
 *
 * <p>Recording returns a throttle time; the caller sends the response with it and mutes the
 * connection for that long (KIP-219), never dropping data. Without any quota in the metadata
 * nothing is recorded. Thread-safe.
 */
public final class ClientQuotaManager {
    /** What is measured. */
    public enum Type {
        PRODUCE(ClientQuotas.PRODUCER_BYTE_RATE), FETCH(ClientQuotas.CONSUMER_BYTE_RATE), REQUEST(ClientQuotas.REQUEST_PERCENTAGE);

        final String key;

        Type(String key) {
            this.key = key;
        }
    }

    /** The quota that applies to a client, and whose rate it counts against. */
    record Applied(double bound, String user, String clientId) {
    }

    private record SensorKey(Type type, String user, String clientId) {
    }

    private static final long IDLE_SENSOR_MS = 3_600_000L;
    private final Supplier<ClientQuotas> quotas;
    private final int samples;
    private final long windowMs;
    private final Map<SensorKey, SampledRate> sensors = new ConcurrentHashMap<>();
    private volatile long lastSweepMs;

    /**
     * @param samples Kafka's {@code quota.window.num} (default 11)
     * @param windowMs Kafka's {@code quota.window.size.seconds} in ms (default 1000)
     */
    public ClientQuotaManager(Supplier<ClientQuotas> quotas, int samples, long windowMs) {
        this.quotas = quotas;
        this.samples = samples;
        this.windowMs = windowMs;
    }

    /**
     * Records {@code value} (bytes, or nanoseconds of request-handler thread time for
     * {@link Type#REQUEST}) for this client and returns how long to throttle it, 0 when it is
     * within its quota or has none.
     */
    public long recordAndGetThrottleMs(Type type, KafkaPrincipal principal, String clientId, double value, long nowMs) {
        Applied q = applied(quotas.get(), type, user(principal), clientId == null ? "" : clientId);
        if (q == null) {
            return 0;
        }
        SampledRate rate = record(q, type, value, nowMs);
        double observed = rate.rate(nowMs);
        if (observed <= q.bound()) {
            return 0;
        }
        long throttle = (long) ((observed - q.bound()) / q.bound() * rate.spanMs(nowMs));
        long max = type == Type.REQUEST ? windowMs : samples * windowMs;
        return Math.max(1, Math.min(throttle, max));
    }

    /**
     * Records {@code value} for this client without throttling anything now: it counts toward the
     * throttle of the client's next requests only. Kafka's {@code recordNoThrottle}, used for the
     * time network threads spent reading a request and writing its response (KIP-124), known only
     * once that response is sent.
     */
    public void recordNoThrottle(Type type, KafkaPrincipal principal, String clientId, double value, long nowMs) {
        Applied q = applied(quotas.get(), type, user(principal), clientId == null ? "" : clientId);
        if (q != null) {
            record(q, type, value, nowMs);
        }
    }

    private SampledRate record(Applied q, Type type, double value, long nowMs) {
        sweep(nowMs);
        SampledRate rate = sensors.computeIfAbsent(new SensorKey(type, q.user(), q.clientId()), k -> new SampledRate(samples, windowMs, nowMs));
        rate.record(type == Type.REQUEST ? value * 100.0 / 1_000_000_000.0 : value, nowMs);
        return rate;
    }

    /**
     * The most this client may receive in one answer without being throttled for it even from an
     * idle start, as Kafka computes it for fetches: its byte-rate quota over all samples but the
     * current one ({@code quota.window.num - 1} windows); {@link Long#MAX_VALUE} without a quota.
     * A fetch is never answered with more than this, so one response cannot overshoot the rate by
     * more than the window can absorb.
     */
    public long maxValueInQuotaWindow(Type type, KafkaPrincipal principal, String clientId) {
        Applied q = applied(quotas.get(), type, user(principal), clientId == null ? "" : clientId);
        if (q == null) {
            return Long.MAX_VALUE;
        }
        double max = q.bound() * (samples - 1) * (windowMs / 1000.0);
        return max >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) max;
    }

    /** Takes back bytes recorded for a response that was not sent (a throttled fetch answers empty, as in Kafka). */
    public void unrecord(Type type, KafkaPrincipal principal, String clientId, double value, long nowMs) {
        Applied q = applied(quotas.get(), type, user(principal), clientId == null ? "" : clientId);
        if (q != null) {
            SampledRate rate = sensors.get(new SensorKey(type, q.user(), q.clientId()));
            if (rate != null) {
                rate.record(-value, nowMs);
            }
        }
    }

    /** Whether any client quota is set at all (lets the hot path skip the lookup). */
    public boolean enabled() {
        return !quotas.get().isEmpty();
    }

    private static String user(KafkaPrincipal p) {
        return p == null ? KafkaPrincipal.ANONYMOUS.getName() : p.getName();
    }

    /** The quota of {@code type} that applies to {@code user}/{@code clientId}, or null for none. */
    static Applied applied(ClientQuotas all, Type type, String user, String clientId) {
        if (all.isEmpty()) {
            return null;
        }
        String d = ClientQuotas.DEFAULT;
        Double v;
        if ((v = value(all, type, user, clientId)) != null) {
            return new Applied(v, user, clientId);
        }
        if ((v = value(all, type, user, d)) != null) {
            return new Applied(v, user, clientId);
        }
        if ((v = value(all, type, user, null)) != null) {
            return new Applied(v, user, "");
        }
        if ((v = value(all, type, d, clientId)) != null) {
            return new Applied(v, user, clientId);
        }
        if ((v = value(all, type, d, d)) != null) {
            return new Applied(v, user, clientId);
        }
        if ((v = value(all, type, d, null)) != null) {
            return new Applied(v, user, "");
        }
        if ((v = value(all, type, null, clientId)) != null) {
            return new Applied(v, "", clientId);
        }
        if ((v = value(all, type, null, d)) != null) {
            return new Applied(v, "", clientId);
        }
        return null;
    }

    private static Double value(ClientQuotas all, Type type, String user, String clientId) {
        ClientQuotaEntity e = ClientQuotas.entity(user, clientId);
        return all.values(e).get(type.key);
    }

    /** Drops the rates of clients idle for an hour (Kafka expires its quota sensors likewise). */
    private void sweep(long nowMs) {
        if (nowMs - lastSweepMs < 60_000L) {
            return;
        }
        lastSweepMs = nowMs;
        sensors.entrySet().removeIf(e -> nowMs - e.getValue().lastRecordMs() > IDLE_SENSOR_MS);
    }
}
