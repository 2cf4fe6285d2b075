package org.tributary.jca.jms;

import jakarta.jms.DeliveryMode;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.tributary.jca.api.TributaryRecord;
import org.tributary.jca.inbound.ConsumerSettings.MessageFormat;
import org.tributary.jca.jms.message.AbstractMessage;
import org.tributary.jca.jms.message.BytesMessageImpl;
import org.tributary.jca.jms.message.TextMessageImpl;
import org.tributary.jca.jms.message.TopicImpl;

/**
 * The mapping between records and JMS messages, both ways.
 *
 * <table>
 * <caption>record ↔ message</caption>
 * <tr><td>topic</td><td>{@code JMSDestination} (a {@code Topic} of that name)</td></tr>
 * <tr><td>topic, partition, offset</td><td>{@code JMSMessageID} = {@code ID:<topic>-<partition>-<offset>}</td></tr>
 * <tr><td>timestamp</td><td>{@code JMSTimestamp}</td></tr>
 * <tr><td>key (UTF-8)</td><td>property {@code JMSXGroupID}</td></tr>
 * <tr><td>header {@code JMSCorrelationID}, {@code JMSType}</td><td>those header fields</td></tr>
 * <tr><td>other headers (UTF-8)</td><td>string properties of the same name</td></tr>
 * <tr><td>delivery attempt</td><td>{@code JMSXDeliveryCount}, {@code JMSRedelivered} = attempt &gt; 1</td></tr>
 * <tr><td>value</td><td>TextMessage when UTF-8 text, else BytesMessage (or as configured)</td></tr>
 * </table>
 */
public final class RecordMessages {
    /** Header naming the JMS body type of a record sent through the JMS API: text, bytes or map. */
    public static final String TYPE_HEADER = "tributary.jms.type";
    public static final String CORRELATION_ID = "JMSCorrelationID";
    public static final String TYPE = "JMSType";
    public static final String GROUP_ID = "JMSXGroupID";
    public static final String DELIVERY_COUNT = "JMSXDeliveryCount";

    private RecordMessages() {
    }

    public static TributaryRecord toRecord(ConsumerRecord<byte[], byte[]> r, int attempt) {
        return new TributaryRecord(r.topic(), r.partition(), r.offset(), r.timestamp(), r.key(), r.value(), headers(r), attempt);
    }

    public static Map<String, String> headers(ConsumerRecord<byte[], byte[]> r) {
        Map<String, String> h = new LinkedHashMap<>();
        for (Header header : r.headers()) {
            h.put(header.key(), header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8));
        }
        return h;
    }

    public static Message toMessage(ConsumerRecord<byte[], byte[]> r, int attempt, MessageFormat format) throws JMSException {
        Map<String, String> headers = headers(r);
        String declared = headers.remove(TYPE_HEADER);
        String text = null;
        boolean asText = switch (format) {
            case TEXT -> true;
            case BYTES -> false;
            case AUTO -> !"bytes".equals(declared) && (r.value() == null || (text = utf8(r.value())) != null);
        };
        AbstractMessage m;
        if (asText) {
            m = new TextMessageImpl(text != null ? text : r.value() == null ? null : new String(r.value(), StandardCharsets.UTF_8));
        } else {
            m = new BytesMessageImpl(r.value());
        }
        m.setJMSDestination(new TopicImpl(r.topic()));
        m.setJMSMessageID("ID:" + r.topic() + "-" + r.partition() + "-" + r.offset());
        m.setJMSTimestamp(r.timestamp());
        m.setJMSDeliveryMode(DeliveryMode.PERSISTENT);
        m.setJMSRedelivered(attempt > 1);
        m.setJMSCorrelationID(headers.remove(CORRELATION_ID));
        m.setJMSType(headers.remove(TYPE));
        for (Map.Entry<String, String> e : headers.entrySet()) {
            m.setStringProperty(e.getKey(), e.getValue());
        }
        if (r.key() != null) {
            m.setStringProperty(GROUP_ID, new String(r.key(), StandardCharsets.UTF_8));
        }
        m.setIntProperty(DELIVERY_COUNT, attempt);
        m.markReceived();
        return m;
    }

    /** What a message selector sees: header fields by their JMS names, then properties. */
    public static Function<String, Object> selectorView(Message m) {
        return name -> {
            try {
                return switch (name) {
                    case "JMSDeliveryMode" -> m.getJMSDeliveryMode() == DeliveryMode.PERSISTENT ? "PERSISTENT" : "NON_PERSISTENT";
                    case "JMSPriority" -> m.getJMSPriority();
                    case "JMSMessageID" -> m.getJMSMessageID();
                    case "JMSTimestamp" -> m.getJMSTimestamp();
                    case "JMSCorrelationID" -> m.getJMSCorrelationID();
                    case "JMSType" -> m.getJMSType();
                    default -> m.getObjectProperty(name);
                };
            } catch (JMSException e) {
                return null;
            }
        };
    }

    /**
     * A record for a message sent to {@code topic}: properties become headers (as strings),
     * {@code JMSXGroupID} becomes the key, {@code JMSCorrelationID} and {@code JMSType} travel as
     * headers of those names.
     */
    public static ProducerRecord<byte[], byte[]> toRecord(String topic, AbstractMessage m) throws JMSException {
        RecordHeaders h = new RecordHeaders();
        byte[] key = null;
        for (Map.Entry<String, Object> e : m.properties().entrySet()) {
            if (e.getValue() == null) {
                continue;
            }
            byte[] v = e.getValue().toString().getBytes(StandardCharsets.UTF_8);
            if (e.getKey().equals(GROUP_ID)) {
                key = v;
            } else {
                h.add(e.getKey(), v);
            }
        }
        if (m.getJMSCorrelationID() != null) {
            h.add(CORRELATION_ID, m.getJMSCorrelationID().getBytes(StandardCharsets.UTF_8));
        }
        if (m.getJMSType() != null) {
            h.add(TYPE, m.getJMSType().getBytes(StandardCharsets.UTF_8));
        }
        h.add(TYPE_HEADER, m.kind().getBytes(StandardCharsets.UTF_8));
        return new ProducerRecord<>(topic, null, key, m.bodyBytes(), h);
    }

    /** The text, or null when the bytes are not valid UTF-8. */
    static String utf8(byte[] b) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
