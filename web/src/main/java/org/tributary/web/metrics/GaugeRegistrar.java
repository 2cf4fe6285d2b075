package org.tributary.web.metrics;

import java.lang.reflect.Method;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.logging.Logger;
import org.eclipse.microprofile.metrics.Gauge;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.Metric;
import org.eclipse.microprofile.metrics.MetricID;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.Tag;

/**
 * Registers gauges in a {@link MetricRegistry} at a cost that does not grow with the number of
 * gauges of the same name. Payara's {@code MetricRegistry.gauge} checks every new metric's tag
 * names against all registered metrics of its name, so registering one gauge per partition costs
 * the square of the partition count (minutes of CPU for 10,000 partitions). Payara's registry also
 * has a public {@code register(Metadata, String type, Metric, Tag...)} that registers without that
 * scan; this class uses it when the registry has it, and {@code gauge} otherwise. The skipped check
 * holds by construction: every metric name here always gets the same tag names.
 */
final class GaugeRegistrar {
    private static final Logger LOG = Logger.getLogger(GaugeRegistrar.class.getName());

    private final MetricRegistry registry;
    private final Method register;
    private long registrations;
    private long removals;

    GaugeRegistrar(MetricRegistry registry) {
        this.registry = registry;
        this.register = directRegister(registry.getClass()).orElse(null);
    }

    /** The registry's {@code register(Metadata, String, Metric, Tag...)} if its class has one. */
    static Optional<Method> directRegister(Class<?> registryClass) {
        try {
            Method m = registryClass.getMethod("register", Metadata.class, String.class, Metric.class, Tag[].class);
            return Optional.of(m);
        } catch (NoSuchMethodException | SecurityException e) {
            return Optional.empty();
        }
    }

    boolean direct() {
        return register != null;
    }

    /** Gauges registered so far (tests: an unchanged snapshot registers nothing). */
    long registrations() {
        return registrations;
    }

    /** Gauges removed so far (tests: an unchanged snapshot removes nothing). */
    long removals() {
        return removals;
    }

    /** Registers a gauge reading {@code value} whenever the registry is read. */
    void gauge(Metadata metadata, Supplier<? extends Number> value, Tag... tags) {
        registrations++;
        if (register != null) {
            Gauge<Number> g = value::get;
            try {
                register.invoke(registry, metadata, Gauge.class.getTypeName(), g, tags);
                return;
            } catch (ReflectiveOperationException | RuntimeException e) {
                LOG.fine(() -> "direct registration of " + metadata.getName() + " failed, using MetricRegistry.gauge: " + e);
            }
        }
        registry.gauge(metadata, value::get, tags);
    }

    /** Removes the metric {@code name} with {@code tags} (its {@link MetricID} is built here, only when something goes away). */
    void remove(String name, Tag... tags) {
        removals++;
        registry.remove(new MetricID(name, tags));
    }
}
