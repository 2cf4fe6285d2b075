package org.tributary.jca.jms.message;

import jakarta.jms.DeliveryMode;
import jakarta.jms.Destination;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageFormatException;
import jakarta.jms.MessageNotWriteableException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;

/** Header fields and properties shared by the Tributary JMS message types. */
public abstract class AbstractMessage implements Message {
    private final Map<String, Object> properties = new LinkedHashMap<>();
    private String messageId;
    private long timestamp;
    private String correlationId;
    private Destination replyTo;
    private Destination destination;
    private int deliveryMode = DeliveryMode.PERSISTENT;
    private boolean redelivered;
    private String type;
    private long expiration;
    private long deliveryTime;
    private int priority = Message.DEFAULT_PRIORITY;
    private boolean propertiesReadOnly;
    protected boolean bodyReadOnly;

    /** Makes properties and body read-only, as for a received message. */
    public void markReceived() {
        propertiesReadOnly = true;
        bodyReadOnly = true;
    }

    /** Properties in insertion order, as set. */
    public Map<String, Object> properties() {
        return Collections.unmodifiableMap(properties);
    }

    /** The body as record value bytes. */
    public abstract byte[] bodyBytes() throws JMSException;

    /** The value of the {@code tributary.jms.type} header: text, bytes or map. */
    public abstract String kind();

    @Override public String getJMSMessageID() { return messageId; }
    @Override public void setJMSMessageID(String id) { messageId = id; }
    @Override public long getJMSTimestamp() { return timestamp; }
    @Override public void setJMSTimestamp(long t) { timestamp = t; }
    @Override public byte[] getJMSCorrelationIDAsBytes() {
        return correlationId == null ? null : correlationId.getBytes(StandardCharsets.UTF_8);
    }
    @Override public void setJMSCorrelationIDAsBytes(byte[] id) {
        correlationId = id == null ? null : new String(id, StandardCharsets.UTF_8);
    }
    @Override public void setJMSCorrelationID(String id) { correlationId = id; }
    @Override public String getJMSCorrelationID() { return correlationId; }
    @Override public Destination getJMSReplyTo() { return replyTo; }
    @Override public void setJMSReplyTo(Destination d) { replyTo = d; }
    @Override public Destination getJMSDestination() { return destination; }
    @Override public void setJMSDestination(Destination d) { destination = d; }
    @Override public int getJMSDeliveryMode() { return deliveryMode; }
    @Override public void setJMSDeliveryMode(int m) { deliveryMode = m; }
    @Override public boolean getJMSRedelivered() { return redelivered; }
    @Override public void setJMSRedelivered(boolean r) { redelivered = r; }
    @Override public String getJMSType() { return type; }
    @Override public void setJMSType(String t) { type = t; }
    @Override public long getJMSExpiration() { return expiration; }
    @Override public void setJMSExpiration(long e) { expiration = e; }
    @Override public long getJMSDeliveryTime() { return deliveryTime; }
    @Override public void setJMSDeliveryTime(long t) { deliveryTime = t; }
    @Override public int getJMSPriority() { return priority; }
    @Override public void setJMSPriority(int p) { priority = p; }

    @Override
    public void clearProperties() {
        properties.clear();
        propertiesReadOnly = false;
    }

    @Override public boolean propertyExists(String name) { return properties.containsKey(name); }
    @Override public boolean getBooleanProperty(String n) throws JMSException { return PropertyValues.toBoolean(properties.get(n)); }
    @Override public byte getByteProperty(String n) throws JMSException {
        return (byte) PropertyValues.toLong(properties.get(n), "byte", Byte.MIN_VALUE, Byte.MAX_VALUE);
    }
    @Override public short getShortProperty(String n) throws JMSException {
        return (short) PropertyValues.toLong(properties.get(n), "short", Short.MIN_VALUE, Short.MAX_VALUE);
    }
    @Override public int getIntProperty(String n) throws JMSException {
        return (int) PropertyValues.toLong(properties.get(n), "int", Integer.MIN_VALUE, Integer.MAX_VALUE);
    }
    @Override public long getLongProperty(String n) throws JMSException {
        return PropertyValues.toLong(properties.get(n), "long", Long.MIN_VALUE, Long.MAX_VALUE);
    }
    @Override public float getFloatProperty(String n) throws JMSException {
        Object o = properties.get(n);
        if (o instanceof Double) {
            throw PropertyValues.cannot(o, "float");
        }
        return (float) PropertyValues.toDouble(o, "float");
    }
    @Override public double getDoubleProperty(String n) throws JMSException { return PropertyValues.toDouble(properties.get(n), "double"); }
    @Override public String getStringProperty(String n) throws JMSException { return PropertyValues.toStringValue(properties.get(n)); }
    @Override public Object getObjectProperty(String n) { return properties.get(n); }
    @Override public Enumeration<?> getPropertyNames() { return Collections.enumeration(properties.keySet()); }

    @Override public void setBooleanProperty(String n, boolean v) throws JMSException { put(n, v); }
    @Override public void setByteProperty(String n, byte v) throws JMSException { put(n, v); }
    @Override public void setShortProperty(String n, short v) throws JMSException { put(n, v); }
    @Override public void setIntProperty(String n, int v) throws JMSException { put(n, v); }
    @Override public void setLongProperty(String n, long v) throws JMSException { put(n, v); }
    @Override public void setFloatProperty(String n, float v) throws JMSException { put(n, v); }
    @Override public void setDoubleProperty(String n, double v) throws JMSException { put(n, v); }
    @Override public void setStringProperty(String n, String v) throws JMSException { put(n, v); }

    @Override
    public void setObjectProperty(String n, Object v) throws JMSException {
        if (v instanceof Character) {
            throw new MessageFormatException("a property cannot be a Character");
        }
        PropertyValues.checkType(v);
        put(n, v);
    }

    private void put(String name, Object v) throws JMSException {
        if (propertiesReadOnly) {
            throw new MessageNotWriteableException("the properties of a received message are read-only; call clearProperties() first");
        }
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("a property needs a name");
        }
        properties.put(name, v);
    }

    /** Sets a property even on a received message (used while mapping a record). */
    protected void putReceived(String name, Object v) {
        properties.put(name, v);
    }

    @Override
    public void acknowledge() {
        // the adapter commits after onMessage returns; explicit acknowledgement has nothing to do
    }

    @Override
    public <T> T getBody(Class<T> c) throws JMSException {
        Object body = body();
        if (body == null) {
            return null;
        }
        if (!c.isInstance(body)) {
            throw new MessageFormatException("the body is a " + body.getClass().getSimpleName() + ", not a " + c.getSimpleName());
        }
        return c.cast(body);
    }

    @Override
    @SuppressWarnings("rawtypes")
    public boolean isBodyAssignableTo(Class c) throws JMSException {
        Object body = body();
        return body == null || c.isInstance(body);
    }

    protected abstract Object body() throws JMSException;

    protected void checkWritable() throws MessageNotWriteableException {
        if (bodyReadOnly) {
            throw new MessageNotWriteableException("the body of a received message is read-only; call clearBody() first");
        }
    }
}
