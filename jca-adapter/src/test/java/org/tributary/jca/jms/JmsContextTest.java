package org.tributary.jca.jms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSException;
import jakarta.jms.JMSRuntimeException;
import jakarta.jms.TextMessage;
import jakarta.jms.Topic;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.tributary.jca.api.TributaryConnectionFactory;
import org.tributary.jca.outbound.TestConnections;

class JmsContextTest {
    private final MockProducer<byte[], byte[]> producer = new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
    private final ConnectionFactory factory = new JmsConnectionFactoryImpl((TributaryConnectionFactory) () -> TestConnections.handle(producer));

    @Test
    void aTransactedContextCommitsAndRollsBackKafkaTransactionsAndCloseRollsBack() throws Exception {
        MockProducer<byte[], byte[]> txProducer = new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
        ConnectionFactory cf = new JmsConnectionFactoryImpl((TributaryConnectionFactory) () -> TestConnections.transactionalHandle(txProducer, false));
        try (JMSContext ctx = cf.createContext(JMSContext.SESSION_TRANSACTED)) {
            assertTrue(ctx.getTransacted());
            assertEquals(JMSContext.SESSION_TRANSACTED, ctx.getSessionMode());
            ctx.createProducer().send(ctx.createTopic("t"), "one");
            ctx.commit();
            assertEquals(1, txProducer.history().size());
            ctx.createProducer().send(ctx.createTopic("t"), "two");
            ctx.rollback();
            ctx.createProducer().send(ctx.createTopic("t"), "three");
        }
        assertEquals(1, txProducer.history().size(), "only the committed record");
        assertTrue(txProducer.transactionAborted());
        assertTrue(!txProducer.transactionInFlight());
    }

    @Test
    void insideAJtaTransactionTheContextJoinsItWhateverTheSessionMode() throws Exception {
        MockProducer<byte[], byte[]> txProducer = new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
        ConnectionFactory cf = new JmsConnectionFactoryImpl((TributaryConnectionFactory) () -> TestConnections.transactionalHandle(txProducer, true));
        try (JMSContext ctx = cf.createContext(JMSContext.SESSION_TRANSACTED)) {
            assertTrue(!ctx.getTransacted());
            ctx.createProducer().send(ctx.createTopic("t"), "in the JTA transaction");
            assertThrows(jakarta.jms.TransactionInProgressRuntimeException.class, ctx::commit);
            assertThrows(jakarta.jms.TransactionInProgressRuntimeException.class, ctx::rollback);
        }
        assertTrue(txProducer.transactionInFlight(), "the container ends the transaction, not the context");
        assertEquals(1, txProducer.uncommittedRecords().size());
    }

    @Test
    void producerPropertiesAndHeaderFieldsBecomeRecordHeadersAndTheGroupIdTheKey() throws Exception {
        try (JMSContext ctx = factory.createContext()) {
            Topic t = ctx.createTopic("orders");
            TextMessage m = ctx.createTextMessage("hello");
            ctx.createProducer().setProperty("region", "eu").setProperty("JMSXGroupID", "cust-1")
                    .setJMSCorrelationID("c-1").setJMSType("order").send(t, m);
            assertTrue(m.getJMSMessageID().startsWith("ID:orders-"), m.getJMSMessageID());
            ctx.createProducer().send(t, Map.of("qty", 2));
        }
        ProducerRecord<byte[], byte[]> r = producer.history().get(0);
        assertEquals("cust-1", new String(r.key(), StandardCharsets.UTF_8));
        assertEquals("hello", new String(r.value(), StandardCharsets.UTF_8));
        Map<String, String> h = new HashMap<>();
        for (Header x : r.headers()) {
            h.put(x.key(), new String(x.value(), StandardCharsets.UTF_8));
        }
        assertEquals(Map.of("region", "eu", "JMSCorrelationID", "c-1", "JMSType", "order", "tributary.jms.type", "text"), h);
        assertEquals("{\"qty\":2}", new String(producer.history().get(1).value(), StandardCharsets.UTF_8));
    }

    @Test
    void unsupportedFeaturesFailNamingTheFeature() {
        try (JMSContext ctx = factory.createContext()) {
            assertTrue(assertThrows(JMSRuntimeException.class, () -> ctx.createQueue("q")).getMessage()
                    .startsWith("Queue 'q' (queues' exclusive point-to-point semantics) is not supported"));
            assertTrue(assertThrows(JMSRuntimeException.class, ctx::createTemporaryQueue).getMessage().contains("temporary destinations"));
            assertTrue(assertThrows(JMSRuntimeException.class, () -> ctx.createConsumer(ctx.createTopic("t"))).getMessage().contains("MDB"));
            assertTrue(assertThrows(JMSRuntimeException.class, () -> ctx.createProducer().setTimeToLive(5)).getMessage().contains("time-to-live"));
            assertTrue(assertThrows(JMSRuntimeException.class, () -> ctx.createObjectMessage()).getMessage().contains("ObjectMessage"));
        }
        assertTrue(assertThrows(JMSRuntimeException.class, () -> factory.createContext(JMSContext.SESSION_TRANSACTED)).getMessage()
                .contains("transacted"));
        assertTrue(assertThrows(JMSException.class, factory::createConnection).getMessage().contains("classic JMS API"));
    }
}
