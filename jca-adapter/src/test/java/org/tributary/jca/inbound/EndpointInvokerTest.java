package org.tributary.jca.inbound;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.resource.spi.endpoint.MessageEndpoint;
import jakarta.resource.spi.endpoint.MessageEndpointFactory;
import java.lang.reflect.Method;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;
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

    /**
     * Stands in for the container: the endpoint runs {@code body} as the bean would; with
     * {@code beforeDelivery} it begins a transaction on {@link #registry}, which
     * {@code afterDelivery} completes (rolled back if the body marked it so or threw).
     */
    private static final class Container implements MessageEndpointFactory {
        final Consumer<TributaryRecord> body;
        final FakeRegistry registry = new FakeRegistry();
        final List<String> calls = new ArrayList<>();
        boolean transacted = true;
        boolean afterDeliveryFails;
        int released;

        Container(Consumer<TributaryRecord> body) {
            this.body = body;
        }

        @Override public MessageEndpoint createEndpoint(XAResource xa) { return new Endpoint(); }
        @Override public MessageEndpoint createEndpoint(XAResource xa, long timeout) { return new Endpoint(); }
        @Override public boolean isDeliveryTransacted(Method m) { return transacted; }
        @Override public String getActivationName() { return "test"; }
        @Override public Class<?> getEndpointClass() { return Endpoint.class; }

        final class Endpoint implements MessageEndpoint, RecordListener {
            @Override public void onRecord(TributaryRecord r) {
                calls.add("onRecord");
                try {
                    body.accept(r);
                } catch (RuntimeException e) {
                    registry.rollbackOnly = true;
                    throw e;
                }
            }
            @Override public void beforeDelivery(Method m) {
                calls.add("beforeDelivery " + m.getName());
                registry.begin();
            }
            @Override public void afterDelivery() throws jakarta.resource.ResourceException {
                calls.add("afterDelivery");
                registry.complete();
                if (afterDeliveryFails) {
                    throw new jakarta.resource.ResourceException("the transaction rolled back");
                }
            }
            @Override public void release() { released++; calls.add("release"); }
        }
    }

    /** A transaction synchronization registry with one transaction at a time. */
    private static final class FakeRegistry implements TransactionSynchronizationRegistry {
        Object key;
        boolean rollbackOnly;
        final List<Synchronization> syncs = new ArrayList<>();

        void begin() {
            key = new Object();
            rollbackOnly = false;
        }

        void complete() {
            int status = rollbackOnly ? Status.STATUS_ROLLEDBACK : Status.STATUS_COMMITTED;
            syncs.forEach(Synchronization::beforeCompletion);
            syncs.forEach(x -> x.afterCompletion(status));
            syncs.clear();
            key = null;
        }

        @Override public Object getTransactionKey() { return key; }
        @Override public void putResource(Object k, Object v) { }
        @Override public Object getResource(Object k) { return null; }
        @Override public void registerInterposedSynchronization(Synchronization sync) {
            if (key == null) {
                throw new IllegalStateException("no transaction");
            }
            syncs.add(sync);
        }
        @Override public int getTransactionStatus() { return key == null ? Status.STATUS_NO_TRANSACTION : Status.STATUS_ACTIVE; }
        @Override public void setRollbackOnly() { rollbackOnly = true; }
        @Override public boolean getRollbackOnly() { return rollbackOnly; }
    }

    private static ConsumerSettings settings() {
        TributaryActivationSpec s = new TributaryActivationSpec();
        s.setTopics("orders");
        s.setGroupId("g");
        return s.settings("unused:9092");
    }

    private static EndpointInvoker invoker(Container c) {
        EndpointInvoker i = new EndpointInvoker(c, settings(), c.registry);
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

    @Test
    void aTransactionRolledBackWithoutAnExceptionFailsTheDeliveryAlsoWhenTheBeanSentNothing() {
        // the bean only marks its transaction rollback-only (a database write it gave up, say) and returns
        Container[] self = new Container[1];
        Container rollingBack = new Container(r -> self[0].registry.setRollbackOnly());
        self[0] = rollingBack;
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> invoker(rollingBack).deliver(RECORD, 1));
        assertTrue(e.getMessage().contains("orders-2 offset 41 did not commit"), e.getMessage());
        assertEquals(List.of("beforeDelivery onRecord", "onRecord", "afterDelivery", "release"), rollingBack.calls);
        assertNull(ConsumedInTransaction.claim(), "no position stays open");
    }

    @Test
    void aTransactedDeliveryRunsBetweenBeforeAndAfterDeliveryAndACommitProcessesTheRecord() throws Exception {
        Container c = new Container(r -> { });
        invoker(c).deliver(RECORD, 1);
        assertEquals(List.of("beforeDelivery onRecord", "onRecord", "afterDelivery", "release"), c.calls);
        assertNull(c.registry.key, "the transaction was completed");
    }

    @Test
    void aBeanThatThrowsInATransactedDeliveryStillCompletesTheTransaction() {
        Container c = new Container(r -> {
            throw new IllegalArgumentException("bean failed");
        });
        assertThrows(IllegalArgumentException.class, () -> invoker(c).deliver(RECORD, 1));
        assertEquals(List.of("beforeDelivery onRecord", "onRecord", "afterDelivery", "release"), c.calls);

        // the container also fails to complete: the bean's failure is still the one reported
        Container both = new Container(r -> {
            throw new IllegalArgumentException("bean failed");
        });
        both.afterDeliveryFails = true;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> invoker(both).deliver(RECORD, 1));
        assertEquals("the transaction rolled back", e.getSuppressed()[0].getMessage());
        assertEquals(1, both.released);
    }

    @Test
    void withoutARegistryOrATransactionTheContainerAloneRunsTheCall() throws Exception {
        Container notTransacted = new Container(r -> { });
        notTransacted.transacted = false;
        invoker(notTransacted).deliver(RECORD, 1);
        assertEquals(List.of("onRecord", "release"), notTransacted.calls);

        Container noRegistry = new Container(r -> { });
        new EndpointInvoker(noRegistry, settings()).deliver(RECORD, 1);
        assertEquals(List.of("onRecord", "release"), noRegistry.calls);
    }
}
