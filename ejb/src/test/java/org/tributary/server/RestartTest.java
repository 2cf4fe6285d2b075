package org.tributary.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.InitProducerIdRequest;
import org.apache.kafka.common.requests.InitProducerIdResponse;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Close and re-create the broker on the same data directory: data, topics and producer state come back. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class RestartTest {

    private static ProduceResponse produce(RawClient c, String topic, MemoryRecords records) throws Exception {
        ProduceRequestData data = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(5000);
        ProduceRequestData.TopicProduceData td = new ProduceRequestData.TopicProduceData().setName(topic);
        td.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(records));
        data.topicData().add(td);
        return c.send(new ProduceRequest.Builder((short) 9, (short) 9, data).build((short) 9));
    }

    private static SimpleRecord rec(String v) {
        return new SimpleRecord(v.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void everythingComesBackAfterARestart() throws Exception {
        try (TestBroker broker = new TestBroker()) {
            Uuid topicId;
            try (Admin admin = broker.admin()) {
                admin.createTopics(List.of(new NewTopic("kept", 2, (short) 1).configs(Map.of("retention.ms", "86400000")))).all().get();
                topicId = admin.describeTopics(List.of("kept")).allTopicNames().get().get("kept").topicId();
            }
            try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of(ProducerConfig.ACKS_CONFIG, "all",
                    ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4"))) {
                for (int i = 0; i < 500; i++) {
                    producer.send(new ProducerRecord<>("kept", i % 2, null, ("r" + i).getBytes(StandardCharsets.UTF_8)));
                }
                producer.flush();
            }
            long pid;
            try (RawClient c = new RawClient(broker.port())) {
                InitProducerIdResponse init = c.send(new InitProducerIdRequest.Builder(new InitProducerIdRequestData().setTransactionalId(null)
                        .setTransactionTimeoutMs(60000)).build((short) 4));
                pid = init.data().producerId();
                assertEquals(0, produce(c, "idem", MemoryRecords.withIdempotentRecords(Compression.NONE, pid, (short) 0, 0,
                        rec("a"), rec("b"))).data().responses().iterator().next().partitionResponses().get(0).errorCode());
            }

            broker.restart();

            try (Admin admin = broker.admin()) {
                TopicDescription d = admin.describeTopics(List.of("kept")).allTopicNames().get().get("kept");
                assertEquals(topicId, d.topicId());
                assertEquals(2, d.partitions().size());
                ConfigResource res = new ConfigResource(ConfigResource.Type.TOPIC, "kept");
                Config c = admin.describeConfigs(List.of(res)).all().get().get(res);
                assertEquals("86400000", c.get("retention.ms").value());
            }
            List<String> values = new ArrayList<>();
            try (KafkaConsumer<byte[], byte[]> consumer = broker.consumer(Map.of())) {
                List<TopicPartition> tps = List.of(new TopicPartition("kept", 0), new TopicPartition("kept", 1));
                consumer.assign(tps);
                consumer.seekToBeginning(tps);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (values.size() < 500 && System.nanoTime() < deadline) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                        values.add(new String(r.value(), StandardCharsets.UTF_8));
                    }
                }
            }
            assertEquals(500, values.size());
            assertEquals(500, values.stream().distinct().count());

            try (RawClient c = new RawClient(broker.port())) {
                ProduceResponse dup = produce(c, "idem", MemoryRecords.withIdempotentRecords(Compression.NONE, pid, (short) 0, 0,
                        rec("a"), rec("b")));
                var pr = dup.data().responses().iterator().next().partitionResponses().get(0);
                assertEquals(0, pr.errorCode());
                assertEquals(0, pr.baseOffset(), "the retried batch is recognized after the restart");
                ProduceResponse gap = produce(c, "idem", MemoryRecords.withIdempotentRecords(Compression.NONE, pid, (short) 0, 5,
                        rec("x")));
                assertEquals(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER.code(),
                        gap.data().responses().iterator().next().partitionResponses().get(0).errorCode());
                InitProducerIdResponse init = c.send(new InitProducerIdRequest.Builder(new InitProducerIdRequestData().setTransactionalId(null)
                        .setTransactionTimeoutMs(60000)).build((short) 4));
                assertEquals(true, init.data().producerId() > pid, "producer ids are not reused after a restart");
            }
            broker.restart(() -> {
                TestBroker.deleteTree(broker.dataDir().resolve("producer-state")); // the single-file layout's
                try (var files = java.nio.file.Files.walk(broker.dataDir().resolve("logs"))) { // the per-segment snapshots
                    for (java.nio.file.Path f : files.filter(p -> p.getFileName().toString().matches("\\d{20}\\.snapshot")).toList()) {
                        java.nio.file.Files.delete(f);
                    }
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            try (RawClient c = new RawClient(broker.port())) {
                ProduceResponse dup = produce(c, "idem", MemoryRecords.withIdempotentRecords(Compression.NONE, pid, (short) 0, 0,
                        rec("a"), rec("b")));
                var pr = dup.data().responses().iterator().next().partitionResponses().get(0);
                assertEquals(0, pr.baseOffset(), "without snapshots the state is rebuilt from the log");
            }
            try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of())) {
                assertEquals(250, producer.send(new ProducerRecord<>("kept", 0, null, new byte[] {1})).get(20, TimeUnit.SECONDS).offset());
            }
            assertArrayEquals(new byte[0], new byte[0]);
        }
    }
}
