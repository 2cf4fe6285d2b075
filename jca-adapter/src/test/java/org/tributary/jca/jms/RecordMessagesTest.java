package org.tributary.jca.jms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.jms.BytesMessage;
import jakarta.jms.Message;
import jakarta.jms.MessageNotWriteableException;
import jakarta.jms.TextMessage;
import jakarta.jms.Topic;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;
import org.tributary.jca.api.TributaryRecord;
import org.tributary.jca.inbound.ConsumerSettings.MessageFormat;
import org.tributary.jca.jms.message.BytesMessageImpl;
import org.tributary.jca.jms.message.MapMessageImpl;
import org.tributary.jca.jms.message.TextMessageImpl;
import org.tributary.jca.jms.selector.Selector;

class RecordMessagesTest {

    private static ConsumerRecord<byte[], byte[]> record(byte[] key, byte[] value, String... headers) {
        RecordHeaders h = new RecordHeaders();
        for (int i = 0; i < headers.length; i += 2) {
            h.add(headers[i], headers[i + 1].getBytes(StandardCharsets.UTF_8));
        }
        return new ConsumerRecord<>("orders", 2, 41, 1_700_000_000_000L, TimestampType.CREATE_TIME, -1, -1, key, value, h, Optional.empty());
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aTextRecordBecomesATextMessageWithHeaderFieldsAndProperties() throws Exception {
        Message m = RecordMessages.toMessage(record(utf8("customer-7"), utf8("héllo"), "region", "eu", "JMSCorrelationID", "c-1",
                "JMSType", "order"), 2, MessageFormat.AUTO);
        TextMessage t = assertInstanceOf(TextMessage.class, m);
        assertEquals("héllo", t.getText());
        assertEquals("orders", ((Topic) m.getJMSDestination()).getTopicName());
        assertEquals("ID:orders-2-41", m.getJMSMessageID());
        assertEquals(1_700_000_000_000L, m.getJMSTimestamp());
        assertTrue(m.getJMSRedelivered());
        assertEquals(2, m.getIntProperty("JMSXDeliveryCount"));
        assertEquals("customer-7", m.getStringProperty("JMSXGroupID"));
        assertEquals("eu", m.getStringProperty("region"));
        assertEquals("c-1", m.getJMSCorrelationID());
        assertEquals("order", m.getJMSType());
        assertFalse(m.propertyExists("JMSCorrelationID"));
        assertThrows(MessageNotWriteableException.class, () -> m.setStringProperty("x", "y"));
        assertTrue(Selector.parse("region = 'eu' AND JMSType = 'order' AND JMSXDeliveryCount > 1 AND JMSDeliveryMode = 'PERSISTENT'")
                .matches(RecordMessages.selectorView(m)));
    }

    @Test
    void aBinaryValueBecomesABytesMessageAndFormatsCanBeForced() throws Exception {
        byte[] binary = {(byte) 0xff, (byte) 0xfe, 0, 1};
        BytesMessage b = assertInstanceOf(BytesMessage.class, RecordMessages.toMessage(record(null, binary), 1, MessageFormat.AUTO));
        assertEquals(4, b.getBodyLength());
        byte[] read = new byte[4];
        assertEquals(4, b.readBytes(read));
        assertArrayEquals(binary, read);
        assertFalse(b.getJMSRedelivered());
        assertNull(b.getStringProperty("JMSXGroupID"));
        assertInstanceOf(BytesMessage.class, RecordMessages.toMessage(record(null, utf8("text")), 1, MessageFormat.BYTES));
        assertInstanceOf(TextMessage.class, RecordMessages.toMessage(record(null, binary), 1, MessageFormat.TEXT));
        assertInstanceOf(BytesMessage.class, RecordMessages.toMessage(record(null, utf8("abc"), "tributary.jms.type", "bytes"), 1, MessageFormat.AUTO));
    }

    @Test
    void theRecordListenerSeesEverything() {
        TributaryRecord r = RecordMessages.toRecord(record(utf8("k"), utf8("v"), "h", "1"), 3);
        assertEquals("orders-2@41", r.toString());
        assertEquals("k", r.keyAsString());
        assertEquals("v", r.valueAsString());
        assertEquals(Map.of("h", "1"), r.headers());
        assertEquals(3, r.deliveryAttempt());
        assertEquals(1_700_000_000_000L, r.timestamp());
    }

    @Test
    void anOutgoingMessageBecomesARecord() throws Exception {
        TextMessageImpl t = new TextMessageImpl("hi");
        t.setStringProperty("region", "eu");
        t.setIntProperty("qty", 3);
        t.setStringProperty("JMSXGroupID", "customer-7");
        t.setJMSCorrelationID("c-9");
        t.setJMSType("order");
        ProducerRecord<byte[], byte[]> r = RecordMessages.toRecord("orders", t);
        assertEquals("orders", r.topic());
        assertEquals("customer-7", new String(r.key(), StandardCharsets.UTF_8));
        assertEquals("hi", new String(r.value(), StandardCharsets.UTF_8));
        Map<String, String> h = new HashMap<>();
        for (Header x : r.headers()) {
            h.put(x.key(), new String(x.value(), StandardCharsets.UTF_8));
        }
        assertEquals(Map.of("region", "eu", "qty", "3", "JMSCorrelationID", "c-9", "JMSType", "order", "tributary.jms.type", "text"), h);

        BytesMessageImpl b = new BytesMessageImpl();
        b.writeInt(7);
        assertArrayEquals(new byte[] {0, 0, 0, 7}, RecordMessages.toRecord("o", b).value());

        MapMessageImpl m = new MapMessageImpl();
        m.setString("sku", "a\"b");
        m.setInt("qty", 2);
        m.setBoolean("gift", true);
        assertEquals("{\"sku\":\"a\\\"b\",\"qty\":2,\"gift\":true}", new String(RecordMessages.toRecord("o", m).value(), StandardCharsets.UTF_8));
    }

    @Test
    void propertyConversionsFollowTheJmsTable() throws Exception {
        TextMessageImpl t = new TextMessageImpl(null);
        t.setStringProperty("n", "42");
        t.setIntProperty("i", 5);
        assertEquals(42, t.getIntProperty("n"));
        assertEquals(5L, t.getLongProperty("i"));
        assertEquals("5", t.getStringProperty("i"));
        assertThrows(jakarta.jms.MessageFormatException.class, () -> t.getBooleanProperty("i"));
        t.setStringProperty("big", "300");
        assertEquals(42, t.getByteProperty("n"));
        assertThrows(jakarta.jms.MessageFormatException.class, () -> t.getByteProperty("big"));
    }
}
