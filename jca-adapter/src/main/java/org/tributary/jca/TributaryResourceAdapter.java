package org.tributary.jca;

import jakarta.resource.ResourceException;
import jakarta.resource.spi.ActivationSpec;
import jakarta.resource.spi.BootstrapContext;
import jakarta.resource.spi.Connector;
import jakarta.resource.spi.ResourceAdapter;
import jakarta.resource.spi.ResourceAdapterInternalException;
import jakarta.resource.spi.TransactionSupport;
import jakarta.resource.spi.endpoint.MessageEndpointFactory;
import java.util.logging.Logger;
import javax.transaction.xa.XAResource;

/**
 * The Tributary resource adapter: connects Jakarta EE components to Tributary (or any
 * Kafka-compatible cluster) over the Kafka wire protocol.
 */
@Connector(
        displayName = "Tributary",
        vendorName = "Tributary",
        eisType = "Kafka-compatible event streaming",
        version = "0.1",
        transactionSupport = TransactionSupport.TransactionSupportLevel.NoTransaction)
public class TributaryResourceAdapter implements ResourceAdapter {
    private static final Logger LOG = Logger.getLogger(TributaryResourceAdapter.class.getName());

    @Override
    public void start(BootstrapContext ctx) throws ResourceAdapterInternalException {
        LOG.info("TRIB-JCA-001 Tributary resource adapter started");
    }

    @Override
    public void stop() {
        LOG.info("TRIB-JCA-002 Tributary resource adapter stopped");
    }

    @Override
    public void endpointActivation(MessageEndpointFactory factory, ActivationSpec spec) throws ResourceException {
        throw new jakarta.resource.NotSupportedException("Message endpoints are not supported by this version of the adapter");
    }

    @Override
    public void endpointDeactivation(MessageEndpointFactory factory, ActivationSpec spec) {
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
}
