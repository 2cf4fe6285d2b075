package org.tributary.jca.inbound;

import jakarta.jms.Message;
import jakarta.jms.MessageListener;
import jakarta.resource.spi.UnavailableException;
import jakarta.resource.spi.endpoint.MessageEndpoint;
import jakarta.resource.spi.endpoint.MessageEndpointFactory;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.tributary.jca.api.RecordListener;
import org.tributary.jca.jms.RecordMessages;
import org.tributary.jca.jms.selector.Selector;

/**
 * Hands one record to a fresh endpoint instance: {@code createEndpoint(null)}, call the
 * listener, {@code release()}. A {@link MessageListener} endpoint gets the record as a JMS
 * message. With a message selector, either kind of endpoint only gets the records whose JMS
 * view matches it (records it does not match count as processed). A future JTA variant passes an {@code XAResource} and wraps the call in
 * {@code beforeDelivery}/{@code afterDelivery}.
 */
final class EndpointInvoker implements DeliveryEngine.Delivery {
    private final MessageEndpointFactory factory;
    private final Selector selector;
    private final ConsumerSettings.MessageFormat format;

    EndpointInvoker(MessageEndpointFactory factory, ConsumerSettings settings) {
        this.factory = factory;
        this.selector = settings.messageSelector() == null ? null : Selector.parse(settings.messageSelector());
        this.format = settings.messageFormat();
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
        try {
            if (endpoint instanceof RecordListener l) {
                l.onRecord(RecordMessages.toRecord(record, attempt));
            } else {
                ((MessageListener) endpoint).onMessage(jms != null ? jms : RecordMessages.toMessage(record, attempt, format));
            }
        } finally {
            endpoint.release();
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
