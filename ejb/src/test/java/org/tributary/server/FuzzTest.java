package org.tributary.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.RequestUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Thousands of random and mutated frames (seeded; {@code -Dfuzz.seed=N} to replay), then a normal
 * client must still be served and the records acknowledged before the fuzzing must be intact.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class FuzzTest {
    /** APIs a mutated frame must not reach: they would delete or reshape the data we check. */
    private static final Set<Short> DESTRUCTIVE = Set.of(ApiKeys.CREATE_TOPICS.id, ApiKeys.DELETE_TOPICS.id,
            ApiKeys.DELETE_RECORDS.id, ApiKeys.ALTER_CONFIGS.id, ApiKeys.INCREMENTAL_ALTER_CONFIGS.id, ApiKeys.CREATE_PARTITIONS.id);
    private static final int MAX_REQUEST = 1 << 20;

    @Test
    void brokerSurvivesGarbageAndKeepsAcknowledgedData() throws Exception {
        long seed = Long.getLong("fuzz.seed", 20261122L);
        Random random = new Random(seed);
        try (TestBroker broker = new TestBroker(Map.of("auto.create.topics.enable", "false",
                "socket.request.max.bytes", Integer.toString(MAX_REQUEST)))) {
            try (Admin admin = broker.admin()) {
                admin.createTopics(List.of(new NewTopic("precious", 1, (short) 1), new NewTopic("fuzz", 1, (short) 1))).all().get();
            }
            List<byte[]> acknowledged = new ArrayList<>();
            try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of(ProducerConfig.ACKS_CONFIG, "all"))) {
                for (int i = 0; i < 200; i++) {
                    byte[] v = ("precious-" + i).getBytes(StandardCharsets.UTF_8);
                    producer.send(new ProducerRecord<>("precious", 0, null, v));
                    acknowledged.add(v);
                }
                producer.flush();
            }

            List<byte[]> seeds = seeds();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            int frames = 0;
            Socket socket = null;
            OutputStream out = null;
            int onThisSocket = 0;
            while (frames < 4000 && System.nanoTime() < deadline) {
                if (socket == null || onThisSocket >= 8) {
                    closeQuietly(socket);
                    socket = new Socket("127.0.0.1", broker.port());
                    out = socket.getOutputStream();
                    onThisSocket = 0;
                }
                byte[] frame = frame(random, seeds);
                if (frame == null) {
                    continue;
                }
                frames++;
                onThisSocket++;
                try {
                    out.write(frame);
                    out.flush();
                } catch (IOException e) {
                    closeQuietly(socket); // the broker closed it: expected for bad frames
                    socket = null;
                }
            }
            closeQuietly(socket);
            assertTrue(frames >= 1000, "only " + frames + " frames sent (seed " + seed + ")");

            try (Admin admin = broker.admin()) {
                admin.createTopics(List.of(new NewTopic("after-fuzz", 1, (short) 1))).all().get();
            }
            try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of())) {
                assertEquals(0, producer.send(new ProducerRecord<>("after-fuzz", 0, null, new byte[] {42}))
                        .get(20, TimeUnit.SECONDS).offset());
            }
            try (KafkaConsumer<byte[], byte[]> consumer = broker.consumer(Map.of())) {
                TopicPartition tp = new TopicPartition("precious", 0);
                consumer.assign(List.of(tp));
                consumer.seek(tp, 0);
                List<ConsumerRecord<byte[], byte[]>> got = new ArrayList<>();
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (got.size() < acknowledged.size() && System.nanoTime() < until) {
                    consumer.poll(Duration.ofMillis(200)).forEach(got::add);
                }
                assertEquals(acknowledged.size(), got.size(), "seed " + seed);
                for (int i = 0; i < acknowledged.size(); i++) {
                    assertEquals(i, got.get(i).offset());
                    assertArrayEquals(acknowledged.get(i), got.get(i).value(), "seed " + seed);
                }
            }
        }
    }

    private static void closeQuietly(Socket s) {
        if (s != null) {
            try {
                s.close();
            } catch (IOException e) {
                // already gone
            }
        }
    }

    /** One frame: random bytes, a mutated or truncated valid request, or a bad size prefix. */
    private static byte[] frame(Random random, List<byte[]> seeds) {
        int mode = random.nextInt(10);
        byte[] payload;
        if (mode < 3) {
            payload = new byte[random.nextInt(300)];
            random.nextBytes(payload);
        } else if (mode < 8) {
            byte[] seed = seeds.get(random.nextInt(seeds.size()));
            payload = seed.clone();
            int flips = 1 + random.nextInt(6);
            for (int i = 0; i < flips && payload.length > 0; i++) {
                int at = random.nextInt(payload.length);
                payload[at] = random.nextBoolean() ? (byte) random.nextInt(256) : (byte) (payload[at] ^ (1 << random.nextInt(8)));
            }
            if (mode == 7 && payload.length > 1) {
                payload = java.util.Arrays.copyOf(payload, random.nextInt(payload.length)); // truncated body
            }
        } else if (mode == 8) {
            int size = random.nextBoolean() ? -1 - random.nextInt(1000) : MAX_REQUEST + 1 + random.nextInt(1000);
            return ByteBuffer.allocate(4).putInt(size).array();
        } else {
            byte[] seed = seeds.get(random.nextInt(seeds.size()));
            int claimed = seed.length + 1 + random.nextInt(100); // claims more than is sent: broker waits, we close
            return ByteBuffer.allocate(4 + seed.length).putInt(claimed).put(seed).array();
        }
        if (payload.length >= 2 && DESTRUCTIVE.contains(ByteBuffer.wrap(payload).getShort(0))) {
            return null;
        }
        return ByteBuffer.allocate(4 + payload.length).putInt(payload.length).put(payload).array();
    }

    private static List<byte[]> seeds() {
        List<byte[]> out = new ArrayList<>();
        out.add(request(ApiKeys.API_VERSIONS, (short) 3, new ApiVersionsRequestData().setClientSoftwareName("fuzz")
                .setClientSoftwareVersion("1")));
        out.add(request(ApiKeys.METADATA, (short) 12, new MetadataRequestData().setTopics(List.of(
                new MetadataRequestData.MetadataRequestTopic().setName("precious")))));
        ProduceRequestData produce = new ProduceRequestData().setAcks((short) 1).setTimeoutMs(1000);
        ProduceRequestData.TopicProduceData td = new ProduceRequestData.TopicProduceData().setName("fuzz");
        td.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(
                MemoryRecords.withRecords(Compression.gzip().build(), new SimpleRecord("fuzzed".getBytes(StandardCharsets.UTF_8)))));
        produce.topicData().add(td);
        out.add(request(ApiKeys.PRODUCE, (short) 9, produce));
        FetchRequestData fetch = new FetchRequestData().setMaxWaitMs(50).setMinBytes(1).setMaxBytes(65536)
                .setTopics(List.of(new FetchRequestData.FetchTopic().setTopic("precious").setPartitions(List.of(
                        new FetchRequestData.FetchPartition().setPartition(0).setFetchOffset(3).setPartitionMaxBytes(4096)))));
        out.add(request(ApiKeys.FETCH, (short) 11, fetch));
        out.add(request(ApiKeys.LIST_OFFSETS, (short) 7, new ListOffsetsRequestData().setReplicaId(-1).setTopics(List.of(
                new ListOffsetsRequestData.ListOffsetsTopic().setName("precious").setPartitions(List.of(
                        new ListOffsetsRequestData.ListOffsetsPartition().setPartitionIndex(0).setTimestamp(-2L)))))));
        return out;
    }

    private static byte[] request(ApiKeys key, short version, ApiMessage body) {
        RequestHeader header = new RequestHeader(key, version, "fuzz", 1);
        ByteBuffer b = RequestUtils.serialize(header.data(), header.headerVersion(), body, version);
        byte[] a = new byte[b.remaining()];
        b.get(a);
        return a;
    }
}
