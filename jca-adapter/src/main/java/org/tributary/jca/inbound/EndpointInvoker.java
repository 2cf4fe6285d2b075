package org.tributary.jca.inbound;

import jakarta.jms.Message;
import jakarta.jms.MessageListener;
import jakarta.resource.spi.UnavailableException;
import jakarta.resource.spi.endpoint.MessageEndpoint;
import jakarta.resource.spi.endpoint.MessageEndpointFactory;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;
import java.lang.reflect.Method;
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
 *
 * <p>When the container delivers in a transaction ({@code isDeliveryTransacted}: container-managed,
 * {@code REQUIRED}) and its transaction synchronization registry is at hand, the call is wrapped in
 * {@code beforeDelivery}/{@code afterDelivery} and a synchronization registered between them learns
 * the transaction's outcome: a delivery whose transaction did not commit is redelivered, also when
 * the bean sent nothing through this adapter (it only wrote to a database and called
 * {@code setRollbackOnly()}, say), as a JMS MDB's message is.
 */
final class EndpointInvoker implements DeliveryEngine.Delivery {
    private final MessageEndpointFactory factory;
    private final Selector selector;
    private final ConsumerSettings.MessageFormat format;
    private volatile Supplier<ConsumerGroupMetadata> group;
    /** The container's registry, or {@code null}: then transacted deliveries are left to the container alone. */
    private final TransactionSynchronizationRegistry transactions;
    /** The container's answer to {@code isDeliveryTransacted}, once asked. */
    private volatile Boolean transacted;

    EndpointInvoker(MessageEndpointFactory factory, ConsumerSettings settings) {
        this(factory, settings, null);
    }

    EndpointInvoker(MessageEndpointFactory factory, ConsumerSettings settings, TransactionSynchronizationRegistry transactions) {
        this.transactions = transactions;
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
        boolean isRecord = endpoint instanceof RecordListener;
        Method method = isRecord ? ON_RECORD : ON_MESSAGE;
        Supplier<ConsumerGroupMetadata> g = group;
        ConsumedInTransaction position = g == null ? null
                : ConsumedInTransaction.open(new TopicPartition(record.topic(), record.partition()), record.offset(), g.get());
        ConsumedInTransaction.Outcome outcome = ConsumedInTransaction.Outcome.NOT_CLAIMED;
        Outcome tx = null;
        try {
            if (transactions != null && transacted(method)) {
                endpoint.beforeDelivery(method); // the container begins its transaction on this thread
                tx = watch();
                Throwable failed = null;
                try {
                    call(endpoint, record, jms, attempt, isRecord);
                } catch (Throwable t) {
                    failed = t;
                    throw t;
                } finally {
                    try {
                        endpoint.afterDelivery(); // ... and completes it
                    } catch (Exception e) {
                        if (failed == null) {
                            throw e;
                        }
                        failed.addSuppressed(e); // the bean's own failure is the one to report
                    }
                }
            } else {
                call(endpoint, record, jms, attempt, isRecord);
            }
        } finally {
            if (position != null) {
                outcome = position.close();
            }
            endpoint.release();
        }
        if (outcome == ConsumedInTransaction.Outcome.NOT_COMMITTED || (tx != null && !tx.committed)) {
            throw new IllegalStateException("the transaction that delivered " + record.topic() + "-" + record.partition() + " offset "
                    + record.offset() + " did not commit (the bean marked it rollback-only?): nothing it sent is visible, "
                    + "and the record will be delivered again");
        }
    }

    private static final Method ON_RECORD = listenerMethod(RecordListener.class, "onRecord", org.tributary.jca.api.TributaryRecord.class);
    private static final Method ON_MESSAGE = listenerMethod(MessageListener.class, "onMessage", Message.class);

    private static Method listenerMethod(Class<?> type, String name, Class<?> parameter) {
        try {
            return type.getMethod(name, parameter);
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(e);
        }
    }

    private void call(MessageEndpoint endpoint, ConsumerRecord<byte[], byte[]> record, Message jms, int attempt, boolean isRecord)
            throws Exception {
        if (isRecord) {
            ((RecordListener) endpoint).onRecord(RecordMessages.toRecord(record, attempt));
        } else {
            ((MessageListener) endpoint).onMessage(jms != null ? jms : RecordMessages.toMessage(record, attempt, format));
        }
    }

    /**
     * Whether the container delivers in a transaction: fixed by the bean's deployment, so asked
     * once per activation rather than for every record.
     */
    private boolean transacted(Method method) {
        Boolean t = transacted;
        if (t == null) {
            try {
                t = factory.isDeliveryTransacted(method);
            } catch (NoSuchMethodException e) {
                t = false;
            }
            transacted = t;
        }
        return t;
    }

    /** Registers for the outcome of the transaction running on this thread; {@code null} when none runs. */
    private Outcome watch() {
        if (transactions.getTransactionKey() == null) {
            return null;
        }
        Outcome o = new Outcome();
        transactions.registerInterposedSynchronization(o);
        return o;
    }

    /** The outcome of the container's transaction for one delivery. */
    private static final class Outcome implements Synchronization {
        volatile boolean committed;

        @Override
        public void beforeCompletion() {
        }

        @Override
        public void afterCompletion(int status) {
            committed = status == Status.STATUS_COMMITTED;
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
