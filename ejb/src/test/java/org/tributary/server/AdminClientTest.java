package org.tributary.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/** The AdminClient against one in-process broker: topics, configs, offsets. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AdminClientTest {
    private TestBroker broker;
    private Admin admin;

    @BeforeAll
    void start() throws Exception {
        broker = new TestBroker(java.util.Map.of("log.retention.bytes", "123456789"));
        admin = broker.admin();
    }

    @AfterAll
    void stop() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
        }
        if (broker != null) {
            broker.close();
        }
    }

    private static Throwable cause(ExecutionException e) {
        return e.getCause();
    }

    @Test
    void topicLifecycle() throws Exception {
        admin.createTopics(List.of(new NewTopic("life", 3, (short) 1).configs(Map.of("retention.ms", "123456")))).all().get();
        TopicDescription d = admin.describeTopics(List.of("life")).allTopicNames().get().get("life");
        assertEquals(3, d.partitions().size());
        assertNotEquals(Uuid.ZERO_UUID, d.topicId());
        d.partitions().forEach(p -> {
            assertEquals(TestBroker.BROKER_ID, p.leader().id());
            assertEquals(1, p.replicas().size());
            assertEquals(1, p.isr().size());
        });
        assertTrue(admin.listTopics().names().get().contains("life"));

        admin.createPartitions(Map.of("life", NewPartitions.increaseTo(5))).all().get();
        assertEquals(5, admin.describeTopics(List.of("life")).allTopicNames().get().get("life").partitions().size());
        ExecutionException shrink = assertThrows(ExecutionException.class,
                () -> admin.createPartitions(Map.of("life", NewPartitions.increaseTo(2))).all().get());
        assertInstanceOf(InvalidPartitionsException.class, cause(shrink));

        admin.deleteTopics(List.of("life")).all().get();
        assertFalse(admin.listTopics().names().get().contains("life"));
        ExecutionException gone = assertThrows(ExecutionException.class,
                () -> admin.describeTopics(List.of("life")).allTopicNames().get());
        assertInstanceOf(UnknownTopicOrPartitionException.class, cause(gone));
    }

    @Test
    void createTopicErrorsSayWhy() throws Exception {
        admin.createTopics(List.of(new NewTopic("exists", 1, (short) 1))).all().get();
        ExecutionException e1 = assertThrows(ExecutionException.class,
                () -> admin.createTopics(List.of(new NewTopic("exists", 1, (short) 1))).all().get());
        assertInstanceOf(TopicExistsException.class, cause(e1));
        ExecutionException e2 = assertThrows(ExecutionException.class,
                () -> admin.createTopics(List.of(new NewTopic("rf3", 1, (short) 3))).all().get());
        assertInstanceOf(InvalidReplicationFactorException.class, cause(e2));
        ExecutionException e3 = assertThrows(ExecutionException.class,
                () -> admin.createTopics(List.of(new NewTopic("badcfg", 1, (short) 1).configs(Map.of("retention.ms", "soon"))))
                        .all().get());
        assertInstanceOf(InvalidConfigurationException.class, cause(e3));
        assertTrue(cause(e3).getMessage().contains("retention.ms"), cause(e3).getMessage());
        ExecutionException e4 = assertThrows(ExecutionException.class,
                () -> admin.createTopics(List.of(new NewTopic("bad/name", 1, (short) 1))).all().get());
        assertInstanceOf(InvalidTopicException.class, cause(e4));

        admin.createTopics(List.of(new NewTopic("validated", 2, (short) 1)), new CreateTopicsOptions().validateOnly(true)).all().get();
        assertFalse(admin.listTopics().names().get().contains("validated"));
    }

    @Test
    void validAndInvalidTopicsOfOneRequestGetTheirOwnResultsFromOneControllerRequest() throws Exception {
        admin.createTopics(List.of(new NewTopic("mixed-exists", 1, (short) 1))).all().get();
        org.tributary.controller.ControllerServer controller = broker.broker().metadata().controller();
        short key = org.apache.kafka.common.protocol.ApiKeys.CREATE_TOPICS.id;
        long requests = controller.requestsDecided(key);
        long entries = controller.entriesWritten(key);
        org.apache.kafka.clients.admin.CreateTopicsResult r = admin.createTopics(List.of(new NewTopic("mixed-a", 2, (short) 1),
                new NewTopic("mixed/bad", 1, (short) 1), new NewTopic("mixed-exists", 1, (short) 1), new NewTopic("mixed-rf", 1, (short) 3),
                new NewTopic("mixed-cfg", 1, (short) 1).configs(Map.of("retention.ms", "soon")), new NewTopic("mixed-b", 3, (short) 1)));
        assertEquals(2, r.numPartitions("mixed-a").get());
        assertEquals(3, r.numPartitions("mixed-b").get());
        assertNotEquals(Uuid.ZERO_UUID, r.topicId("mixed-b").get());
        assertInstanceOf(InvalidTopicException.class, cause(assertThrows(ExecutionException.class, () -> r.values().get("mixed/bad").get())));
        assertInstanceOf(TopicExistsException.class, cause(assertThrows(ExecutionException.class,
                () -> r.values().get("mixed-exists").get())));
        assertInstanceOf(InvalidReplicationFactorException.class, cause(assertThrows(ExecutionException.class,
                () -> r.values().get("mixed-rf").get())));
        assertInstanceOf(InvalidConfigurationException.class, cause(assertThrows(ExecutionException.class,
                () -> r.values().get("mixed-cfg").get())));
        assertEquals(requests + 1, controller.requestsDecided(key), "the topics that passed the broker's checks went as one request");
        assertEquals(entries + 1, controller.entriesWritten(key), "and were written as one entry");
        assertTrue(admin.listTopics().names().get().containsAll(List.of("mixed-a", "mixed-b")));
        assertFalse(admin.listTopics().names().get().contains("mixed-rf"));
    }

    @Test
    void configsDescribeAndAlter() throws Exception {
        admin.createTopics(List.of(new NewTopic("cfg", 1, (short) 1).configs(Map.of("retention.ms", "3600000")))).all().get();
        ConfigResource res = new ConfigResource(ConfigResource.Type.TOPIC, "cfg");
        Config c = admin.describeConfigs(List.of(res)).all().get().get(res);
        assertEquals("3600000", c.get("retention.ms").value());
        assertEquals(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG, c.get("retention.ms").source());
        assertEquals(ConfigEntry.ConfigSource.DEFAULT_CONFIG, c.get("cleanup.policy").source());
        assertEquals("123456789", c.get("retention.bytes").value(), "broker log.* settings are topic defaults");
        assertEquals(ConfigEntry.ConfigSource.STATIC_BROKER_CONFIG, c.get("retention.bytes").source());

        admin.incrementalAlterConfigs(Map.of(res, List.of(
                new AlterConfigOp(new ConfigEntry("max.message.bytes", "2000000"), AlterConfigOp.OpType.SET),
                new AlterConfigOp(new ConfigEntry("retention.ms", ""), AlterConfigOp.OpType.DELETE)))).all().get();
        c = admin.describeConfigs(List.of(res)).all().get().get(res);
        assertEquals("2000000", c.get("max.message.bytes").value());
        assertEquals(ConfigEntry.ConfigSource.DEFAULT_CONFIG, c.get("retention.ms").source());

        ExecutionException bad = assertThrows(ExecutionException.class, () -> admin.incrementalAlterConfigs(Map.of(res, List.of(
                new AlterConfigOp(new ConfigEntry("segment.bytes", "tiny"), AlterConfigOp.OpType.SET)))).all().get());
        assertInstanceOf(InvalidConfigurationException.class, cause(bad));

        try (RawClient raw = new RawClient(broker.port())) {
            org.apache.kafka.common.requests.AlterConfigsResponse legacy = raw.send(new org.apache.kafka.common.requests.AlterConfigsRequest.Builder(
                    Map.of(res, new org.apache.kafka.common.requests.AlterConfigsRequest.Config(List.of(
                            new org.apache.kafka.common.requests.AlterConfigsRequest.ConfigEntry("retention.bytes", "1048576")))),
                    false).build((short) 2));
            assertEquals(0, legacy.data().responses().get(0).errorCode(), legacy.data().responses().get(0).errorMessage());
        }
        c = admin.describeConfigs(List.of(res)).all().get().get(res);
        assertEquals("1048576", c.get("retention.bytes").value());
        assertEquals(ConfigEntry.ConfigSource.DEFAULT_CONFIG, c.get("max.message.bytes").source(), "legacy alter replaces all");

        ConfigResource brokerRes = new ConfigResource(ConfigResource.Type.BROKER, Integer.toString(TestBroker.BROKER_ID));
        Config b = admin.describeConfigs(List.of(brokerRes)).all().get().get(brokerRes);
        assertTrue(b.get("listeners").value().startsWith("PLAINTEXT://127.0.0.1:"));
    }

    @Test
    void listOffsetsAndDeleteRecords() throws Exception {
        String topic = "offsets";
        long t0 = System.currentTimeMillis() - 100_000;
        try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of())) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>(topic, 0, t0 + i * 1000L, null, ("v" + i).getBytes(StandardCharsets.UTF_8)))
                        .get(20, TimeUnit.SECONDS);
            }
        }
        TopicPartition tp = new TopicPartition(topic, 0);
        assertEquals(0, offset(tp, OffsetSpec.earliest()).offset());
        assertEquals(10, offset(tp, OffsetSpec.latest()).offset());
        assertEquals(5, offset(tp, OffsetSpec.forTimestamp(t0 + 4500)).offset());
        ListOffsetsResult.ListOffsetsResultInfo max = offset(tp, OffsetSpec.maxTimestamp());
        assertEquals(9, max.offset());
        assertEquals(t0 + 9000, max.timestamp());
        assertEquals(Optional.of(0), offset(tp, OffsetSpec.latest()).leaderEpoch());

        long low = admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(4))).lowWatermarks().get(tp).get().lowWatermark();
        assertEquals(4, low);
        assertEquals(4, offset(tp, OffsetSpec.earliest()).offset());
        try (KafkaConsumer<byte[], byte[]> consumer = broker.consumer(Map.of())) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            ConsumerRecord<byte[], byte[]> first = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (first == null && System.nanoTime() < deadline) {
                var recs = consumer.poll(Duration.ofMillis(200));
                if (!recs.isEmpty()) {
                    first = recs.iterator().next();
                }
            }
            assertEquals(4, first.offset());
        }
    }

    private ListOffsetsResult.ListOffsetsResultInfo offset(TopicPartition tp, OffsetSpec spec) throws Exception {
        return admin.listOffsets(Map.of(tp, spec)).partitionResult(tp).get();
    }

    @Test
    void describeCluster() throws Exception {
        DescribeClusterResult c = admin.describeCluster();
        assertEquals(TestBroker.CLUSTER_ID, c.clusterId().get());
        assertEquals(TestBroker.BROKER_ID, c.controller().get().id());
        assertEquals(1, c.nodes().get().size());
        assertEquals(broker.port(), c.nodes().get().iterator().next().port());
    }
}
