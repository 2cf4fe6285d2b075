package org.tributary.jca.inbound;

import jakarta.jms.Message;
import jakarta.jms.MessageListener;
import jakarta.resource.spi.UnavailableException;
import jakarta.resource.spi.endpoint.MessageEndpoint;
import jakarta.resource.spi.endpoint.MessageEndpointFactory;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.tributary.jca.ConsumedInTransaction;
import org.tributary.jca.api.RecordListener;
import org.tributary.jca.jms.RecordMessages;
import org.tributary.jca.jms.selector.Selector;

/**
 * Hands one record to a fresh endpoint instance: {@code createEndpoint(null)}, call the
 * listener, {@code release()}. A {@link MessageListener} endpoint gets the record as a JMS
 * message. With a message selector, either kind of endpoint only gets the records whose JMS
 * view matches it (records it does not match count as processed).
 *
 * <p>During the call the record's consumed position is open on this thread
 * ({@link ConsumedInTransaction}): when the container runs the MDB in a transaction and the MDB
 * sends through a transactional connection of this adapter, that Kafka transaction commits the
 * position too. A call that returns normally although that transaction did not commit (the bean
 * called {@code setRollbackOnly()}, say) did not process the record: it counts as a failed
 * delivery and is redelivered, never committed.
 */
final class EndpointInvoker implements DeliveryEngine.Delivery {
    private final MessageEndpointFactory factory;
    private final Selector selector;
    private final ConsumerSettings.MessageFormat format;
    private volatile Supplier<ConsumerGroupMetadata> group;

    EndpointInvoker(MessageEndpointFactory factory, ConsumerSettings settings) {
        this.factory = factory;
        this.selector = settings.messageSelector() == null ? null : Selector.parse(settings.messageSelector());
        this.format = settings.messageFormat();
    }

    /** The delivering consumer's group metadata (its generation fences a transaction's offsets); called on its thread. */
    void groupMetadata(Supplier<ConsumerGroupMetadata> source) {
        this.group = source;
    }

    @Override
    public void deliver(ConsumerRecord<byte[], byte[]> record, int attempt) throws Exception {
        Message jms = null;
        if (selector != null || !RecordListener.class.isAssignableFrom(endpointClass())) {
            jms = RecordMessages.toMessage(record, attempt, format);
            if (selector != null && !selector.matches(RecordMessages.selectorView(jms))) {
                return; // not for this endpoint: counts as processed
            }
        }
        MessageEndpoint endpoint;
        try {
            endpoint = factory.createEndpoint(null);
        } catch (UnavailableException e) {
            throw new DeliveryEngine.NotDelivered("endpoint unavailable", e);
        }
        Supplier<ConsumerGroupMetadata> g = group;
        ConsumedInTransaction position = g == null ? null
                : ConsumedInTransaction.open(new TopicPartition(record.topic(), record.partition()), record.offset(), g.get());
        ConsumedInTransaction.Outcome outcome = ConsumedInTransaction.Outcome.NOT_CLAIMED;
        try {
            if (endpoint instanceof RecordListener l) {
                l.onRecord(RecordMessages.toRecord(record, attempt));
            } else {
                ((MessageListener) endpoint).onMessage(jms != null ? jms : RecordMessages.toMessage(record, attempt, format));
            }
        } finally {
            if (position != null) {
                outcome = position.close();
            }
            endpoint.release();
        }
        if (outcome == ConsumedInTransaction.Outcome.NOT_COMMITTED) {
            throw new IllegalStateException("the transaction that delivered " + record.topic() + "-" + record.partition() + " offset "
                    + record.offset() + " did not commit (the bean marked it rollback-only?): nothing it sent is visible, "
                    + "and the record will be delivered again");
        }
    }

    private Class<?> endpointClass() {
        try {
            Class<?> c = factory.getEndpointClass();
            return c == null ? Object.class : c;
        } catch (RuntimeException | AbstractMethodError e) {
            return Object.class;
        }
    }
}
