package org.tributary.jca;

import jakarta.resource.ResourceException;
import jakarta.resource.spi.ActivationSpec;
import jakarta.resource.spi.BootstrapContext;
import jakarta.resource.spi.ConfigProperty;
import jakarta.resource.spi.Connector;
import jakarta.resource.spi.ResourceAdapter;
import jakarta.resource.spi.ResourceAdapterInternalException;
import jakarta.resource.spi.TransactionSupport;
import jakarta.resource.spi.endpoint.MessageEndpointFactory;
import jakarta.resource.spi.work.WorkManager;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;
import javax.transaction.xa.XAResource;
import org.tributary.jca.grid.GridBootstrap;
import org.tributary.jca.inbound.EndpointActivation;
import org.tributary.jca.inbound.TributaryActivationSpec;

/**
 * The Tributary resource adapter: connects Jakarta EE components to Tributary (or any
 * Kafka-compatible cluster) over the Kafka wire protocol. It owns the shared producers and the
 * active message endpoints; consumer threads come from the container's {@link WorkManager}.
 *
 * <p>Transactions: {@code NoTransaction}. Records are sent when {@code send} is called, whatever
 * the caller's transaction does. JTA enlistment would add an {@code XAResource} backed by a
 * transactional producer per managed connection; the connection and activation code keep
 * producers behind {@link ProducerRegistry} and delivery behind {@code EndpointInvoker} so that
 * can be added without changing the application-facing API.
 */
@Connector(
        displayName = "Tributary",
        vendorName = "Tributary",
        eisType = "Kafka-compatible event streaming",
        version = "0.1",
        transactionSupport = TransactionSupport.TransactionSupportLevel.XATransaction)
public class TributaryResourceAdapter implements ResourceAdapter {
    private static final Logger LOG = Logger.getLogger(TributaryResourceAdapter.class.getName());

    @ConfigProperty(description = "Default Kafka bootstrap servers for factories and MDBs that name none")
    private String bootstrapServers;

    @ConfigProperty(description = "When no bootstrap servers are configured: the Tributary cluster whose brokers are looked up "
            + "in the Payara data grid (needed only when several clusters publish there)")
    private String clusterId;

    private volatile GridBootstrap grid = GridBootstrap.payara();

    private volatile BootstrapContext context;
    private volatile ProducerRegistry producers = new ProducerRegistry();
    private final Map<ActivationKey, EndpointActivation> activations = new ConcurrentHashMap<>();

    public String getBootstrapServers() {
        return bootstrapServers;
    }

    public void setBootstrapServers(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
    }

    public String getClusterId() {
        return clusterId;
    }

    public void setClusterId(String clusterId) {
        this.clusterId = clusterId;
    }

    /** Replaces where the brokers are looked up when nothing is configured (tests; embedding outside Payara). */
    public void useGrid(GridBootstrap g) {
        this.grid = g;
    }

    /**
     * The cluster for factories and endpoints that name none, in this order: this adapter's
     * {@code bootstrapServers}; the system property {@value KafkaSettings#BOOTSTRAP_PROPERTY} or
     * {@code TRIBUTARY_BOOTSTRAP_SERVERS}; the live brokers of the cluster published in the Payara
     * data grid ({@link GridBootstrap}, chosen by {@code clusterId} when several are published);
     * {@value KafkaSettings#FALLBACK_BOOTSTRAP}. Called each time a factory or endpoint creates its
     * Kafka clients, so brokers that start after the application are found.
     *
     * @throws IllegalStateException when the grid holds several clusters and no {@code clusterId}
     *         chooses, or not the chosen one
     */
    public String defaultBootstrapServers() {
        if (bootstrapServers != null && !bootstrapServers.isBlank()) {
            return bootstrapServers.trim();
        }
        String v = KafkaSettings.configuredBootstrapServers();
        return v != null ? v : grid.resolve(clusterId);
    }

    public ProducerRegistry producers() {
        return producers;
    }

    @Override
    public void start(BootstrapContext ctx) throws ResourceAdapterInternalException {
        this.context = ctx;
        this.producers = new ProducerRegistry();
        LOG.info("TRIB-JCA-001 Tributary resource adapter started");
    }

    @Override
    public void stop() {
        for (ActivationKey key : activations.keySet()) {
            EndpointActivation a = activations.remove(key);
            if (a != null) {
                a.stop();
            }
        }
        producers.close();
        LOG.info("TRIB-JCA-002 Tributary resource adapter stopped");
    }

    @Override
    public void endpointActivation(MessageEndpointFactory factory, ActivationSpec spec) throws ResourceException {
        if (!(spec instanceof TributaryActivationSpec s)) {
            throw new ResourceException("not a Tributary activation spec: " + spec);
        }
        s.validate();
        if (context == null) {
            throw new ResourceAdapterInternalException("the Tributary resource adapter is not started");
        }
        String fallback;
        try {
            fallback = s.getBootstrapServers() == null || s.getBootstrapServers().isBlank() ? defaultBootstrapServers() : null;
        } catch (IllegalStateException e) {
            throw new ResourceException("Tributary endpoint: " + e.getMessage(), e);
        }
        EndpointActivation a = new EndpointActivation(factory, s.settings(fallback), context.getWorkManager(), producers,
                transactionRegistry());
        a.start();
        activations.put(new ActivationKey(factory, spec), a);
    }

    /** The container's registry (Connectors 1.6 and later), or {@code null} where the container offers none. */
    private jakarta.transaction.TransactionSynchronizationRegistry transactionRegistry() {
        try {
            return context.getTransactionSynchronizationRegistry();
        } catch (RuntimeException | AbstractMethodError e) {
            LOG.warning("TRIB-JCA-005 the container offers no transaction synchronization registry; an MDB whose transaction"
                    + " rolls back without an exception is not redelivered unless it sent through a transactional connection: " + e);
            return null;
        }
    }

    @Override
    public void endpointDeactivation(MessageEndpointFactory factory, ActivationSpec spec) {
        EndpointActivation a = activations.remove(new ActivationKey(factory, spec));
        if (a != null) {
            a.stop();
        }
    }

    @Override
    public XAResource[] getXAResources(ActivationSpec[] specs) {
        return new XAResource[0];
    }

    @Override
    public int hashCode() {
        return 17;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TributaryResourceAdapter;
    }

    /** Identity of an activation: the container passes the same factory and spec objects to deactivate. */
    private record ActivationKey(Object factory, Object spec) {
        @Override
        public boolean equals(Object o) {
            return o instanceof ActivationKey k && k.factory == factory && k.spec == spec;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(factory) * 31 + System.identityHashCode(spec);
        }
    }
}
