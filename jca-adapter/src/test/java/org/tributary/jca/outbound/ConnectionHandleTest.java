package org.tributary.jca.outbound;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.resource.ResourceException;
import jakarta.resource.spi.ConnectionEvent;
import jakarta.resource.spi.ConnectionEventListener;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.tributary.jca.api.SendResult;

class ConnectionHandleTest {

    @Test
    void closingWaitsForAsynchronousSendsAndReturnsTheConnectionToThePool() throws Exception {
        MockProducer<byte[], byte[]> producer = new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer());
        TributaryManagedConnection mc = new TributaryManagedConnection(new TributaryManagedConnectionFactory(), producer);
        List<Integer> events = new ArrayList<>();
        mc.addConnectionEventListener(new ConnectionEventListener() {
            @Override public void connectionClosed(ConnectionEvent e) { events.add(e.getId()); }
            @Override public void localTransactionStarted(ConnectionEvent e) { }
            @Override public void localTransactionCommitted(ConnectionEvent e) { }
            @Override public void localTransactionRolledback(ConnectionEvent e) { }
            @Override public void connectionErrorOccurred(ConnectionEvent e) { }
        });
        ConnectionHandle h = (ConnectionHandle) mc.getConnection(null, null);
        CompletableFuture<SendResult> f = h.sendAsync("orders", "k", "v").toCompletableFuture();
        assertTrue(!f.isDone());
        h.close(); // MockProducer.flush() completes every pending send
        assertTrue(f.isDone());
        assertEquals("orders", f.get(1, TimeUnit.SECONDS).topic());
        assertEquals(List.of(ConnectionEvent.CONNECTION_CLOSED), events);
        assertThrows(ResourceException.class, () -> h.send("orders", "k", "v"));
    }

    @Test
    void synchronousSendReturnsPartitionAndOffsetAndCarriesHeaders() throws Exception {
        MockProducer<byte[], byte[]> producer = new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
        try (ConnectionHandle h = TestConnections.handle(producer)) {
            SendResult r1 = h.send("orders", "k", "v1", Map.of("trace", "t-1"));
            SendResult r2 = h.send("orders", "k", "v2");
            assertEquals(r1.partition(), r2.partition());
            assertEquals(r1.offset() + 1, r2.offset());
        }
        ProducerRecord<byte[], byte[]> sent = producer.history().get(0);
        assertEquals("t-1", new String(sent.headers().lastHeader("trace").value(), StandardCharsets.UTF_8));
        assertEquals("k", new String(sent.key(), StandardCharsets.UTF_8));
    }

    @Test
    void aFailedSendIsReported() throws Exception {
        MockProducer<byte[], byte[]> producer = new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer());
        ConnectionHandle h = TestConnections.handle(producer);
        CompletableFuture<SendResult> f = h.sendAsync("orders", "k", "v").toCompletableFuture();
        producer.errorNext(new RuntimeException("broker gone"));
        assertTrue(f.isCompletedExceptionally());
    }
}
