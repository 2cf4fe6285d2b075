package org.tributary.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tributary.group.GroupDescription;
import org.tributary.group.GroupState;
import org.tributary.server.TestBroker;

/**
 * Groups of real kafka-clients consumers with each assignor: members join one by one (each join
 * rebalances, incrementally with cooperative-sticky), every partition ends up owned by exactly one
 * member, and members that leave hand their partitions to the rest.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ConsumerGroupTest {
    private static final int PARTITIONS = 6;
    private TestBroker broker;

    @BeforeAll
    void start() throws Exception {
        broker = new TestBroker(GroupClients.FAST_GROUPS);
    }

    @AfterAll
    void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"range", "roundrobin", "sticky", "cooperative-sticky"})
    void membersJoinAndLeaveWithEachAssignor(String assignor) throws Exception {
        String topic = "t-" + assignor;
        String group = "g-" + assignor;
        try (Admin admin = broker.admin()) {
            admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 1))).all().get();
        }
        List<KafkaConsumer<byte[], byte[]>> consumers = new ArrayList<>();
        java.util.concurrent.atomic.AtomicInteger firstRevoked = new java.util.concurrent.atomic.AtomicInteger();
        try {
            for (int n = 1; n <= 4; n++) {
                KafkaConsumer<byte[], byte[]> c = GroupClients.consumer(broker, group, GroupClients.assignorClass(assignor), Map.of());
                if (n == 1) {
                    c.subscribe(List.of(topic), new org.apache.kafka.clients.consumer.ConsumerRebalanceListener() {
                        @Override
                        public void onPartitionsRevoked(java.util.Collection<org.apache.kafka.common.TopicPartition> parts) {
                            firstRevoked.addAndGet(parts.size());
                        }

                        @Override
                        public void onPartitionsAssigned(java.util.Collection<org.apache.kafka.common.TopicPartition> parts) {
                        }
                    });
                } else {
                    c.subscribe(List.of(topic));
                }
                consumers.add(c);
                GroupClients.pollUntil(consumers, 30_000, () -> GroupClients.exactlyOnce(consumers, topic, PARTITIONS)
                        && broker.server().describeGroup(group).map(d -> d.state() == GroupState.STABLE
                                && d.members().size() == consumers.size()).orElse(false),
                        consumers.size() + " member(s) sharing " + topic);
            }
            if (assignor.equals("cooperative-sticky")) {
                // incremental rebalances: the first member only gave up partitions that moved away, never all of them
                assertEquals(PARTITIONS, firstRevoked.get() + consumers.get(0).assignment().size(),
                        "revoked " + firstRevoked.get() + ", still owns " + consumers.get(0).assignment());
            } else {
                assertTrue(firstRevoked.get() >= 3 * 2, "eager protocols revoke everything at each rebalance: " + firstRevoked.get());
            }
            GroupDescription d = broker.server().describeGroup(group).orElseThrow();
            assertEquals("consumer", d.protocolType());
            assertEquals(assignor, d.protocolName());
            // two leave (LeaveGroup): the other two take everything over
            consumers.remove(0).close();
            consumers.remove(0).close();
            GroupClients.pollUntil(consumers, 30_000, () -> GroupClients.exactlyOnce(consumers, topic, PARTITIONS)
                    && broker.server().describeGroup(group).map(g -> g.state() == GroupState.STABLE
                            && g.members().size() == 2).orElse(false), "2 members after 2 left");
        } finally {
            consumers.forEach(KafkaConsumer::close);
        }
        GroupDescription after = broker.server().describeGroup(group).orElseThrow();
        assertEquals(GroupState.EMPTY, after.state());
        assertTrue(after.members().isEmpty());
    }
}
