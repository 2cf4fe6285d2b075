package org.tributary.jca.inbound;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.resource.spi.InvalidPropertyException;
import java.beans.PropertyDescriptor;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ActivationSpecTest {

    @Test
    void reportsEveryBadPropertyInOneException() {
        TributaryActivationSpec s = new TributaryActivationSpec();
        s.setAutoOffsetReset("oldest");
        s.setMaxSession("0");
        s.setMaxPollRecords("many");
        s.setIsolationLevel("serializable");
        s.setMaxDeliveryAttempts("-1");
        s.setRedeliveryBackoffMs("1.5");
        s.setMessageSelector("color = ");
        s.setConsumerProperties("fetch.min.bytes");
        s.setDestinationType("jakarta.jms.Queue");
        s.setAcknowledgeMode("Client-acknowledge");
        InvalidPropertyException e = assertThrows(InvalidPropertyException.class, s::validate);
        Set<String> bad = Arrays.stream(e.getInvalidPropertyDescriptors()).map(PropertyDescriptor::getName).collect(Collectors.toSet());
        assertEquals(Set.of("topics", "groupId", "autoOffsetReset", "maxSession", "maxPollRecords", "isolationLevel",
                "maxDeliveryAttempts", "redeliveryBackoffMs", "messageSelector", "consumerProperties", "destinationType", "acknowledgeMode"), bad);
        assertTrue(e.getMessage().startsWith("Tributary activation spec has 12 invalid properties"), e.getMessage());
        assertTrue(e.getMessage().contains("'autoOffsetReset' is oldest, expected one of earliest, latest, none"), e.getMessage());
        assertTrue(e.getMessage().contains("no queue semantics"), e.getMessage());
    }

    @Test
    void jmsAliasesAndKafkaPropertiesResolve() throws Exception {
        TributaryActivationSpec s = new TributaryActivationSpec();
        s.setDestination("orders, payments");
        s.setSubscriptionName("billing");
        s.setMaxSession("3");
        s.setIsolationLevel("read_committed");
        s.setAcknowledgeMode("Auto-acknowledge");
        s.setSubscriptionDurability("Durable");
        s.setConsumerProperties("fetch.min.bytes=1024; enable.auto.commit=true\nmax.poll.interval.ms=60000");
        s.validate();
        ConsumerSettings c = s.settings("broker:9092");
        assertEquals(List.of("orders", "payments"), c.topics());
        assertEquals("billing", c.groupId());
        assertEquals(3, c.maxSession());
        assertEquals("broker:9092", c.kafka().get("bootstrap.servers"));
        assertEquals("read_committed", c.kafka().get("isolation.level"));
        assertEquals("1024", c.kafka().get("fetch.min.bytes"));
        assertEquals("60000", c.kafka().get("max.poll.interval.ms"));
        assertEquals("false", c.kafka().get("enable.auto.commit"), "the adapter always commits itself");
        assertEquals("orders.DLT", c.deadLetterTopicFor("orders"));
        assertEquals(5, c.maxDeliveryAttempts());
    }

    @Test
    void aliasesThatDisagreeAreReported() {
        TributaryActivationSpec s = new TributaryActivationSpec();
        s.setTopics("a");
        s.setDestination("b");
        s.setGroupId("g");
        s.setSubscriptionName("h");
        s.setDeadLetterTopic("a");
        InvalidPropertyException e = assertThrows(InvalidPropertyException.class, s::validate);
        assertEquals(3, e.getInvalidPropertyDescriptors().length, e.getMessage());
    }
}
