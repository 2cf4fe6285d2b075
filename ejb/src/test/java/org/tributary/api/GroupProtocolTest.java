package org.tributary.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.ListGroupsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupSubscribedToTopicException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.FindCoordinatorRequest;
import org.apache.kafka.common.requests.FindCoordinatorResponse;
import org.apache.kafka.common.requests.HeartbeatRequest;
import org.apache.kafka.common.requests.HeartbeatResponse;
import org.apache.kafka.common.requests.JoinGroupRequest;
import org.apache.kafka.common.requests.JoinGroupResponse;
import org.apache.kafka.common.requests.SyncGroupRequest;
import org.apache.kafka.common.requests.SyncGroupResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.tributary.server.TestBroker;

/** The group APIs on the wire: advertised versions, coordinator lookup, Kafka's errors, admin calls, the offsets topic. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class GroupProtocolTest {
    private TestBroker broker;

    @BeforeAll
    void start() throws Exception {
        broker = new TestBroker(GroupClients.FAST_GROUPS);
        try (Admin admin = broker.admin()) {
            admin.createTopics(List.of(new NewTopic("proto-topic", 2, (short) 1))).all().get();
            // as clients do before any group request: FindCoordinator creates __consumer_offsets, whose partitions then load
            admin.listConsumerGroupOffsets("raw").partitionsToOffsetAndMetadata().get();
        }
    }

    @AfterAll
    void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    private static JoinGroupRequestData joinData(String group, String member, String protocolType, String protocol) {
        JoinGroupRequestData.JoinGroupRequestProtocolCollection ps = new JoinGroupRequestData.JoinGroupRequestProtocolCollection();
        ps.add(new JoinGroupRequestData.JoinGroupRequestProtocol().setName(protocol).setMetadata(new byte[] {1, 2, 3}));
        return new JoinGroupRequestData().setGroupId(group).setMemberId(member).setProtocolType(protocolType)
                .setSessionTimeoutMs(10_000).setRebalanceTimeoutMs(10_000).setProtocols(ps);
    }

    @Test
    void advertisesTheGroupApisAndNotTheNewConsumerProtocol() throws Exception {
        try (GroupRawClient c = new GroupRawClient(broker.port())) {
            ApiVersionsResponse r = c.send(new ApiVersionsRequest.Builder(new ApiVersionsRequestData()
                    .setClientSoftwareName("test").setClientSoftwareVersion("1"), (short) 3, (short) 3).build((short) 3));
            Map<Short, String> v = r.data().apiKeys().stream().collect(Collectors.toMap(k -> k.apiKey(),
                    k -> k.minVersion() + "-" + k.maxVersion()));
            assertEquals("0-6", v.get(ApiKeys.FIND_COORDINATOR.id));
            assertEquals("0-9", v.get(ApiKeys.JOIN_GROUP.id));
            assertEquals("0-5", v.get(ApiKeys.SYNC_GROUP.id));
            assertEquals("0-4", v.get(ApiKeys.HEARTBEAT.id));
            assertEquals("0-5", v.get(ApiKeys.LEAVE_GROUP.id));
            assertEquals("2-10", v.get(ApiKeys.OFFSET_COMMIT.id));
            assertEquals("1-10", v.get(ApiKeys.OFFSET_FETCH.id));
            assertEquals("0-5", v.get(ApiKeys.LIST_GROUPS.id));
            assertEquals("0-6", v.get(ApiKeys.DESCRIBE_GROUPS.id));
            assertEquals("0-2", v.get(ApiKeys.DELETE_GROUPS.id));
            assertEquals("0-0", v.get(ApiKeys.OFFSET_DELETE.id));
            assertTrue(!v.containsKey(ApiKeys.CONSUMER_GROUP_HEARTBEAT.id), "KIP-848 is not offered");
        }
        KafkaConsumer<byte[], byte[]> c = broker.consumer(Map.of(ConsumerConfig.GROUP_ID_CONFIG, "new-protocol",
                ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer"));
        try {
            c.subscribe(List.of("proto-topic"));
            UnsupportedVersionException e = assertThrows(UnsupportedVersionException.class, () -> {
                for (int i = 0; i < 100; i++) {
                    c.poll(Duration.ofMillis(100));
                }
            });
            assertTrue(e.getMessage().contains("CONSUMER group protocol"), e.getMessage());
        } finally {
            c.close(Duration.ofSeconds(2));
        }
    }

    @Test
    void findCoordinatorSingleAndBatchedAndTheOffsetsTopic() throws Exception {
        try (GroupRawClient c = new GroupRawClient(broker.port())) {
            FindCoordinatorResponse one = c.send(new FindCoordinatorRequest.Builder(new FindCoordinatorRequestData()
                    .setKey("g1").setKeyType((byte) 0)).build((short) 3));
            assertEquals(Errors.NONE.code(), one.data().errorCode());
            assertEquals(TestBroker.BROKER_ID, one.data().nodeId());
            assertEquals(broker.port(), one.data().port());
            FindCoordinatorResponse many = c.send(new FindCoordinatorRequest.Builder(new FindCoordinatorRequestData()
                    .setKeyType((byte) 0).setCoordinatorKeys(List.of("a", "b", "c"))).build((short) 6));
            assertEquals(3, many.data().coordinators().size());
            many.data().coordinators().forEach(k -> assertEquals(TestBroker.BROKER_ID, k.nodeId()));
            FindCoordinatorResponse txn = c.send(new FindCoordinatorRequest.Builder(new FindCoordinatorRequestData()
                    .setKeyType((byte) 1).setCoordinatorKeys(List.of("tx"))).build((short) 6));
            assertEquals(Errors.NONE.code(), txn.data().coordinators().get(0).errorCode(), "the transaction coordinator");
            assertEquals(TestBroker.BROKER_ID, txn.data().coordinators().get(0).nodeId());
        }
        try (Admin admin = broker.admin()) {
            TopicDescription d = admin.describeTopics(List.of("__consumer_offsets")).allTopicNames().get().get("__consumer_offsets");
            assertTrue(d.isInternal());
            assertEquals(5, d.partitions().size());
            var configs = admin.describeConfigs(List.of(new org.apache.kafka.common.config.ConfigResource(
                    org.apache.kafka.common.config.ConfigResource.Type.TOPIC, "__consumer_offsets"))).all().get();
            assertEquals("compact", configs.values().iterator().next().get("cleanup.policy").value());
        }
    }

    @Test
    void badInputGetsKafkaErrorsNotHangs() throws Exception {
        try (GroupRawClient a = new GroupRawClient(broker.port()); GroupRawClient b = new GroupRawClient(broker.port())) {
            JoinGroupResponse required = a.send(new JoinGroupRequest.Builder(joinData("raw", "", "consumer", "range")).build((short) 9));
            assertEquals(Errors.MEMBER_ID_REQUIRED, required.error());
            String member = required.data().memberId();
            JoinGroupResponse joined = a.send(new JoinGroupRequest.Builder(joinData("raw", member, "consumer", "range")).build((short) 9));
            assertEquals(Errors.NONE, joined.error());
            assertEquals(1, joined.data().generationId());
            assertEquals(member, joined.data().leader());
            assertEquals("range", joined.data().protocolName());
            JoinGroupResponse wrongType = b.send(new JoinGroupRequest.Builder(joinData("raw", "", "connect", "range")).build((short) 9));
            assertEquals(Errors.INCONSISTENT_GROUP_PROTOCOL, wrongType.error());
            JoinGroupResponse unknown = b.send(new JoinGroupRequest.Builder(joinData("raw", "made-up", "consumer", "range")).build((short) 5));
            assertEquals(Errors.UNKNOWN_MEMBER_ID, unknown.error());
            SyncGroupResponse badGen = a.send(new SyncGroupRequest.Builder(new SyncGroupRequestData().setGroupId("raw")
                    .setMemberId(member).setGenerationId(7)).build((short) 5));
            assertEquals(Errors.ILLEGAL_GENERATION, badGen.error());
            SyncGroupResponse badProtocol = a.send(new SyncGroupRequest.Builder(new SyncGroupRequestData().setGroupId("raw")
                    .setMemberId(member).setGenerationId(1).setProtocolType("consumer").setProtocolName("roundrobin")).build((short) 5));
            assertEquals(Errors.INCONSISTENT_GROUP_PROTOCOL, badProtocol.error());
            SyncGroupResponse ok = a.send(new SyncGroupRequest.Builder(new SyncGroupRequestData().setGroupId("raw")
                    .setMemberId(member).setGenerationId(1).setAssignments(List.of(new SyncGroupRequestData.SyncGroupRequestAssignment()
                            .setMemberId(member).setAssignment(new byte[] {9})))).build((short) 3));
            assertEquals(Errors.NONE, ok.error());
            assertEquals(1, ok.data().assignment().length);
            HeartbeatResponse noGroup = b.send(new HeartbeatRequest.Builder(new HeartbeatRequestData().setGroupId("no-such")
                    .setMemberId("m").setGenerationId(1)).build((short) 4));
            assertEquals(Errors.UNKNOWN_MEMBER_ID, noGroup.error());
            HeartbeatResponse stale = a.send(new HeartbeatRequest.Builder(new HeartbeatRequestData().setGroupId("raw")
                    .setMemberId(member).setGenerationId(0)).build((short) 0));
            assertEquals(Errors.ILLEGAL_GENERATION, stale.error());
            // an old client (JoinGroup v3, before KIP-394) joins in one round trip
            JoinGroupResponse old = b.send(new JoinGroupRequest.Builder(joinData("raw-old", "", "consumer", "range")).build((short) 3));
            assertEquals(Errors.NONE, old.error());
        }
    }

    @Test
    void adminCommitsListsFetchesManyGroupsAndProtectsSubscribedOffsets() throws Exception {
        TopicPartition p0 = new TopicPartition("proto-topic", 0);
        TopicPartition p1 = new TopicPartition("proto-topic", 1);
        try (Admin admin = broker.admin()) {
            admin.alterConsumerGroupOffsets("admin-a", Map.of(p0, new OffsetAndMetadata(3, "x"))).all().get();
            admin.alterConsumerGroupOffsets("admin-b", Map.of(p1, new OffsetAndMetadata(4))).all().get();
            var both = admin.listConsumerGroupOffsets(Map.of("admin-a", new ListConsumerGroupOffsetsSpec(),
                    "admin-b", new ListConsumerGroupOffsetsSpec())).all().get();
            assertEquals(3, both.get("admin-a").get(p0).offset());
            assertEquals("x", both.get("admin-a").get(p0).metadata());
            assertEquals(4, both.get("admin-b").get(p1).offset());
            Set<String> empty = admin.listGroups(ListGroupsOptions.forConsumerGroups().inGroupStates(Set.of(GroupState.EMPTY)))
                    .all().get().stream().map(GroupListing::groupId).collect(Collectors.toSet());
            assertTrue(empty.containsAll(Set.of("admin-a", "admin-b")), empty.toString());
            assertTrue(admin.listGroups(ListGroupsOptions.forConsumerGroups().inGroupStates(Set.of(GroupState.STABLE)))
                    .all().get().stream().noneMatch(g -> g.groupId().startsWith("admin-")));
            try (KafkaConsumer<byte[], byte[]> c = GroupClients.consumer(broker, "admin-active", GroupClients.assignorClass("range"), Map.of())) {
                c.subscribe(List.of("proto-topic"));
                GroupClients.pollUntil(List.of(c), 20_000, () -> c.assignment().size() == 2, "assignment");
                c.commitSync(Map.of(p0, new OffsetAndMetadata(1)));
                ExecutionException e = assertThrows(ExecutionException.class,
                        () -> admin.deleteConsumerGroupOffsets("admin-active", Set.of(p0)).all().get());
                assertTrue(e.getCause() instanceof GroupSubscribedToTopicException, e.toString());
            }
            admin.deleteConsumerGroupOffsets("admin-a", Set.of(p0)).all().get();
            assertTrue(admin.listConsumerGroupOffsets("admin-a").partitionsToOffsetAndMetadata().get().isEmpty()
                    || admin.listConsumerGroupOffsets("admin-a").partitionsToOffsetAndMetadata().get().get(p0) == null);
            admin.deleteConsumerGroups(List.of("admin-a", "admin-b")).all().get();
            assertTrue(broker.server().describeGroup("admin-b").isEmpty());
        }
    }
}
