package org.tributary.api;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.tributary.server.TestBroker;

/** Helpers for group tests with real consumers: polled from one thread, waits bounded by a deadline. */
final class GroupClients {
    /** Broker settings that keep group tests fast: no initial rebalance delay, short session timeouts allowed. */
    static final Map<String, String> FAST_GROUPS = Map.of("group.initial.rebalance.delay.ms", "0",
            "group.min.session.timeout.ms", "500", "offsets.topic.num.partitions", "5");

    private GroupClients() {
    }

    static KafkaConsumer<byte[], byte[]> consumer(TestBroker broker, String group, String assignor, Map<String, Object> extra) {
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, assignor);
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 3000);
        p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 300);
        p.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, 2000);
        p.putAll(extra);
        return broker.consumer(p);
    }

    static String assignorClass(String name) {
        return switch (name) {
            case "range" -> "org.apache.kafka.clients.consumer.RangeAssignor";
            case "roundrobin" -> "org.apache.kafka.clients.consumer.RoundRobinAssignor";
            case "sticky" -> "org.apache.kafka.clients.consumer.StickyAssignor";
            case "cooperative-sticky" -> "org.apache.kafka.clients.consumer.CooperativeStickyAssignor";
            default -> throw new IllegalArgumentException(name);
        };
    }

    /** Polls every consumer in turn until {@code done} holds or the deadline passes. */
    static void pollUntil(List<KafkaConsumer<byte[], byte[]>> consumers, long timeoutMs, BooleanSupplier done, String what) {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (!done.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("timed out waiting for " + what + "; assignments " + assignments(consumers));
            }
            for (KafkaConsumer<byte[], byte[]> c : consumers) {
                c.poll(Duration.ofMillis(20));
            }
        }
    }

    static List<Set<TopicPartition>> assignments(List<KafkaConsumer<byte[], byte[]>> consumers) {
        List<Set<TopicPartition>> out = new ArrayList<>();
        consumers.forEach(c -> out.add(new HashSet<>(c.assignment())));
        return out;
    }

    /** Every partition of the topic owned by exactly one consumer, and every consumer owning something when it can. */
    static boolean exactlyOnce(List<KafkaConsumer<byte[], byte[]>> consumers, String topic, int partitions) {
        Set<TopicPartition> seen = new HashSet<>();
        int total = 0;
        for (KafkaConsumer<byte[], byte[]> c : consumers) {
            Set<TopicPartition> a = c.assignment();
            if (a.isEmpty() && consumers.size() <= partitions) {
                return false;
            }
            total += a.size();
            seen.addAll(a);
        }
        return total == partitions && seen.size() == partitions && seen.stream().allMatch(tp -> tp.topic().equals(topic));
    }
}
