package org.tributary.jca.outbound;

import org.apache.kafka.clients.producer.Producer;

/** Connection handles over a given producer, for tests outside a container. */
public final class TestConnections {
    private TestConnections() {
    }

    /**
     * A handle on a {@code LocalTransaction} connection over a transactional mock producer; with
     * {@code inContainerTransaction} the container's (SPI) local transaction has begun, as when the
     * handle is obtained inside a JTA transaction.
     */
    public static ConnectionHandle transactionalHandle(org.apache.kafka.clients.producer.MockProducer<byte[], byte[]> producer,
            boolean inContainerTransaction) throws jakarta.resource.ResourceException {
        producer.initTransactions();
        TributaryManagedConnectionFactory mcf = new TributaryManagedConnectionFactory();
        TxnResourceManager rm = new TxnResourceManager("test", java.nio.file.Path.of("target", "test-recovery"),
                tid -> { throw new UnsupportedOperationException(); }, System::currentTimeMillis);
        TributaryManagedConnection mc = new TributaryManagedConnection(mcf, new TxnProducer(rm.allocate(), producer), rm,
                jakarta.resource.spi.TransactionSupport.TransactionSupportLevel.LocalTransaction);
        if (inContainerTransaction) {
            mc.getLocalTransaction().begin();
        }
        return (ConnectionHandle) mc.getConnection(null, null);
    }

    public static ConnectionHandle handle(Producer<byte[], byte[]> producer) {
        TributaryManagedConnectionFactory mcf = new TributaryManagedConnectionFactory();
        return (ConnectionHandle) new TributaryManagedConnection(mcf, producer).getConnection(null, null);
    }
}
