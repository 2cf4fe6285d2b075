package org.tributary.jca.jms;

import jakarta.jms.CompletionListener;
import jakarta.jms.DeliveryMode;
import jakarta.jms.Destination;
import jakarta.jms.JMSException;
import jakarta.jms.JMSProducer;
import jakarta.jms.JMSRuntimeException;
import jakarta.jms.Message;
import jakarta.jms.MessageFormatRuntimeException;
import jakarta.jms.Topic;
import java.io.Serializable;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.tributary.jca.api.SendResult;
import org.tributary.jca.jms.message.AbstractMessage;
import org.tributary.jca.jms.message.BytesMessageImpl;
import org.tributary.jca.jms.message.MapMessageImpl;
import org.tributary.jca.jms.message.TextMessageImpl;

/**
 * Sends messages to topics as records (see {@link RecordMessages#toRecord(String, AbstractMessage)}).
 * Properties set on the producer are added to each message sent. Synchronous by default;
 * {@link #setAsync(CompletionListener)} makes sends asynchronous.
 */
final class JmsProducerImpl implements JMSProducer {
    private final JmsContextImpl context;
    private final TextMessageImpl props = new TextMessageImpl(null); // holds producer properties and header fields
    private CompletionListener async;
    private int deliveryMode = DeliveryMode.PERSISTENT;
    private int priority = Message.DEFAULT_PRIORITY;
    private long timeToLive;
    private long deliveryDelay;

    JmsProducerImpl(JmsContextImpl context) {
        this.context = context;
    }

    @Override
    public JMSProducer send(Destination d, Message m) {
        if (!(m instanceof AbstractMessage msg)) {
            throw new MessageFormatRuntimeException("only messages created by a Tributary JMSContext can be sent, not "
                    + (m == null ? "null" : m.getClass().getName()));
        }
        String topic = topic(d);
        try {
            for (Map.Entry<String, Object> e : props.properties().entrySet()) {
                msg.setObjectProperty(e.getKey(), e.getValue());
            }
            if (props.getJMSCorrelationID() != null) {
                msg.setJMSCorrelationID(props.getJMSCorrelationID());
            }
            if (props.getJMSType() != null) {
                msg.setJMSType(props.getJMSType());
            }
            msg.setJMSDestination(d);
            msg.setJMSDeliveryMode(deliveryMode);
            msg.setJMSPriority(priority);
            ProducerRecord<byte[], byte[]> record = RecordMessages.toRecord(topic, msg);
            if (async == null) {
                stamp(msg, context.connection().send(record));
            } else {
                CompletionListener l = async;
                context.connection().sendAsync(record).whenComplete((r, e) -> {
                    if (e != null) {
                        l.onException(msg, e instanceof Exception x ? x : new RuntimeException(e));
                    } else {
                        stamp(msg, r);
                        l.onCompletion(msg);
                    }
                });
            }
            return this;
        } catch (JMSException e) {
            throw wrap(e);
        } catch (jakarta.resource.ResourceException e) {
            JMSRuntimeException x = new JMSRuntimeException("sending to topic " + topic + " failed: " + e.getMessage());
            x.initCause(e);
            throw x;
        }
    }

    private static void stamp(AbstractMessage m, SendResult r) {
        m.setJMSMessageID("ID:" + r.topic() + "-" + r.partition() + "-" + r.offset());
        m.setJMSTimestamp(r.timestamp());
    }

    private static String topic(Destination d) {
        if (d instanceof Topic t) {
            try {
                return t.getTopicName();
            } catch (JMSException e) {
                throw wrap(e);
            }
        }
        throw JmsContextImpl.unsupported("sending to " + (d == null ? "a null destination" : "a " + d.getClass().getSimpleName()
                + " (only topics; queues' exclusive semantics and temporary destinations are not offered)"));
    }

    private static JMSRuntimeException wrap(JMSException e) {
        JMSRuntimeException x = new JMSRuntimeException(e.getMessage(), e.getErrorCode(), e);
        return x;
    }

    @Override
    public JMSProducer send(Destination d, String body) {
        return send(d, new TextMessageImpl(body));
    }

    @Override
    public JMSProducer send(Destination d, Map<String, Object> body) {
        MapMessageImpl m = new MapMessageImpl();
        try {
            for (Map.Entry<String, Object> e : body.entrySet()) {
                m.setObject(e.getKey(), e.getValue());
            }
        } catch (JMSException e) {
            throw wrap(e);
        }
        return send(d, m);
    }

    @Override
    public JMSProducer send(Destination d, byte[] body) {
        BytesMessageImpl m = new BytesMessageImpl();
        try {
            m.writeBytes(body);
        } catch (JMSException e) {
            throw wrap(e);
        }
        return send(d, m);
    }

    @Override
    public JMSProducer send(Destination d, Serializable body) {
        throw JmsContextImpl.unsupported("ObjectMessage (Java serialization)");
    }

    @Override public JMSProducer setDisableMessageID(boolean v) { return this; }
    @Override public boolean getDisableMessageID() { return false; }
    @Override public JMSProducer setDisableMessageTimestamp(boolean v) { return this; }
    @Override public boolean getDisableMessageTimestamp() { return false; }
    @Override public JMSProducer setDeliveryMode(int m) {
        if (m != DeliveryMode.PERSISTENT && m != DeliveryMode.NON_PERSISTENT) {
            throw new JMSRuntimeException("unknown delivery mode " + m);
        }
        deliveryMode = m;
        return this;
    }
    @Override public int getDeliveryMode() { return deliveryMode; }
    @Override public JMSProducer setPriority(int p) { priority = p; return this; }
    @Override public int getPriority() { return priority; }
    @Override public JMSProducer setTimeToLive(long ttl) {
        if (ttl != 0) {
            throw JmsContextImpl.unsupported("a message time-to-live (records are kept by topic retention)");
        }
        timeToLive = ttl;
        return this;
    }
    @Override public long getTimeToLive() { return timeToLive; }
    @Override public JMSProducer setDeliveryDelay(long delay) {
        if (delay != 0) {
            throw JmsContextImpl.unsupported("a delivery delay");
        }
        deliveryDelay = delay;
        return this;
    }
    @Override public long getDeliveryDelay() { return deliveryDelay; }
    @Override public JMSProducer setAsync(CompletionListener l) { async = l; return this; }
    @Override public CompletionListener getAsync() { return async; }

    private JMSProducer prop(String n, Object v) {
        try {
            props.setObjectProperty(n, v);
        } catch (JMSException e) {
            throw wrap(e);
        }
        return this;
    }

    @Override public JMSProducer setProperty(String n, boolean v) { return prop(n, v); }
    @Override public JMSProducer setProperty(String n, byte v) { return prop(n, v); }
    @Override public JMSProducer setProperty(String n, short v) { return prop(n, v); }
    @Override public JMSProducer setProperty(String n, int v) { return prop(n, v); }
    @Override public JMSProducer setProperty(String n, long v) { return prop(n, v); }
    @Override public JMSProducer setProperty(String n, float v) { return prop(n, v); }
    @Override public JMSProducer setProperty(String n, double v) { return prop(n, v); }
    @Override public JMSProducer setProperty(String n, String v) { return prop(n, v); }
    @Override public JMSProducer setProperty(String n, Object v) { return prop(n, v); }
    @Override public JMSProducer clearProperties() { props.clearProperties(); return this; }
    @Override public boolean propertyExists(String n) { return props.propertyExists(n); }

    private interface Get<T> {
        T get() throws JMSException;
    }

    private static <T> T get(Get<T> g) {
        try {
            return g.get();
        } catch (JMSException e) {
            throw new MessageFormatRuntimeException(e.getMessage());
        }
    }

    @Override public boolean getBooleanProperty(String n) { return get(() -> props.getBooleanProperty(n)); }
    @Override public byte getByteProperty(String n) { return get(() -> props.getByteProperty(n)); }
    @Override public short getShortProperty(String n) { return get(() -> props.getShortProperty(n)); }
    @Override public int getIntProperty(String n) { return get(() -> props.getIntProperty(n)); }
    @Override public long getLongProperty(String n) { return get(() -> props.getLongProperty(n)); }
    @Override public float getFloatProperty(String n) { return get(() -> props.getFloatProperty(n)); }
    @Override public double getDoubleProperty(String n) { return get(() -> props.getDoubleProperty(n)); }
    @Override public String getStringProperty(String n) { return get(() -> props.getStringProperty(n)); }
    @Override public Object getObjectProperty(String n) { return props.getObjectProperty(n); }
    @Override public Set<String> getPropertyNames() { return Collections.unmodifiableSet(new LinkedHashSet<>(props.properties().keySet())); }
    @Override public JMSProducer setJMSCorrelationIDAsBytes(byte[] id) { props.setJMSCorrelationIDAsBytes(id); return this; }
    @Override public byte[] getJMSCorrelationIDAsBytes() { return props.getJMSCorrelationIDAsBytes(); }
    @Override public JMSProducer setJMSCorrelationID(String id) { props.setJMSCorrelationID(id); return this; }
    @Override public String getJMSCorrelationID() { return props.getJMSCorrelationID(); }
    @Override public JMSProducer setJMSType(String t) { props.setJMSType(t); return this; }
    @Override public String getJMSType() { return props.getJMSType(); }
    @Override public JMSProducer setJMSReplyTo(Destination d) {
        if (d != null) {
            throw JmsContextImpl.unsupported("JMSReplyTo (request/reply with temporary destinations)");
        }
        return this;
    }
    @Override public Destination getJMSReplyTo() { return null; }
}
