package org.tributary.jca.outbound;

import org.apache.kafka.clients.producer.Producer;

/** Connection handles over a given producer, for tests outside a container. */
public final class TestConnections {
    private TestConnections() {
    }

    public static ConnectionHandle handle(Producer<byte[], byte[]> producer) {
        TributaryManagedConnectionFactory mcf = new TributaryManagedConnectionFactory();
        return (ConnectionHandle) new TributaryManagedConnection(mcf, producer).getConnection(null, null);
    }
}
