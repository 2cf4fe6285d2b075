package org.tributary.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Real kafka-clients producers and consumers against one in-process broker. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProduceConsumeTest {
    private TestBroker broker;

    @BeforeAll
    void start() throws Exception {
        broker = new TestBroker(Map.of("num.partitions", "2"));
    }

    @AfterAll
    void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    static byte[] value(String topic, int i) {
        return (topic + "-value-" + i + "-" + "x".repeat(i % 50)).getBytes(StandardCharsets.UTF_8);
    }

    @ParameterizedTest(name = "acks={0} compression={1}")
    @CsvSource({"0,none", "1,none", "all,none", "all,gzip", "1,snappy", "all,lz4", "1,zstd", "0,zstd"})
    void everyRecordComesBackForEachAcksAndCodec(String acks, String codec) throws Exception {
        String topic = "codec-" + codec + "-acks-" + acks;
        int n = 300;
        try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of(ProducerConfig.ACKS_CONFIG, acks,
                ProducerConfig.COMPRESSION_TYPE_CONFIG, codec, ProducerConfig.BATCH_SIZE_CONFIG, 4096))) {
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                sent.add(producer.send(new ProducerRecord<>(topic, 0, ("k" + i).getBytes(StandardCharsets.UTF_8), value(topic, i))));
            }
            producer.flush();
            for (int i = 0; i < n; i++) {
                RecordMetadata md = sent.get(i).get(20, TimeUnit.SECONDS);
                if (!acks.equals("0")) {
                    assertEquals(i, md.offset(), "offset of record " + i);
                }
            }
        }
        List<ConsumerRecord<byte[], byte[]>> got = readAll(topic, 0, 0, n);
        for (int i = 0; i < n; i++) {
            assertEquals(i, got.get(i).offset());
            assertArrayEquals(value(topic, i), got.get(i).value(), "value of record " + i);
        }
    }

    @Test
    void idempotentProducerWritesEachRecordOnce() throws Exception {
        String topic = "idempotent";
        int n = 2000;
        try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.ACKS_CONFIG, "all", "max.in.flight.requests.per.connection", 5,
                ProducerConfig.BATCH_SIZE_CONFIG, 1024))) {
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                sent.add(producer.send(new ProducerRecord<>(topic, 1, null, value(topic, i))));
            }
            producer.flush();
            Set<Long> offsets = new HashSet<>();
            for (Future<RecordMetadata> f : sent) {
                offsets.add(f.get(20, TimeUnit.SECONDS).offset());
            }
            assertEquals(n, offsets.size());
        }
        List<ConsumerRecord<byte[], byte[]>> got = readAll(topic, 1, 0, n);
        assertEquals(n, got.size());
        BrokerView.PartitionSummary p1 = broker.server().topic(topic).orElseThrow().partitions().get(1);
        assertEquals(n, p1.logEndOffset());
        assertEquals(n, p1.highWatermark());
        assertEquals(List.of(TestBroker.BROKER_ID), p1.isr());
        assertTrue(p1.sizeInBytes() > 0);
        for (int i = 0; i < n; i++) {
            assertArrayEquals(value(topic, i), got.get(i).value());
        }
    }

    @Test
    void consumerSeeksToAnOffset() throws Exception {
        String topic = "seek";
        try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of())) {
            for (int i = 0; i < 100; i++) {
                producer.send(new ProducerRecord<>(topic, 0, null, value(topic, i)));
            }
            producer.flush();
        }
        List<ConsumerRecord<byte[], byte[]>> got = readAll(topic, 0, 57, 43);
        assertEquals(57, got.get(0).offset());
        assertArrayEquals(value(topic, 99), got.get(42).value());
    }

    @Test
    void longPollAnswersAsSoonAsDataArrives() throws Exception {
        String topic = "long-poll";
        try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of());
             KafkaConsumer<byte[], byte[]> consumer = broker.consumer(Map.of(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 5000))) {
            producer.send(new ProducerRecord<>(topic, 0, null, value(topic, 0))).get(20, TimeUnit.SECONDS);
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seek(tp, 1);
            assertTrue(consumer.poll(Duration.ofMillis(300)).isEmpty()); // a fetch is now parked
            Thread sender = new Thread(() -> producer.send(new ProducerRecord<>(topic, 0, null, value(topic, 1))));
            long start = System.nanoTime();
            sender.start();
            List<ConsumerRecord<byte[], byte[]>> got = new ArrayList<>();
            while (got.isEmpty() && System.nanoTime() - start < TimeUnit.SECONDS.toNanos(20)) {
                consumer.poll(Duration.ofMillis(200)).forEach(got::add);
            }
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertEquals(1, got.size());
            assertTrue(ms < 3500, "parked fetch should be woken by the append, took " + ms + " ms");
        }
    }

    /** Reads {@code count} records of one partition starting at {@code from} (assign + seek). */
    List<ConsumerRecord<byte[], byte[]>> readAll(String topic, int partition, long from, int count) {
        List<ConsumerRecord<byte[], byte[]>> got = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = broker.consumer(Map.of(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 4096))) {
            TopicPartition tp = new TopicPartition(topic, partition);
            consumer.assign(List.of(tp));
            consumer.seek(tp, from);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (got.size() < count && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(got::add);
            }
        }
        assertEquals(count, got.size(), "records read from " + topic + "-" + partition);
        return got;
    }
}
