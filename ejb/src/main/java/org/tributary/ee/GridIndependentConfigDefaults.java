package org.tributary.ee;

import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Answers the MicroProfile Config keys that Payara's JAX-RS telemetry listener looks up on the
 * first call of each REST resource method, so that the lookup ends here instead of in Payara's
 * <em>cluster</em> config source (ordinal 160).
 *
 * <p>Why: the cluster config source reads a Hazelcast map. While any member of the data grid is
 * frozen (a long GC pause, SIGSTOP, a hung host) and owns the key's partition, that read waits until
 * the grid drops the member: up to {@code hazelcast.max.no.heartbeat.seconds} (8 s with the
 * launcher's settings). Measured on a 3-node cluster with one node stopped: the first
 * {@code /api/cluster} request to each other node took 7.6-9.1 s; with these keys answered above
 * the cluster source, 0.5-0.8 s.
 *
 * <p>Each key is answered with the empty value, which MicroProfile Config treats as "not set" and
 * which ends the search: the listener behaves exactly as with the keys absent (Payara's default
 * span naming, nothing skipped). The ordinal, 165, is above the cluster source and below Payara's
 * expression source (170), environment variables (300) and system properties (400), so a user who
 * wants other values sets them there.
 */
public class GridIndependentConfigDefaults implements ConfigSource {
    /** Payara's cluster config source's default ordinal ({@code set-config-ordinal --source=cluster}). */
    public static final int PAYARA_CLUSTER_ORDINAL = 160;
    public static final int ORDINAL = PAYARA_CLUSTER_ORDINAL + 5;

    /** The keys read by Payara's {@code OpenTracingHelper} and {@code OpenTelemetryRequestEventListener}. */
    public static final Map<String, String> VALUES = Map.of(
            "mp.opentracing.server.operation-name-provider", "",
            "payara.telemetry.span-convention", "",
            "mp.opentracing.server.skip-pattern", "");

    @Override
    public Set<String> getPropertyNames() {
        return VALUES.keySet();
    }

    @Override
    public String getValue(String key) {
        return VALUES.get(key);
    }

    @Override
    public String getName() {
        return "Tributary's defaults for keys Payara would otherwise read from the data grid";
    }

    @Override
    public int getOrdinal() {
        return ORDINAL;
    }
}
