package org.tributary.jca.inbound;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.resource.spi.endpoint.MessageEndpoint;
import jakarta.resource.spi.endpoint.MessageEndpointFactory;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import javax.transaction.xa.XAResource;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.tributary.jca.ConsumedInTransaction;
import org.tributary.jca.api.RecordListener;
import org.tributary.jca.api.TributaryRecord;

/**
 * The endpoint call and the record's consumed position: open on the delivering thread during the
 * call only, with the consumer's group metadata, and a call whose transaction took the position
 * but did not commit it is a failed delivery, whatever the bean returned.
 */
class EndpointInvokerTest {
    private static final ConsumerRecord<byte[], byte[]> RECORD = new ConsumerRecord<>("orders", 2, 41, null, "v".getBytes());

    /** Stands in for the container: the endpoint runs {@code body} as the bean's transaction would. */
    private static final class Container implements MessageEndpointFactory {
        final Consumer<TributaryRecord> body;
        int released;

        Container(Consumer<TributaryRecord> body) {
            this.body = body;
        }

        @Override public MessageEndpoint createEndpoint(XAResource xa) { return new Endpoint(); }
        @Override public MessageEndpoint createEndpoint(XAResource xa, long timeout) { return new Endpoint(); }
        @Override public boolean isDeliveryTransacted(Method m) { return true; }
        @Override public String getActivationName() { return "test"; }
        @Override public Class<?> getEndpointClass() { return Endpoint.class; }

        final class Endpoint implements MessageEndpoint, RecordListener {
            @Override public void onRecord(TributaryRecord r) { body.accept(r); }
            @Override public void beforeDelivery(Method m) { }
            @Override public void afterDelivery() { }
            @Override public void release() { released++; }
        }
    }

    private static ConsumerSettings settings() {
        TributaryActivationSpec s = new TributaryActivationSpec();
        s.setTopics("orders");
        s.setGroupId("g");
        return s.settings("unused:9092");
    }

    private static EndpointInvoker invoker(Container c) {
        EndpointInvoker i = new EndpointInvoker(c, settings());
        i.groupMetadata(() -> new ConsumerGroupMetadata("g", 7, "member-1", java.util.Optional.empty()));
        return i;
    }

    @Test
    void theTransactionSeesTheRecordsPositionAndGroupDuringTheCallOnly() throws Exception {
        List<ConsumedInTransaction> claimed = new ArrayList<>();
        Container c = new Container(r -> {
            ConsumedInTransaction d = ConsumedInTransaction.claim(); // the container begins a local transaction
            claimed.add(d);
            d.committed(); // ... and commits it
        });
        invoker(c).deliver(RECORD, 1);
        assertEquals(1, claimed.size());
        assertEquals(Map.of(new TopicPartition("orders", 2), new OffsetAndMetadata(42)), claimed.get(0).offsets());
        assertEquals(7, claimed.get(0).groupMetadata().generationId());
        assertEquals("member-1", claimed.get(0).groupMetadata().memberId());
        assertNull(ConsumedInTransaction.claim(), "nothing stays open after the call");
        assertEquals(1, c.released);
    }

    @Test
    void aTransactionThatTookThePositionAndDidNotCommitFailsTheDelivery() {
        Container c = new Container(r -> ConsumedInTransaction.claim()); // rolled back: setRollbackOnly, no exception
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> invoker(c).deliver(RECORD, 1));
        assertTrue(e.getMessage().contains("orders-2 offset 41 did not commit"), e.getMessage());
        assertEquals(1, c.released);
        assertNull(ConsumedInTransaction.claim());
    }

    @Test
    void aBeanThatThrowsStillClosesThePositionAndABeanWithoutTransactionsIsUnaffected() throws Exception {
        Container failing = new Container(r -> {
            ConsumedInTransaction.claim();
            throw new IllegalArgumentException("bean failed");
        });
        assertThrows(IllegalArgumentException.class, () -> invoker(failing).deliver(RECORD, 1));
        assertNull(ConsumedInTransaction.claim());

        Container plain = new Container(r -> { });
        invoker(plain).deliver(RECORD, 1); // no transaction took the position: processed as before
        assertEquals(1, plain.released);
    }
}
