package org.tributary.ee;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.tributary.audit.AuditEvent;
import org.tributary.server.TestBroker;

/**
 * The console's changes go in-process as {@code Console:<user>}: they work on a broker whose ACL
 * authorizer denies everyone without an ACL ({@code allow.everyone.if.no.acl.found=false}, where an
 * anonymous Kafka client is refused), and they leave no Kafka-side audit row (the REST layer
 * records them once, as the console user), while a real Kafka client's attempt is audited.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ConsoleChangesTest {
    private TestBroker broker;
    private BrokerAdmin console;
    private final List<AuditEvent> audited = new CopyOnWriteArrayList<>();

    private void start(Map<String, String> settings) throws Exception {
        broker = new TestBroker(settings);
        broker.server().audit(audited::add);
        console = new BrokerAdmin(broker.server(), broker.bootstrap());
    }

    @AfterEach
    void stop() {
        if (console != null) {
            console.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void consoleChangesPassADenyAllAuthorizerAndAreNotAuditedAsKafkaRequests() throws Exception {
        start(Map.of("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
                "allow.everyone.if.no.acl.found", "false"));
        console.createTopic("alice", "console-topic", 1, (short) 1, Map.of("retention.ms", "3600000"));
        assertEquals(1, console.requireTopic("console-topic").partitionCount());
        console.addPartitions("alice", "console-topic", 3);
        assertEquals(3, console.requireTopic("console-topic").partitionCount());
        console.alterTopicConfigs("alice", "console-topic", Map.of("retention.ms", "7200000"), List.of());
        assertEquals("7200000", console.requireTopic("console-topic").configs().get("retention.ms"));
        console.alterTopicConfigs("alice", "console-topic", Map.of(), List.of("retention.ms"));
        assertTrue(!console.requireTopic("console-topic").configs().containsKey("retention.ms"));

        console.deleteTopic("alice", "console-topic");
        assertTrue(console.topic("console-topic").isEmpty());
        AdminException again = assertThrows(AdminException.class, () -> console.deleteTopic("alice", "console-topic"));
        assertEquals(AdminException.Kind.NOT_FOUND, again.kind());
        AdminException bad = assertThrows(AdminException.class, () -> console.createTopic("alice", "bad/name", 1, (short) 1, Map.of()));
        assertEquals(AdminException.Kind.INVALID, bad.kind());
        assertEquals(List.of(), audited, "in-process console changes are recorded by the REST layer only");

        // the same change from a real (anonymous) Kafka client is refused by the authorizer, and audited as such
        try (Admin anonymous = broker.admin()) {
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> anonymous.createTopics(List.of(new NewTopic("anonymous-topic", 1, (short) 1))).all().get(20, TimeUnit.SECONDS));
            assertInstanceOf(TopicAuthorizationException.class, e.getCause());
        }
        assertEquals(1, audited.size(), audited.toString());
        AuditEvent denied = audited.get(0);
        assertEquals("User:ANONYMOUS", denied.principal());
        assertEquals(AuditEvent.KAFKA, denied.source());
        assertEquals("anonymous-topic", denied.resourceName());
        assertEquals("TOPIC_AUTHORIZATION_FAILED", denied.result());
    }

    @Test
    void consoleOffsetResetsAndGroupDeletionsAreNotAuditedAsKafkaRequests() throws Exception {
        start(Map.of());
        TopicPartition tp = new TopicPartition("grouped", 0);
        try (Admin kafka = broker.admin()) {
            kafka.createTopics(List.of(new NewTopic("grouped", 1, (short) 1))).all().get(20, TimeUnit.SECONDS);
            kafka.alterConsumerGroupOffsets("console-group", Map.of(tp, new OffsetAndMetadata(0))).all().get(20, TimeUnit.SECONDS);
        }
        assertEquals(List.of("CreateTopics", "OffsetCommit"), audited.stream().map(AuditEvent::action).toList(), "the Kafka client's changes");
        audited.clear();
        assertEquals(Map.of("grouped-0", 0L), console.resetGroupOffsets("alice", "console-group",
                new OffsetReset(OffsetReset.Kind.OFFSET, 0, "grouped", 0)));
        console.deleteGroup("alice", "console-group");
        assertTrue(console.group("console-group").isEmpty());
        AdminException gone = assertThrows(AdminException.class, () -> console.deleteGroup("alice", "console-group"));
        assertEquals(AdminException.Kind.NOT_FOUND, gone.kind());
        assertEquals(List.of(), audited, "in-process console changes are recorded by the REST layer only");
    }
}
