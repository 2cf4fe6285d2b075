package org.tributary.jca.grid;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.logging.Logger;
import org.tributary.jca.KafkaSettings;

/**
 * Finds the brokers through the Payara data grid when nothing configures bootstrap servers: the
 * active controller of each Tributary cluster publishes its committed metadata there as plain
 * text, and the live brokers' {@code host:kafkaPort} become the bootstrap list. This lets an
 * application instance without a broker, or a broker on another port than 9092, be found.
 *
 * <p>Which cluster: the one named by {@code clusterId}; without it, the only one published. Several
 * published clusters without a {@code clusterId} is refused, as is a {@code clusterId} the grid
 * does not hold (with an {@link IllegalStateException} saying what to configure). With no grid,
 * or no cluster published yet, the answer is {@value KafkaSettings#FALLBACK_BOOTSTRAP}, with one
 * log line saying so (once per instance of this class).
 *
 * <p>Callers resolve when they create Kafka clients, not once at deployment, so brokers that
 * start after the application are found. The answer stays the same while any broker of the list
 * last answered is live (a client learns the others from its metadata): the adapter shares one
 * producer per configuration, so a list that followed every broker restart would leave an idle
 * producer behind each time; a new list is made once none of the old one is live.
 *
 * <p>Thread-safe.
 */
public final class GridBootstrap {
    private static final Logger LOG = Logger.getLogger(GridBootstrap.class.getName());

    private final Supplier<PublishedClusters> source;
    private volatile PublishedClusters grid;
    private final AtomicBoolean fallbackLogged = new AtomicBoolean();
    /** The list last answered, kept while any of its brokers is live (see {@link #resolve}). */
    private final AtomicReference<Found> lastFound = new AtomicReference<>();

    private record Found(String cluster, List<String> brokers, String bootstrap) {
    }

    /** Reads the clusters {@code source} gives; {@code source} answers null when there is no grid. */
    public GridBootstrap(Supplier<PublishedClusters> source) {
        this.source = Objects.requireNonNull(source);
    }

    /**
     * The Payara member's own grid (JNDI {@value HazelcastClusters#JNDI_NAME}). Outside Payara, or
     * without Hazelcast classes, there is no grid and the fallback applies.
     */
    public static GridBootstrap payara() {
        try {
            Class.forName("com.hazelcast.core.HazelcastInstance", false, GridBootstrap.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return new GridBootstrap(() -> null);
        }
        return new GridBootstrap(HazelcastClusters::lookup);
    }

    /**
     * The bootstrap list of the cluster published in the grid (see the class comment), else the
     * fallback.
     *
     * @param clusterId the cluster to use, or null/blank for "the only one published"
     * @throws IllegalStateException when the choice is ambiguous or {@code clusterId} is not published
     */
    public String resolve(String clusterId) {
        String wanted = clusterId == null || clusterId.isBlank() ? null : clusterId.trim();
        Map<String, String> images = images();
        if (images == null) {
            if (wanted != null) {
                throw new IllegalStateException("clusterId '" + wanted + "' is set but this process has no Payara data grid ("
                        + HazelcastClusters.JNDI_NAME + ") to find it in; set bootstrapServers instead");
            }
            return fallback("no Payara data grid in this process: JNDI " + HazelcastClusters.JNDI_NAME + " not found");
        }
        String chosen;
        if (wanted != null) {
            if (!images.containsKey(wanted)) {
                throw new IllegalStateException("clusterId '" + wanted + "': no metadata of that cluster is published in the data grid"
                        + " (published: " + new java.util.TreeSet<>(images.keySet()) + "); is a broker of it running?");
            }
            chosen = wanted;
        } else if (images.isEmpty()) {
            return fallback("no Tributary cluster has published its metadata into the data grid");
        } else if (images.size() > 1) {
            throw new IllegalStateException("several Tributary clusters are published in the data grid "
                    + new java.util.TreeSet<>(images.keySet())
                    + ": set the resource adapter's clusterId to one of them, or set bootstrapServers");
        } else {
            chosen = images.keySet().iterator().next();
        }
        List<String> live = liveBrokers(images.get(chosen));
        if (live.isEmpty()) {
            if (wanted != null) {
                throw new IllegalStateException("clusterId '" + wanted + "': the data grid lists no live broker of that cluster");
            }
            return fallback("cluster '" + chosen + "' in the data grid has no live broker");
        }
        Found previous = lastFound.get();
        if (previous != null && previous.cluster.equals(chosen) && previous.brokers.stream().anyMatch(live::contains)) {
            // the same list while one of its brokers lives: producers are shared per configuration, and a
            // list that changed with every broker restart would leave one more idle producer each time
            return previous.bootstrap;
        }
        Found found = new Found(chosen, live, String.join(",", live));
        lastFound.set(found);
        LOG.info("TRIB-JCA-004 Bootstrap servers of cluster '" + chosen + "' found in the data grid: " + found.bootstrap);
        return found.bootstrap;
    }

    private Map<String, String> images() {
        PublishedClusters g = grid;
        if (g == null) {
            g = source.get();
            if (g == null) {
                return null;
            }
            grid = g;
        }
        try {
            return g.images();
        } catch (RuntimeException e) { // the member is shutting down or restarting: look it up again next time
            grid = null;
            return null;
        }
    }

    private String fallback(String why) {
        if (fallbackLogged.compareAndSet(false, true)) {
            LOG.info("TRIB-JCA-003 No bootstrap servers configured and none found in the data grid (" + why + "): using "
                    + KafkaSettings.FALLBACK_BOOTSTRAP + ". Set bootstrapServers on the connection factory, activation spec or"
                    + " resource adapter, or -D" + KafkaSettings.BOOTSTRAP_PROPERTY);
        }
        return KafkaSettings.FALLBACK_BOOTSTRAP;
    }

    /**
     * The {@code host:port} of the live brokers in published metadata text, in the published order.
     * The format is shared with the broker side ({@code org.tributary.grid.PublishedMetadata.format}
     * in the engine, which the adapter does not depend on): a line
     * {@code broker <id> <host> <kafkaPort> <httpPort> <rack> live|fenced}. Only broker lines are
     * read; other lines, extra fields and damaged broker lines are skipped, so additions to the
     * format do not break older adapters.
     */
    static List<String> liveBrokers(String text) {
        List<String> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            String[] f = line.trim().split(" +");
            if (f.length < 7 || !f[0].equals("broker") || !f[6].equals("live")) {
                continue;
            }
            try {
                int port = Integer.parseInt(f[3]);
                if (port > 0 && port < 65536 && !f[2].isEmpty()) {
                    out.add((f[2].indexOf(':') >= 0 ? "[" + f[2] + "]" : f[2]) + ":" + port);
                }
            } catch (NumberFormatException e) {
                // a damaged line: skipped
            }
        }
        return out;
    }
}
