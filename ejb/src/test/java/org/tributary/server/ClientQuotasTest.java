package org.tributary.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import kafka.admin.ConfigCommand;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.quota.ClientQuotaAlteration;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.apache.kafka.common.quota.ClientQuotaFilter;
import org.apache.kafka.common.quota.ClientQuotaFilterComponent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.tributary.testkit.KafkaTools;

/**
 * Client quotas with Kafka's own clients and kafka-configs: set and described through the admin
 * APIs, kept across a restart, and enforced: a producer and a consumer going as fast as they can
 * are held to their byte rates by throttling, and nothing is lost or duplicated.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClientQuotasTest {
    private TestBroker broker;

    @BeforeAll
    void start() throws Exception {
        broker = new TestBroker();
    }

    @AfterAll
    void stop() {
        broker.close();
    }

    private String configs(String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "--bootstrap-server";
        all[1] = broker.bootstrap();
        System.arraycopy(args, 0, all, 2, args.length);
        return KafkaTools.run("kafka-configs", ConfigCommand::main, all);
    }

    private static ClientQuotaEntity client(String id) {
        return new ClientQuotaEntity(java.util.Collections.singletonMap(ClientQuotaEntity.CLIENT_ID, id));
    }

    @Test
    @Timeout(120)
    void quotasAreSetDescribedFilteredRefusedAndKeptAcrossARestart() throws Exception {
        String out = configs("--alter", "--entity-type", "clients", "--entity-name", "reports",
                "--add-config", "producer_byte_rate=1048576,consumer_byte_rate=2097152");
        assertTrue(out.contains("Completed updating config for client reports"), out);
        out = configs("--alter", "--entity-type", "clients", "--entity-default", "--add-config", "request_percentage=200");
        assertTrue(out.contains("Completed updating default config for clients"), out);
        out = configs("--describe", "--entity-type", "clients", "--entity-name", "reports");
        assertTrue(out.contains("producer_byte_rate=1048576.0") && out.contains("consumer_byte_rate=2097152.0"), out);

        try (Admin admin = broker.admin()) {
            ClientQuotaEntity alice = new ClientQuotaEntity(Map.of(ClientQuotaEntity.USER, "alice", ClientQuotaEntity.CLIENT_ID, "app"));
            admin.alterClientQuotas(List.of(new ClientQuotaAlteration(alice,
                    List.of(new ClientQuotaAlteration.Op("producer_byte_rate", 4096.0))))).all().get(30, TimeUnit.SECONDS);
            Map<ClientQuotaEntity, Map<String, Double>> all = admin.describeClientQuotas(ClientQuotaFilter.all()).entities().get();
            assertEquals(3, all.size(), all.toString());
            assertEquals(Map.of("request_percentage", 200.0), all.get(client(null)));
            // only entities with exactly a client id
            Map<ClientQuotaEntity, Map<String, Double>> clientsOnly = admin.describeClientQuotas(ClientQuotaFilter.containsOnly(
                    List.of(ClientQuotaFilterComponent.ofEntityType(ClientQuotaEntity.CLIENT_ID)))).entities().get();
            assertEquals(Set.of(client("reports"), client(null)), clientsOnly.keySet());
            // entities naming user alice, whatever else they name
            Map<ClientQuotaEntity, Map<String, Double>> ofAlice = admin.describeClientQuotas(ClientQuotaFilter.contains(
                    List.of(ClientQuotaFilterComponent.ofEntity(ClientQuotaEntity.USER, "alice")))).entities().get();
            assertEquals(Map.of(alice, Map.of("producer_byte_rate", 4096.0)), ofAlice);

            // refused: a key that does not exist, a fractional byte rate; nothing of them is written
            ExecutionException e = assertThrows(ExecutionException.class, () -> admin.alterClientQuotas(List.of(
                    new ClientQuotaAlteration(client("x"), List.of(new ClientQuotaAlteration.Op("bytes_per_fortnight", 1.0))))).all().get());
            assertInstanceOf(InvalidRequestException.class, e.getCause());
            e = assertThrows(ExecutionException.class, () -> admin.alterClientQuotas(List.of(
                    new ClientQuotaAlteration(client("x"), List.of(new ClientQuotaAlteration.Op("producer_byte_rate", 10.5))))).all().get());
            assertInstanceOf(InvalidRequestException.class, e.getCause());
        }
        broker.restart();
        try (Admin admin = broker.admin()) {
            Map<ClientQuotaEntity, Map<String, Double>> all = admin.describeClientQuotas(ClientQuotaFilter.all()).entities()
                    .get(30, TimeUnit.SECONDS);
            assertEquals(3, all.size(), "quotas survive a restart: " + all);
            // removing them all leaves nothing enforced
            configs("--alter", "--entity-type", "clients", "--entity-name", "reports", "--delete-config",
                    "producer_byte_rate,consumer_byte_rate");
            configs("--alter", "--entity-type", "clients", "--entity-default", "--delete-config", "request_percentage");
            admin.alterClientQuotas(List.of(new ClientQuotaAlteration(new ClientQuotaEntity(Map.of(ClientQuotaEntity.USER, "alice",
                    ClientQuotaEntity.CLIENT_ID, "app")), List.of(new ClientQuotaAlteration.Op("producer_byte_rate", null)))))
                    .all().get(30, TimeUnit.SECONDS);
            assertEquals(Map.of(), admin.describeClientQuotas(ClientQuotaFilter.all()).entities().get());
        }
    }

    private void setQuota(String clientId, String key, Double value) throws Exception {
        try (Admin admin = broker.admin()) {
            admin.alterClientQuotas(List.of(new ClientQuotaAlteration(client(clientId),
                    List.of(new ClientQuotaAlteration.Op(key, value))))).all().get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    @Timeout(180)
    void aProducerAsFastAsItCanIsHeldToItsByteRateWithNothingLost() throws Exception {
        String topic = "throttled-produce";
        double rate = 1024 * 1024;
        try (Admin admin = broker.admin()) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        setQuota("fast-producer", "producer_byte_rate", rate);
        AtomicLong ackedBytes = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        Set<Long> acked = java.util.concurrent.ConcurrentHashMap.newKeySet();
        byte[] value = new byte[1000];
        long seconds = 30;
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(seconds);
        try (KafkaProducer<byte[], byte[]> p = broker.producer(Map.of(ProducerConfig.CLIENT_ID_CONFIG, "fast-producer",
                ProducerConfig.BUFFER_MEMORY_CONFIG, 256 * 1024, ProducerConfig.BATCH_SIZE_CONFIG, 32 * 1024,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000, ProducerConfig.MAX_BLOCK_MS_CONFIG, 60_000,
                ProducerConfig.ACKS_CONFIG, "all"))) {
            long seq = 0;
            while (System.nanoTime() < end) {
                long n = seq++;
                byte[] key = Long.toString(n).getBytes();
                p.send(new ProducerRecord<>(topic, key, value), (md, ex) -> {
                    if (ex != null) {
                        failed.incrementAndGet();
                    } else {
                        acked.add(n);
                        if (System.nanoTime() <= end) {
                            ackedBytes.addAndGet(value.length + key.length);
                        }
                    }
                });
            }
            p.flush();
        }
        double observed = ackedBytes.get() / (double) seconds;
        System.out.printf("quota: producer held to %.0f B/s for a quota of %.0f B/s (%.1f %%), %d records acknowledged%n", observed,
                rate, 100 * observed / rate, acked.size());
        assertEquals(0, failed.get(), "no send failed");
        assertTrue(observed > rate * 0.8 && observed < rate * 1.2, "within 20 % of the quota: " + observed);

        // nothing acknowledged is missing, nothing is there twice
        setQuota("fast-producer", "producer_byte_rate", null);
        Set<Long> seen = new HashSet<>();
        try (KafkaConsumer<byte[], byte[]> c = broker.consumer(Map.of())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long endOffset = c.endOffsets(List.of(tp)).get(tp);
            while (c.position(tp) < endOffset) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(java.time.Duration.ofSeconds(1))) {
                    assertTrue(seen.add(Long.parseLong(new String(r.key()))), "duplicate record " + new String(r.key()));
                }
            }
        }
        assertTrue(seen.containsAll(acked), "every acknowledged record is in the log");
    }

    @Test
    @Timeout(180)
    void aConsumerAsFastAsItCanIsHeldToItsByteRateAndReadsEverythingOnce() throws Exception {
        String topic = "throttled-fetch";
        int records = 6000;
        byte[] value = new byte[1000];
        try (Admin admin = broker.admin()) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        try (KafkaProducer<byte[], byte[]> p = broker.producer(Map.of())) {
            for (int i = 0; i < records; i++) {
                p.send(new ProducerRecord<>(topic, Integer.toString(i).getBytes(), value));
            }
            p.flush();
        }
        double rate = 256 * 1024;
        setQuota("slow-reader", "consumer_byte_rate", rate);
        Set<Integer> seen = new HashSet<>();
        long bytes = 0;
        long start = System.nanoTime();
        try (KafkaConsumer<byte[], byte[]> c = broker.consumer(Map.of(ConsumerConfig.CLIENT_ID_CONFIG, "slow-reader",
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 64 * 1024))) {
            TopicPartition tp = new TopicPartition(topic, 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            while (seen.size() < records) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(java.time.Duration.ofSeconds(1))) {
                    assertTrue(seen.add(Integer.parseInt(new String(r.key()))), "record read twice");
                    bytes += r.serializedValueSize() + r.serializedKeySize();
                }
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double observed = bytes / seconds;
        System.out.printf("quota: consumer read %d bytes in %.1f s: %.0f B/s for a quota of %.0f B/s (%.1f %%)%n", bytes, seconds,
                observed, rate, 100 * observed / rate);
        assertTrue(observed > rate * 0.8 && observed < rate * 1.2, "within 20 % of the quota: " + observed);
        setQuota("slow-reader", "consumer_byte_rate", null);
    }

    /**
     * As in Kafka, one fetch answer is never larger than what the client's quota window can take
     * (the byte rate over quota.window.num - 1 windows): a consumer asking for 50 MB at once from an
     * idle start gets at most that (plus at most one batch, KIP-74), then the rest in later fetches.
     */
    @Test
    @Timeout(120)
    void oneFetchAnswerIsCappedAtWhatTheQuotaWindowCanTake() throws Exception {
        String topic = "quota-window";
        byte[] value = new byte[1000];
        try (Admin admin = broker.admin()) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        // one record a batch, 200 batches of about 1.1 KB: 220 KB in the partition
        try (KafkaProducer<byte[], byte[]> p = broker.producer(Map.of(ProducerConfig.BATCH_SIZE_CONFIG, "1",
                ProducerConfig.LINGER_MS_CONFIG, "0"))) {
            for (int i = 0; i < 200; i++) {
                p.send(new ProducerRecord<>(topic, value)).get(10, TimeUnit.SECONDS);
            }
        }
        try (RawClient raw = new RawClient(broker.port())) {
            assertTrue(fetchBytes(raw, topic) > 200_000, "without a quota one fetch takes the whole partition");
            // 2,000 B/s with 11 samples of 1 s: at most 2,000 x 10 = 20,000 bytes an answer
            setQuota("raw-test", "consumer_byte_rate", 2000.0);
            long capped = fetchBytes(raw, topic);
            for (long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10); capped > 200_000 && System.nanoTime() < deadline; ) {
                capped = fetchBytes(raw, topic); // until the quota has reached the broker's metadata
            }
            assertTrue(capped > 0 && capped <= 20_000 + 1_200, "capped at the quota window (one batch over at most): " + capped);
        } finally {
            setQuota("raw-test", "consumer_byte_rate", null);
        }
    }

    /** One full fetch of partition 0 from offset 0 asking for 50 MB; the bytes of records answered. */
    private static long fetchBytes(RawClient raw, String topic) throws java.io.IOException {
        org.apache.kafka.common.message.FetchRequestData data = new org.apache.kafka.common.message.FetchRequestData()
                .setReplicaId(-1).setMaxWaitMs(0).setMinBytes(0).setMaxBytes(50 << 20).setSessionId(0).setSessionEpoch(-1);
        data.topics().add(new org.apache.kafka.common.message.FetchRequestData.FetchTopic().setTopic(topic).setPartitions(List.of(
                new org.apache.kafka.common.message.FetchRequestData.FetchPartition().setPartition(0).setFetchOffset(0)
                        .setPartitionMaxBytes(50 << 20).setCurrentLeaderEpoch(-1))));
        org.apache.kafka.common.requests.FetchResponse r = raw.send(new org.apache.kafka.common.requests.FetchRequest(data, (short) 12));
        org.apache.kafka.common.message.FetchResponseData.PartitionData pd = r.data().responses().get(0).partitions().get(0);
        assertEquals(0, pd.errorCode());
        return ((org.apache.kafka.common.record.internal.Records) pd.records()).sizeInBytes();
    }
}
