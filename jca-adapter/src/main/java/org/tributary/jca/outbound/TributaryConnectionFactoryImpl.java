package org.tributary.jca.outbound;

import jakarta.resource.Referenceable;
import jakarta.resource.ResourceException;
import jakarta.resource.spi.ConnectionManager;
import java.io.Serializable;
import javax.naming.Reference;
import org.tributary.jca.api.TributaryConnection;
import org.tributary.jca.api.TributaryConnectionFactory;

/** The factory bound in JNDI; asks the container's connection manager for a pooled connection. */
public class TributaryConnectionFactoryImpl implements TributaryConnectionFactory, Serializable, Referenceable {
    private static final long serialVersionUID = 1L;

    private final TributaryManagedConnectionFactory mcf;
    private final ConnectionManager cm;
    private Reference reference;

    public TributaryConnectionFactoryImpl(TributaryManagedConnectionFactory mcf, ConnectionManager cm) {
        this.mcf = mcf;
        this.cm = cm;
    }

    @Override
    public TributaryConnection getConnection() throws ResourceException {
        return (TributaryConnection) cm.allocateConnection(mcf, null);
    }

    @Override
    public void setReference(Reference reference) {
        this.reference = reference;
    }

    @Override
    public Reference getReference() {
        return reference;
    }
}
