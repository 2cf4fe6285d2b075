package org.tributary.jca.jms.message;

import jakarta.jms.JMSException;
import jakarta.jms.MapMessage;
import jakarta.jms.MessageFormatException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A map message. On the wire its value is a JSON object (numbers and booleans as JSON values,
 * characters and strings as strings, byte arrays as base64 strings), with the record header
 * {@code tributary.jms.type=map}; a received map record reaches a JMS MDB as a TextMessage
 * holding that JSON.
 */
public final class MapMessageImpl extends AbstractMessage implements MapMessage {
    private final Map<String, Object> map = new LinkedHashMap<>();

    @Override public String kind() { return "map"; }

    @Override protected Object body() { return map.isEmpty() ? null : Collections.unmodifiableMap(map); }

    @Override
    public byte[] bodyBytes() {
        StringBuilder b = new StringBuilder("{");
        for (Map.Entry<String, Object> e : map.entrySet()) {
            if (b.length() > 1) {
                b.append(',');
            }
            quote(b, e.getKey());
            b.append(':');
            Object v = e.getValue();
            if (v == null) {
                b.append("null");
            } else if (v instanceof Boolean || v instanceof Byte || v instanceof Short || v instanceof Integer || v instanceof Long) {
                b.append(v);
            } else if (v instanceof Float || v instanceof Double) {
                double d = ((Number) v).doubleValue();
                if (Double.isFinite(d)) {
                    b.append(v);
                } else {
                    quote(b, v.toString());
                }
            } else if (v instanceof byte[] bytes) {
                quote(b, Base64.getEncoder().encodeToString(bytes));
            } else {
                quote(b, v.toString());
            }
        }
        return b.append('}').toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void quote(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }

    @Override
    public void clearBody() {
        map.clear();
        bodyReadOnly = false;
    }

    @Override public boolean getBoolean(String n) throws JMSException { return PropertyValues.toBoolean(map.get(n)); }
    @Override public byte getByte(String n) throws JMSException { return (byte) PropertyValues.toLong(map.get(n), "byte", Byte.MIN_VALUE, Byte.MAX_VALUE); }
    @Override public short getShort(String n) throws JMSException { return (short) PropertyValues.toLong(map.get(n), "short", Short.MIN_VALUE, Short.MAX_VALUE); }
    @Override public int getInt(String n) throws JMSException { return (int) PropertyValues.toLong(map.get(n), "int", Integer.MIN_VALUE, Integer.MAX_VALUE); }
    @Override public long getLong(String n) throws JMSException { return PropertyValues.toLong(map.get(n), "long", Long.MIN_VALUE, Long.MAX_VALUE); }
    @Override public float getFloat(String n) throws JMSException { return (float) PropertyValues.toDouble(map.get(n), "float"); }
    @Override public double getDouble(String n) throws JMSException { return PropertyValues.toDouble(map.get(n), "double"); }
    @Override public String getString(String n) throws JMSException { return PropertyValues.toStringValue(map.get(n)); }

    @Override
    public char getChar(String n) throws JMSException {
        Object o = map.get(n);
        if (o instanceof Character c) {
            return c;
        }
        if (o == null) {
            throw new NullPointerException(n + " is not set");
        }
        throw PropertyValues.cannot(o, "char");
    }

    @Override
    public byte[] getBytes(String n) throws JMSException {
        Object o = map.get(n);
        if (o == null || o instanceof byte[]) {
            return (byte[]) o;
        }
        throw PropertyValues.cannot(o, "byte[]");
    }

    @Override public Object getObject(String n) { return map.get(n); }
    @Override public Enumeration<String> getMapNames() { return Collections.enumeration(map.keySet()); }
    @Override public boolean itemExists(String n) { return map.containsKey(n); }

    private void set(String n, Object v) throws JMSException {
        checkWritable();
        if (n == null || n.isEmpty()) {
            throw new IllegalArgumentException("a map entry needs a name");
        }
        map.put(n, v);
    }

    @Override public void setBoolean(String n, boolean v) throws JMSException { set(n, v); }
    @Override public void setByte(String n, byte v) throws JMSException { set(n, v); }
    @Override public void setShort(String n, short v) throws JMSException { set(n, v); }
    @Override public void setChar(String n, char v) throws JMSException { set(n, v); }
    @Override public void setInt(String n, int v) throws JMSException { set(n, v); }
    @Override public void setLong(String n, long v) throws JMSException { set(n, v); }
    @Override public void setFloat(String n, float v) throws JMSException { set(n, v); }
    @Override public void setDouble(String n, double v) throws JMSException { set(n, v); }
    @Override public void setString(String n, String v) throws JMSException { set(n, v); }
    @Override public void setBytes(String n, byte[] v) throws JMSException { set(n, v == null ? null : v.clone()); }

    @Override
    public void setBytes(String n, byte[] v, int off, int len) throws JMSException {
        byte[] copy = new byte[len];
        System.arraycopy(v, off, copy, 0, len);
        set(n, copy);
    }

    @Override
    public void setObject(String n, Object v) throws JMSException {
        if (v != null && !(v instanceof byte[])) {
            PropertyValues.checkType(v);
        }
        if (v == null) {
            throw new MessageFormatException("a map entry cannot be set to null through setObject");
        }
        set(n, v);
    }
}
