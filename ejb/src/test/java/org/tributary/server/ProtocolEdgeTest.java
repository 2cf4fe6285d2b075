package org.tributary.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.InitProducerIdRequest;
import org.apache.kafka.common.requests.InitProducerIdResponse;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochRequest;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/** Raw frames: version negotiation, error codes, idempotence rules, connection-closing input. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProtocolEdgeTest {
    static final Set<Short> IMPLEMENTED = Set.of(ApiKeys.API_VERSIONS.id, ApiKeys.SASL_HANDSHAKE.id, ApiKeys.SASL_AUTHENTICATE.id,
            ApiKeys.METADATA.id, ApiKeys.DESCRIBE_CLUSTER.id, ApiKeys.DESCRIBE_QUORUM.id,
            ApiKeys.CREATE_ACLS.id, ApiKeys.DESCRIBE_ACLS.id, ApiKeys.DELETE_ACLS.id, // advertised as Kafka does, SECURITY_DISABLED without an authorizer
            ApiKeys.PRODUCE.id, ApiKeys.FETCH.id, ApiKeys.LIST_OFFSETS.id, ApiKeys.DELETE_RECORDS.id,
            ApiKeys.OFFSET_FOR_LEADER_EPOCH.id, ApiKeys.CREATE_TOPICS.id, ApiKeys.DELETE_TOPICS.id,
            ApiKeys.CREATE_PARTITIONS.id, ApiKeys.DESCRIBE_CONFIGS.id, ApiKeys.ALTER_CONFIGS.id,
            ApiKeys.INCREMENTAL_ALTER_CONFIGS.id, ApiKeys.INIT_PRODUCER_ID.id,
            ApiKeys.FIND_COORDINATOR.id, ApiKeys.JOIN_GROUP.id, ApiKeys.SYNC_GROUP.id, ApiKeys.HEARTBEAT.id, ApiKeys.LEAVE_GROUP.id,
            ApiKeys.OFFSET_COMMIT.id, ApiKeys.OFFSET_FETCH.id, ApiKeys.OFFSET_DELETE.id, ApiKeys.LIST_GROUPS.id,
            ApiKeys.DESCRIBE_GROUPS.id, ApiKeys.DELETE_GROUPS.id, ApiKeys.ELECT_LEADERS.id,
            ApiKeys.ALTER_PARTITION_REASSIGNMENTS.id, ApiKeys.LIST_PARTITION_REASSIGNMENTS.id,
            ApiKeys.DESCRIBE_LOG_DIRS.id, ApiKeys.DESCRIBE_CLIENT_QUOTAS.id, ApiKeys.ALTER_CLIENT_QUOTAS.id,
            ApiKeys.DESCRIBE_USER_SCRAM_CREDENTIALS.id, ApiKeys.ALTER_USER_SCRAM_CREDENTIALS.id,
            ApiKeys.WRITE_TXN_MARKERS.id, ApiKeys.DESCRIBE_PRODUCERS.id,
            ApiKeys.ADD_PARTITIONS_TO_TXN.id, ApiKeys.ADD_OFFSETS_TO_TXN.id, ApiKeys.END_TXN.id, ApiKeys.DESCRIBE_TRANSACTIONS.id,
            ApiKeys.LIST_TRANSACTIONS.id, ApiKeys.TXN_OFFSET_COMMIT.id, ApiKeys.ADD_RAFT_VOTER.id, ApiKeys.REMOVE_RAFT_VOTER.id);

    private TestBroker broker;

    @BeforeAll
    void start() throws Exception {
        broker = new TestBroker(Map.of("socket.request.max.bytes", "65536", "auto.create.topics.enable", "true"));
    }

    @AfterAll
    void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void apiVersionsAdvertisesExactlyTheImplementedApis() throws Exception {
        try (RawClient c = new RawClient(broker.port())) {
            ApiVersionsResponse r = c.send(new ApiVersionsRequest.Builder().build((short) 4));
            assertEquals(0, r.data().errorCode());
            Set<Short> keys = r.data().apiKeys().stream().map(ApiVersionsResponseData.ApiVersion::apiKey).collect(Collectors.toSet());
            assertEquals(new TreeSet<>(IMPLEMENTED), new TreeSet<>(keys));
            assertNull(r.data().apiKeys().find(ApiKeys.CONSUMER_GROUP_HEARTBEAT.id), "the KIP-848 group protocol is not implemented");
        }
    }

    @Test
    void unknownApiVersionsVersionGetsTheV0Fallback() throws Exception {
        try (RawClient c = new RawClient(broker.port())) {
            ByteBuffer frame = ByteBuffer.allocate(64);
            frame.putShort(ApiKeys.API_VERSIONS.id).putShort((short) 99).putInt(7);
            byte[] client = "future".getBytes(StandardCharsets.UTF_8);
            frame.putShort((short) client.length).put(client).put((byte) 0); // header v2: client id + no tags
            frame.put(new byte[] {3, 'x', 'y', 2, '1', 0}); // a body this broker cannot know
            frame.flip();
            c.writeFrame(frame);
            ByteBuffer resp = c.readFrame();
            assertEquals(7, resp.getInt());
            ApiVersionsResponse r = ApiVersionsResponse.parse(new ByteBufferAccessor(resp), (short) 0);
            assertEquals(Errors.UNSUPPORTED_VERSION.code(), r.data().errorCode());
            assertNotNull(r.data().apiKeys().find(ApiKeys.PRODUCE.id));
        }
    }

    @Test
    void unimplementedApiGetsUnsupportedVersion() throws Exception {
        try (RawClient c = new RawClient(broker.port())) {
            org.apache.kafka.common.requests.ConsumerGroupHeartbeatResponse r = c.send(
                    new org.apache.kafka.common.requests.ConsumerGroupHeartbeatRequest.Builder(
                            new org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData().setGroupId("g").setMemberId("m")
                                    .setMemberEpoch(0).setRebalanceTimeoutMs(10000).setSubscribedTopicNames(java.util.List.of("t")))
                            .build((short) 0));
            assertEquals(Errors.UNSUPPORTED_VERSION.code(), r.data().errorCode());
            // the connection keeps working
            ApiVersionsResponse ok = c.send(new ApiVersionsRequest.Builder().build((short) 3));
            assertEquals(0, ok.data().errorCode());
        }
    }

    @Test
    void metadataReportsUnknownAndInvalidTopics() throws Exception {
        try (RawClient c = new RawClient(broker.port())) {
            MetadataResponse r = c.send(new MetadataRequest.Builder(new MetadataRequestData()
                    .setTopics(List.of(new MetadataRequestData.MetadataRequestTopic().setName("no-such-topic"),
                            new MetadataRequestData.MetadataRequestTopic().setName("bad name!")))
                    .setAllowAutoTopicCreation(false)).build((short) 12));
            assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION.code(), r.data().topics().find("no-such-topic").errorCode());
            assertEquals(Errors.INVALID_TOPIC_EXCEPTION.code(), r.data().topics().find("bad name!").errorCode());
            assertEquals(TestBroker.CLUSTER_ID, r.data().clusterId());

            MetadataResponse auto = c.send(new MetadataRequest.Builder(new MetadataRequestData()
                    .setTopics(List.of(new MetadataRequestData.MetadataRequestTopic().setName("auto-made"),
                            new MetadataRequestData.MetadataRequestTopic().setName("__consumer_offsets")))
                    .setAllowAutoTopicCreation(true)).build((short) 12));
            var made = auto.data().topics().find("auto-made");
            assertEquals(0, made.errorCode());
            assertEquals(1, made.partitions().size());
            assertEquals(TestBroker.BROKER_ID, made.partitions().get(0).leaderId());
            assertEquals(List.of(TestBroker.BROKER_ID), made.partitions().get(0).isrNodes());
            assertEquals(0, made.partitions().get(0).leaderEpoch());
            assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION.code(), auto.data().topics().find("__consumer_offsets").errorCode(),
                    "internal topics are not auto-created with plain defaults");
        }
    }

    private static ProduceRequest produce(String topic, MemoryRecords records, short version) {
        ProduceRequestData data = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(5000);
        ProduceRequestData.TopicProduceData td = new ProduceRequestData.TopicProduceData().setName(topic);
        td.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(records));
        data.topicData().add(td);
        return new ProduceRequest.Builder(version, version, data).build(version);
    }

    private static ProduceResponseData.PartitionProduceResponse partitionResult(ProduceResponse r) {
        return r.data().responses().iterator().next().partitionResponses().get(0);
    }

    private static SimpleRecord rec(String v) {
        return new SimpleRecord(v.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void idempotenceDuplicatesGapsAndFencedEpochs() throws Exception {
        try (RawClient c = new RawClient(broker.port())) {
            InitProducerIdResponse init = c.send(new InitProducerIdRequest.Builder(new InitProducerIdRequestData()
                    .setTransactionalId(null).setTransactionTimeoutMs(60000)).build((short) 4));
            assertEquals(0, init.data().errorCode());
            long pid = init.data().producerId();
            InitProducerIdResponse init2 = c.send(new InitProducerIdRequest.Builder(new InitProducerIdRequestData()
                    .setTransactionalId(null).setTransactionTimeoutMs(60000)).build((short) 4));
            assertTrue(init2.data().producerId() != pid, "producer ids are unique");

            String topic = "idem-raw";
            short v = 9;
            MemoryRecords first = MemoryRecords.withIdempotentRecords(Compression.NONE, pid, (short) 0, 0, rec("a"), rec("b"), rec("c"));
            ProduceResponse r1 = c.send(produce(topic, first, v));
            assertEquals(0, partitionResult(r1).errorCode(), partitionResult(r1).errorMessage());
            long base = partitionResult(r1).baseOffset();

            MemoryRecords second = MemoryRecords.withIdempotentRecords(Compression.NONE, pid, (short) 0, 3, rec("d"));
            assertEquals(base + 3, partitionResult(c.send(produce(topic, second, v))).baseOffset());

            MemoryRecords retry = MemoryRecords.withIdempotentRecords(Compression.NONE, pid, (short) 0, 0, rec("a"), rec("b"), rec("c"));
            ProduceResponse dup = c.send(produce(topic, retry, v));
            assertEquals(0, partitionResult(dup).errorCode());
            assertEquals(base, partitionResult(dup).baseOffset(), "a duplicate gets the original offset back");

            MemoryRecords gap = MemoryRecords.withIdempotentRecords(Compression.NONE, pid, (short) 0, 9, rec("z"));
            assertEquals(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER.code(), partitionResult(c.send(produce(topic, gap, v))).errorCode());

            MemoryRecords bumped = MemoryRecords.withIdempotentRecords(Compression.NONE, pid, (short) 1, 0, rec("e"));
            assertEquals(base + 4, partitionResult(c.send(produce(topic, bumped, v))).baseOffset());
            MemoryRecords fenced = MemoryRecords.withIdempotentRecords(Compression.NONE, pid, (short) 0, 4, rec("f"));
            assertEquals(Errors.INVALID_PRODUCER_EPOCH.code(), partitionResult(c.send(produce(topic, fenced, v))).errorCode());

            // the log holds a, b, c, d, e exactly once
            FetchRequestData fetch = new FetchRequestData().setMaxWaitMs(0).setMinBytes(1).setMaxBytes(1 << 20)
                    .setSessionId(0).setSessionEpoch(-1);
            fetch.topics().add(new FetchRequestData.FetchTopic().setTopic(topic).setPartitions(List.of(
                    new FetchRequestData.FetchPartition().setPartition(0).setFetchOffset(0).setPartitionMaxBytes(1 << 20))));
            FetchResponse fr = c.send(rawFetch(fetch, (short) 11));
            var pd = fr.data().responses().get(0).partitions().get(0);
            assertEquals(0, pd.errorCode());
            assertEquals(base + 5, pd.highWatermark());
            int count = 0;
            for (var b : ((org.apache.kafka.common.record.internal.Records) pd.records()).batches()) {
                for (var r : b) {
                    count++;
                }
            }
            assertEquals(5, count);
        }
    }

    @Test
    void acksZeroErrorClosesTheConnection() throws Exception {
        try (RawClient c = new RawClient(broker.port())) {
            ProduceRequestData data = new ProduceRequestData().setAcks((short) 0).setTimeoutMs(5000);
            ProduceRequestData.TopicProduceData td = new ProduceRequestData.TopicProduceData().setName("bad name!");
            td.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(0)
                    .setRecords(MemoryRecords.withRecords(Compression.NONE, rec("x"))));
            data.topicData().add(td);
            c.sendOnly(new ProduceRequest.Builder((short) 9, (short) 9, data).build((short) 9));
            assertTrue(c.closedByBroker(), "acks=0 has no answer to carry the error: the connection is closed");
        }
    }

    @Test
    void fetchHonoursByteLimitsButReturnsAtLeastOneBatch() throws Exception {
        String topic = "limits";
        try (RawClient c = new RawClient(broker.port())) {
            for (int i = 0; i < 3; i++) { // three batches of ~2 KiB
                ProduceResponse r = c.send(produce(topic, MemoryRecords.withRecords(Compression.NONE,
                        new SimpleRecord(new byte[2000])), (short) 9));
                assertEquals(0, partitionResult(r).errorCode());
            }
            FetchResponse small = c.send(rawFetch(fetchOf(topic, 0, 100, 1 << 20), (short) 11));
            assertEquals(1, batches(small), "a batch larger than the limit still comes back alone");
            FetchResponse two = c.send(rawFetch(fetchOf(topic, 0, 4300, 1 << 20), (short) 11));
            assertEquals(2, batches(two));
            FetchResponse capped = c.send(rawFetch(fetchOf(topic, 0, 1 << 20, 2100), (short) 11));
            assertEquals(1, batches(capped), "max.bytes caps the response");
            FetchResponse ahead = c.send(rawFetch(fetchOf(topic, 99, 1 << 20, 1 << 20), (short) 11));
            assertEquals(Errors.OFFSET_OUT_OF_RANGE.code(), ahead.data().responses().get(0).partitions().get(0).errorCode());

            OffsetForLeaderEpochRequestData epochs = new OffsetForLeaderEpochRequestData().setReplicaId(-2);
            OffsetForLeaderEpochRequestData.OffsetForLeaderTopic t = new OffsetForLeaderEpochRequestData.OffsetForLeaderTopic().setTopic(topic);
            t.partitions().add(new OffsetForLeaderEpochRequestData.OffsetForLeaderPartition().setPartition(0).setLeaderEpoch(0)
                    .setCurrentLeaderEpoch(0));
            epochs.topics().add(t);
            OffsetsForLeaderEpochResponse er = c.send(new OffsetsForLeaderEpochRequest(epochs, (short) 4));
            var eo = er.data().topics().iterator().next().partitions().get(0);
            assertEquals(0, eo.errorCode());
            assertEquals(0, eo.leaderEpoch());
            assertEquals(3, eo.endOffset());
        }
    }

    @Test
    void incrementalFetchSessionsAnswerOnlyNews() throws Exception {
        String topic = "sessions";
        try (RawClient c = new RawClient(broker.port())) {
            c.send(produce(topic, MemoryRecords.withRecords(Compression.NONE, rec("one")), (short) 9));
            c.send(produce(topic + "-b", MemoryRecords.withRecords(Compression.NONE, rec("other")), (short) 9));
            FetchRequestData full = new FetchRequestData().setMaxWaitMs(0).setMinBytes(1).setMaxBytes(1 << 20)
                    .setSessionId(0).setSessionEpoch(0).setTopics(List.of(
                            new FetchRequestData.FetchTopic().setTopic(topic).setPartitions(List.of(
                                    new FetchRequestData.FetchPartition().setPartition(0).setFetchOffset(0).setPartitionMaxBytes(65536))),
                            new FetchRequestData.FetchTopic().setTopic(topic + "-b").setPartitions(List.of(
                                    new FetchRequestData.FetchPartition().setPartition(0).setFetchOffset(1).setPartitionMaxBytes(65536)))));
            FetchResponse r0 = c.send(rawFetch(full, (short) 12));
            int session = r0.data().sessionId();
            assertTrue(session != 0, "a full fetch opens a session");
            assertEquals(2, r0.data().responses().size());

            FetchRequestData inc = new FetchRequestData().setMaxWaitMs(0).setMinBytes(1).setMaxBytes(1 << 20)
                    .setSessionId(session).setSessionEpoch(1).setTopics(List.of(new FetchRequestData.FetchTopic().setTopic(topic)
                            .setPartitions(List.of(new FetchRequestData.FetchPartition().setPartition(0).setFetchOffset(1)
                                    .setPartitionMaxBytes(65536)))));
            FetchResponse r1 = c.send(rawFetch(inc, (short) 12));
            assertEquals(0, r1.data().errorCode());
            assertEquals(0, r1.data().responses().size(), "nothing new: nothing answered");

            c.send(produce(topic + "-b", MemoryRecords.withRecords(Compression.NONE, rec("news")), (short) 9));
            FetchResponse r2 = c.send(rawFetch(inc.setTopics(List.of()).setSessionEpoch(2), (short) 12));
            assertEquals(1, r2.data().responses().size());
            assertEquals(topic + "-b", r2.data().responses().get(0).topic());
            assertEquals(2, r2.data().responses().get(0).partitions().get(0).highWatermark());

            FetchResponse stale = c.send(rawFetch(inc.setSessionEpoch(2), (short) 12));
            assertEquals(Errors.INVALID_FETCH_SESSION_EPOCH.code(), stale.data().errorCode());
            FetchResponse unknown = c.send(rawFetch(inc.setSessionId(session + 1).setSessionEpoch(1), (short) 12));
            assertEquals(Errors.FETCH_SESSION_ID_NOT_FOUND.code(), unknown.data().errorCode());
            FetchResponse closed = c.send(rawFetch(full.setSessionId(session).setSessionEpoch(-1), (short) 12));
            assertEquals(0, closed.data().sessionId(), "epoch -1 closes the session and fetches without one");
            FetchResponse gone = c.send(rawFetch(inc.setSessionId(session).setSessionEpoch(3), (short) 12));
            assertEquals(Errors.FETCH_SESSION_ID_NOT_FOUND.code(), gone.data().errorCode());
        }
    }

    private static FetchRequestData fetchOf(String topic, long offset, int partitionMax, int max) {
        return new FetchRequestData().setMaxWaitMs(0).setMinBytes(1).setMaxBytes(max).setSessionId(0).setSessionEpoch(-1)
                .setTopics(List.of(new FetchRequestData.FetchTopic().setTopic(topic).setPartitions(List.of(
                        new FetchRequestData.FetchPartition().setPartition(0).setFetchOffset(offset).setPartitionMaxBytes(partitionMax)))));
    }

    private static int batches(FetchResponse r) {
        var pd = r.data().responses().get(0).partitions().get(0);
        assertEquals(0, pd.errorCode());
        int n = 0;
        for (var b : ((org.apache.kafka.common.record.internal.Records) pd.records()).batches()) {
            n++;
        }
        return n;
    }

    static AbstractRequest rawFetch(FetchRequestData data, short version) {
        return new org.apache.kafka.common.requests.FetchRequest(data, version);
    }

    @Test
    void corruptBatchGetsCorruptMessage() throws Exception {
        try (RawClient c = new RawClient(broker.port())) {
            MemoryRecords records = MemoryRecords.withRecords(Compression.NONE, rec("one"), rec("two"));
            ByteBuffer buf = records.buffer().duplicate();
            int last = buf.limit() - 1;
            buf.put(last, (byte) (buf.get(last) ^ 0x5a)); // payload byte: the CRC no longer matches
            ProduceResponse r = c.send(produce("corrupt", MemoryRecords.readableRecords(buf), (short) 9));
            assertEquals(Errors.CORRUPT_MESSAGE.code(), partitionResult(r).errorCode());
        }
    }

    @Test
    void oversizedAndMalformedFramesCloseOnlyTheirConnection() throws Exception {
        try (RawClient good = new RawClient(broker.port());
             RawClient huge = new RawClient(broker.port());
             RawClient garbage = new RawClient(broker.port());
             RawClient negative = new RawClient(broker.port())) {
            huge.writeRaw(ByteBuffer.allocate(4).putInt(65537).array());
            assertTrue(huge.closedByBroker());
            garbage.writeFrame(ByteBuffer.wrap(new byte[] {0, 3, 0, 9, 0, 0, 0, 1, (byte) 0xff}));
            assertTrue(garbage.closedByBroker());
            negative.writeRaw(ByteBuffer.allocate(4).putInt(-5).array());
            assertTrue(negative.closedByBroker());
            ApiVersionsResponse ok = good.send(new ApiVersionsRequest.Builder().build((short) 3));
            assertEquals(0, ok.data().errorCode());
        }
    }
}
