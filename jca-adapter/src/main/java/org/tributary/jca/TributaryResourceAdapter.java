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

    private volatile BootstrapContext context;
    private volatile ProducerRegistry producers = new ProducerRegistry();
    private final Map<ActivationKey, EndpointActivation> activations = new ConcurrentHashMap<>();

    public String getBootstrapServers() {
        return bootstrapServers;
    }

    public void setBootstrapServers(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
    }

    /** The configured default cluster, else {@link KafkaSettings#defaultBootstrapServers()}. */
    public String defaultBootstrapServers() {
        return bootstrapServers == null || bootstrapServers.isBlank()
                ? KafkaSettings.defaultBootstrapServers() : bootstrapServers.trim();
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
        EndpointActivation a = new EndpointActivation(factory, s.settings(defaultBootstrapServers()), context.getWorkManager(), producers);
        a.start();
        activations.put(new ActivationKey(factory, spec), a);
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
