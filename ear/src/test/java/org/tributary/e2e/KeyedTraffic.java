package org.tributary.e2e;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Keyed records through stock Kafka clients, each bootstrapped at one broker only: an idempotent
 * acks=all producer that remembers where every acknowledged record went, and a consumer group that
 * reads them back in delivery order. Record i is key {@code k<i>}, value {@code v<i>}, kept as
 * {@code "k<i>=v<i>"}; with one producer, i grows with the offset in every partition.
 */
final class KeyedTraffic {
    private final String topic;
    /** Acknowledged records: partition, offset, "key=value". */
    private final Map<Integer, ConcurrentSkipListMap<Long, String>> acked = new ConcurrentHashMap<>();

    KeyedTraffic(String topic) {
        this.topic = topic;
    }

    /** What a produce run gave: failed sends with their distinct errors, and how long it took. */
    record Produced(int failed, Set<String> failures, long millis) {
    }

    /** What one consumer read: per partition, in delivery order, "offset:key=value"; what the group committed (-1: nothing). */
    record Consumed(Map<Integer, List<String>> delivered, int count, Map<TopicPartition, Long> committed,
            Map<TopicPartition, Long> endOffsets, long millis) {
    }

    /** Sends records 0..n-1 (acks=all, idempotent) and waits until every send has completed. */
    Produced produce(String bootstrap, int n) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("acks", "all");
        p.put("enable.idempotence", "true");
        p.put("linger.ms", "5");
        p.put("delivery.timeout.ms", "120000");
        p.put("request.timeout.ms", "30000");
        AtomicInteger failed = new AtomicInteger();
        Set<String> failures = ConcurrentHashMap.newKeySet();
        long t0 = System.nanoTime();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < n; i++) {
                String record = "k" + i + "=v" + i;
                producer.send(new ProducerRecord<>(topic, "k" + i, "v" + i), (meta, error) -> {
                    if (error == null) {
                        acked.computeIfAbsent(meta.partition(), k -> new ConcurrentSkipListMap<>()).put(meta.offset(), record);
                    } else {
                        failed.incrementAndGet();
                        failures.add(error.getClass().getSimpleName() + ": " + error.getMessage());
                    }
                });
            }
            producer.flush();
        }
        return new Produced(failed.get(), failures, (System.nanoTime() - t0) / 1_000_000);
    }

    /** Acknowledged records: partition, offset, "key=value". */
    Map<Integer, ConcurrentSkipListMap<Long, String>> acked() {
        return acked;
    }

    int ackedCount() {
        return acked.values().stream().mapToInt(Map::size).sum();
    }

    /** The acknowledged records of a partition as {@link Consumed#delivered} lists them, in offset order. */
    List<String> ackedAsDelivered(int partition) {
        List<String> out = new ArrayList<>();
        acked.getOrDefault(partition, new ConcurrentSkipListMap<>()).forEach((offset, r) -> out.add(offset + ":" + r));
        return out;
    }

    /**
     * One member of {@code group} reads the topic from the start until {@code expected} records
     * arrived (or the timeout), polls once more to catch any extra, commits what it consumed and
     * leaves the group.
     */
    Consumed consumeAndCommit(String bootstrap, String group, int partitions, int expected, Duration timeout) {
        Map<Integer, List<String>> delivered = new TreeMap<>();
        int count = 0;
        long t0 = System.nanoTime();
        try (KafkaConsumer<String, String> c = consumer(bootstrap, group)) {
            c.subscribe(List.of(topic));
            long deadline = t0 + timeout.toNanos();
            while (count < expected && System.nanoTime() < deadline) {
                count += take(c.poll(Duration.ofMillis(500)), delivered);
            }
            long millis = (System.nanoTime() - t0) / 1_000_000;
            count += take(c.poll(Duration.ofSeconds(1)), delivered);
            c.commitSync(Duration.ofSeconds(60));
            List<TopicPartition> tps = partitions(partitions);
            Map<TopicPartition, Long> committed = new HashMap<>();
            c.committed(Set.copyOf(tps), Duration.ofSeconds(60)).forEach((tp, om) -> committed.put(tp, offsetOf(om)));
            return new Consumed(delivered, count, committed, c.endOffsets(tps, Duration.ofSeconds(60)), millis);
        }
    }

    /**
     * A new member of {@code group} joins, waits for all partitions to be assigned to it and
     * returns its positions (from the group's committed offsets); records it was given on the way
     * go to {@code delivered}.
     */
    Map<TopicPartition, Long> positionsOfNewMember(String bootstrap, String group, int partitions, Duration timeout,
            Map<Integer, List<String>> delivered) {
        try (KafkaConsumer<String, String> c = consumer(bootstrap, group)) {
            c.subscribe(List.of(topic));
            long deadline = System.nanoTime() + timeout.toNanos();
            while (c.assignment().size() < partitions && System.nanoTime() < deadline) {
                take(c.poll(Duration.ofMillis(500)), delivered);
            }
            take(c.poll(Duration.ofSeconds(2)), delivered);
            Map<TopicPartition, Long> positions = new HashMap<>();
            for (TopicPartition tp : c.assignment()) {
                positions.put(tp, c.position(tp, Duration.ofSeconds(60)));
            }
            return positions;
        }
    }

    List<TopicPartition> partitions(int partitions) {
        List<TopicPartition> tps = new ArrayList<>();
        for (int i = 0; i < partitions; i++) {
            tps.add(new TopicPartition(topic, i));
        }
        return tps;
    }

    private static int take(Iterable<ConsumerRecord<String, String>> records, Map<Integer, List<String>> delivered) {
        int n = 0;
        for (ConsumerRecord<String, String> r : records) {
            delivered.computeIfAbsent(r.partition(), k -> new ArrayList<>()).add(r.offset() + ":" + r.key() + "=" + r.value());
            n++;
        }
        return n;
    }

    private static KafkaConsumer<String, String> consumer(String bootstrap, String group) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("group.id", group);
        p.put("enable.auto.commit", "false");
        p.put("auto.offset.reset", "earliest");
        p.put("default.api.timeout.ms", "60000");
        return new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
    }

    /** A committed offset; -1 when the group has none for the partition. */
    private static long offsetOf(OffsetAndMetadata om) {
        return om == null ? -1 : om.offset();
    }
}
