package org.tributary.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.SecurityDisabledException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.message.CreateAclsRequestData;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.requests.InitProducerIdRequest;
import org.apache.kafka.common.requests.InitProducerIdResponse;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochRequest;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochResponse;
import org.apache.kafka.common.message.CreateAclsResponseData;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.tools.AclCommand;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.tributary.broker.ClusterBroker;
import org.tributary.testkit.KafkaTools;

/**
 * The ACL authorizer with real clients over PLAINTEXT, where every client is User:ANONYMOUS.
 * With {@code allow.everyone.if.no.acl.found=false} nobody may do anything until granted, so the
 * first grants go straight to the controller (as an operator would bootstrap them with
 * {@code kafka-acls --bootstrap-controller}); everything after that is done by clients.
 */
class AclProtocolTest {
    static final String ANONYMOUS = "User:ANONYMOUS";
    static final Map<String, String> AUTHORIZER = Map.of("authorizer.class.name",
            "org.apache.kafka.metadata.authorizer.StandardAuthorizer");

    private final List<AutoCloseable> open = new ArrayList<>();
    private TestBroker broker;

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    static AclBinding allow(ResourceType type, String name, PatternType pattern, AclOperation op) {
        return new AclBinding(new ResourcePattern(type, name, pattern), new AccessControlEntry(ANONYMOUS, "*", op,
                AclPermissionType.ALLOW));
    }

    static AclBinding deny(ResourceType type, String name, PatternType pattern, AclOperation op) {
        return new AclBinding(new ResourcePattern(type, name, pattern), new AccessControlEntry(ANONYMOUS, "*", op,
                AclPermissionType.DENY));
    }

    static AclBinding cluster(AclOperation op) {
        return allow(ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL, op);
    }

    /** Grants through the controller channel, bypassing the broker's own checks (bootstrap). */
    static void grant(ClusterBroker b, AclBinding... acls) {
        CreateAclsRequestData req = new CreateAclsRequestData();
        for (AclBinding a : acls) {
            req.creations().add(new CreateAclsRequestData.AclCreation().setResourceType(a.pattern().resourceType().code())
                    .setResourceName(a.pattern().name()).setResourcePatternType(a.pattern().patternType().code())
                    .setPrincipal(a.entry().principal()).setHost(a.entry().host()).setOperation(a.entry().operation().code())
                    .setPermissionType(a.entry().permissionType().code()));
        }
        CreateAclsResponseData resp = b.metadata().controllerClient().call(req, CreateAclsResponseData.class, Duration.ofSeconds(20));
        resp.results().forEach(r -> assertEquals(0, r.errorCode(), r.errorMessage()));
    }

    private <T extends AutoCloseable> T track(T c) {
        open.add(c);
        return c;
    }

    private KafkaProducer<byte[], byte[]> producer() {
        return track(broker.producer(Map.of("max.block.ms", 10_000)));
    }

    private static Throwable cause(ExecutionException e) {
        return e.getCause();
    }

    @Test
    void withoutAnAuthorizerTheAclApisAnswerSecurityDisabled() throws Exception {
        broker = new TestBroker();
        Admin admin = track(broker.admin());
        ExecutionException e = assertThrows(ExecutionException.class, () -> admin.describeAcls(AclBindingFilter.ANY).values().get());
        assertInstanceOf(SecurityDisabledException.class, cause(e));
        e = assertThrows(ExecutionException.class, () -> admin.createAcls(List.of(cluster(AclOperation.ALTER))).all().get());
        assertInstanceOf(SecurityDisabledException.class, cause(e));
        e = assertThrows(ExecutionException.class, () -> admin.deleteAcls(List.of(AclBindingFilter.ANY)).all().get());
        assertInstanceOf(SecurityDisabledException.class, cause(e));
    }

    @Test
    void aPrincipalWithoutClusterRightsMayNotManageAclsOrCreateTopics() throws Exception {
        broker = new TestBroker(AUTHORIZER);
        Admin admin = track(broker.admin());
        ExecutionException e = assertThrows(ExecutionException.class, () -> admin.describeAcls(AclBindingFilter.ANY).values().get());
        assertInstanceOf(ClusterAuthorizationException.class, cause(e));
        e = assertThrows(ExecutionException.class, () -> admin.createAcls(List.of(cluster(AclOperation.ALTER))).all().get());
        assertInstanceOf(ClusterAuthorizationException.class, cause(e));
        e = assertThrows(ExecutionException.class, () -> admin.createTopics(List.of(new NewTopic("t", 1, (short) 1))).all()
                .get(20, TimeUnit.SECONDS));
        assertInstanceOf(TopicAuthorizationException.class, cause(e));
        assertTrue(admin.listTopics().names().get().isEmpty());
        try (RawClient raw = new RawClient(broker.port())) {
            // no IDEMPOTENT_WRITE and no WRITE on any topic (KIP-679): no producer id
            InitProducerIdResponse idempotent = raw.send(new InitProducerIdRequest.Builder(new InitProducerIdRequestData().setTransactionalId(null)
                    .setTransactionTimeoutMs(60_000)).build((short) 4));
            assertEquals(Errors.CLUSTER_AUTHORIZATION_FAILED, idempotent.error());
            InitProducerIdResponse transactional = raw.send(new InitProducerIdRequest.Builder(new InitProducerIdRequestData()
                    .setTransactionalId("tx-1").setTransactionTimeoutMs(60_000)).build((short) 4));
            assertEquals(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, transactional.error());
        }
    }

    @Test
    void aPrefixedWriteGrantsWhatItShouldAndNoMoreAndADenyWins() throws Exception {
        broker = new TestBroker(AUTHORIZER);
        grant(broker.broker(), cluster(AclOperation.CREATE), cluster(AclOperation.ALTER), cluster(AclOperation.DESCRIBE),
                allow(ResourceType.TOPIC, "orders-", PatternType.PREFIXED, AclOperation.WRITE),
                deny(ResourceType.TOPIC, "orders-secret", PatternType.LITERAL, AclOperation.WRITE));
        Admin admin = track(broker.admin());
        admin.createTopics(List.of(new NewTopic("orders-1", 1, (short) 1), new NewTopic("orders-secret", 1, (short) 1),
                new NewTopic("payments", 1, (short) 1))).all().get(20, TimeUnit.SECONDS);

        KafkaProducer<byte[], byte[]> p = producer(); // idempotent: InitProducerId passes on WRITE to some topic (KIP-679)
        assertEquals(0, p.send(new ProducerRecord<>("orders-1", "a".getBytes())).get(20, TimeUnit.SECONDS).offset());
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> p.send(new ProducerRecord<>("payments", "b".getBytes())).get(20, TimeUnit.SECONDS));
        assertInstanceOf(TopicAuthorizationException.class, cause(e));
        assertEquals(Set.of("payments"), ((TopicAuthorizationException) cause(e)).unauthorizedTopics());
        KafkaProducer<byte[], byte[]> p2 = producer();
        e = assertThrows(ExecutionException.class,
                () -> p2.send(new ProducerRecord<>("orders-secret", "c".getBytes())).get(20, TimeUnit.SECONDS));
        assertInstanceOf(TopicAuthorizationException.class, cause(e), "the DENY on orders-secret wins over the prefixed ALLOW");

        // Metadata shows only what the principal may describe (WRITE implies DESCRIBE; the DENY is on WRITE only)
        assertEquals(Set.of("orders-1", "orders-secret"), admin.listTopics().names().get());
        e = assertThrows(ExecutionException.class, () -> admin.describeTopics(List.of("payments")).allTopicNames().get());
        assertInstanceOf(TopicAuthorizationException.class, cause(e));
        // the answer for a topic one may not describe is the same whether it exists or not
        e = assertThrows(ExecutionException.class, () -> admin.describeTopics(List.of("no-such")).allTopicNames().get());
        assertInstanceOf(TopicAuthorizationException.class, cause(e));
        // deleting needs DELETE
        e = assertThrows(ExecutionException.class, () -> admin.deleteTopics(List.of("orders-1")).all().get());
        assertInstanceOf(TopicAuthorizationException.class, cause(e));
    }

    @Test
    void aConsumerGroupNeedsReadOnTheGroup() throws Exception {
        broker = new TestBroker(AUTHORIZER);
        grant(broker.broker(), cluster(AclOperation.CREATE), allow(ResourceType.TOPIC, "orders-", PatternType.PREFIXED,
                AclOperation.ALL));
        Admin admin = track(broker.admin());
        admin.createTopics(List.of(new NewTopic("orders-1", 1, (short) 1))).all().get(20, TimeUnit.SECONDS);
        producer().send(new ProducerRecord<>("orders-1", "x".getBytes())).get(20, TimeUnit.SECONDS);

        KafkaConsumer<byte[], byte[]> denied = track(broker.consumer(Map.of(ConsumerConfig.GROUP_ID_CONFIG, "billing")));
        denied.subscribe(List.of("orders-1"));
        assertThrows(GroupAuthorizationException.class, () -> denied.poll(Duration.ofSeconds(10)));

        grant(broker.broker(), allow(ResourceType.GROUP, "billing", PatternType.LITERAL, AclOperation.READ));
        KafkaConsumer<byte[], byte[]> c = track(broker.consumer(Map.of(ConsumerConfig.GROUP_ID_CONFIG, "billing")));
        c.subscribe(List.of("orders-1"));
        int got = 0;
        long deadline = System.currentTimeMillis() + 30_000;
        while (got == 0 && System.currentTimeMillis() < deadline) {
            ConsumerRecords<byte[], byte[]> records = c.poll(Duration.ofMillis(500));
            got += records.count();
        }
        assertEquals(1, got);
        c.commitSync();
        // a group the principal may not describe is not listed; one it may read is
        assertEquals(Set.of("billing"), admin.listGroups().all().get().stream().map(g -> g.groupId())
                .collect(java.util.stream.Collectors.toSet()));
    }

    @Test
    void kafkaAclsAddsListsAndRemovesAclsAndTheySurviveARestart() throws Exception {
        broker = new TestBroker(AUTHORIZER);
        grant(broker.broker(), cluster(AclOperation.ALTER), cluster(AclOperation.DESCRIBE));
        String out = acls("--add", "--allow-principal", "User:bob", "--operation", "Read", "--operation", "Describe",
                "--topic", "reports-", "--resource-pattern-type", "prefixed");
        assertFalse(out.contains("EXIT"), out);
        out = acls("--add", "--deny-principal", "User:eve", "--allow-host", "*", "--deny-host", "10.1.2.3",
                "--operation", "Write", "--topic", "reports-2026");
        assertFalse(out.contains("EXIT"), out);
        String list = acls("--list");
        assertTrue(list.contains("name=reports-, patternType=PREFIXED"), list);
        assertTrue(list.contains("principal=User:bob, host=*, operation=READ, permissionType=ALLOW"), list);
        assertTrue(list.contains("principal=User:eve, host=10.1.2.3, operation=WRITE, permissionType=DENY"), list);

        Admin admin = track(broker.admin());
        assertEquals(5, admin.describeAcls(AclBindingFilter.ANY).values().get().size(), "two cluster grants and three ACLs");
        // Kafka's broker-side checks: the cluster resource has one name; names are not empty
        ExecutionException bad = assertThrows(ExecutionException.class, () -> admin.createAcls(List.of(
                allow(ResourceType.CLUSTER, "my-cluster", PatternType.LITERAL, AclOperation.ALTER))).all().get());
        assertInstanceOf(org.apache.kafka.common.errors.InvalidRequestException.class, cause(bad));
        try (RawClient raw = new RawClient(broker.port())) {
            org.apache.kafka.common.message.DeleteAclsRequestData unknown = new org.apache.kafka.common.message.DeleteAclsRequestData();
            unknown.filters().add(new org.apache.kafka.common.message.DeleteAclsRequestData.DeleteAclsFilter().setResourceTypeFilter(
                    (byte) 0).setPatternTypeFilter((byte) 1).setOperation((byte) 1).setPermissionType((byte) 1));
            // kafka-clients' parser refuses a filter with an UNKNOWN part, so (as Kafka's broker) the connection is closed
            org.apache.kafka.common.requests.RequestHeader header = new org.apache.kafka.common.requests.RequestHeader(
                    org.apache.kafka.common.protocol.ApiKeys.DELETE_ACLS, (short) 3, "raw", 1);
            raw.writeFrame(org.apache.kafka.common.requests.RequestUtils.serialize(header.data(), header.headerVersion(), unknown,
                    (short) 3));
            assertThrows(java.io.EOFException.class, raw::readFrame);
        }
        assertEquals(5, admin.describeAcls(AclBindingFilter.ANY).values().get().size(), "nothing was created or removed");
        open.remove(admin);
        admin.close();

        broker.restart();
        Admin after = track(broker.admin());
        assertEquals(5, after.describeAcls(AclBindingFilter.ANY).values().get().size(), "ACLs are metadata: they survive a restart");

        String removed = acls("--remove", "--force", "--allow-principal", "User:bob", "--operation", "Read",
                "--operation", "Describe", "--topic", "reports-", "--resource-pattern-type", "prefixed");
        assertFalse(removed.contains("EXIT"), removed);
        list = acls("--list", "--topic", "reports-", "--resource-pattern-type", "prefixed");
        assertFalse(list.contains("User:bob"), list);
        assertEquals(3, after.describeAcls(AclBindingFilter.ANY).values().get().size());
    }

    @Test
    void followerRequestsNeedClusterActionAndConsumerFetchesNeedRead() throws Exception {
        broker = new TestBroker(AUTHORIZER);
        grant(broker.broker(), cluster(AclOperation.CREATE), allow(ResourceType.TOPIC, "orders-", PatternType.PREFIXED,
                AclOperation.READ));
        Admin admin = track(broker.admin());
        admin.createTopics(List.of(new NewTopic("orders-1", 1, (short) 1), new NewTopic("payments", 1, (short) 1))).all()
                .get(20, TimeUnit.SECONDS);
        try (RawClient raw = new RawClient(broker.port())) {
            assertEquals(Errors.TOPIC_AUTHORIZATION_FAILED, fetch(raw, 2, "orders-1"), "a follower fetch without CLUSTER_ACTION");
            assertEquals(Errors.NONE, fetch(raw, -1, "orders-1"), "a consumer fetch with READ");
            assertEquals(Errors.TOPIC_AUTHORIZATION_FAILED, fetch(raw, -1, "payments"), "a consumer fetch without READ");
            OffsetForLeaderEpochRequestData epochs = new OffsetForLeaderEpochRequestData().setReplicaId(2);
            epochs.topics().add(new OffsetForLeaderEpochRequestData.OffsetForLeaderTopic().setTopic("orders-1").setPartitions(List.of(
                    new OffsetForLeaderEpochRequestData.OffsetForLeaderPartition().setPartition(0).setLeaderEpoch(0)
                            .setCurrentLeaderEpoch(-1))));
            OffsetsForLeaderEpochResponse r = raw.send(new OffsetsForLeaderEpochRequest(epochs, (short) 4));
            assertEquals(Errors.CLUSTER_AUTHORIZATION_FAILED.code(), r.data().topics().iterator().next().partitions().get(0).errorCode());
        }
        grant(broker.broker(), cluster(AclOperation.CLUSTER_ACTION));
        try (RawClient raw = new RawClient(broker.port())) {
            Errors e = fetch(raw, 2, "payments");
            assertTrue(e != Errors.TOPIC_AUTHORIZATION_FAILED, "with CLUSTER_ACTION a follower may fetch any topic: " + e);
        }
    }

    /** One full fetch (no session) of partition 0 at offset 0, v12 (names, replica id in the request); its partition error. */
    private static Errors fetch(RawClient raw, int replicaId, String topic) throws java.io.IOException {
        FetchRequestData data = new FetchRequestData().setReplicaId(replicaId).setMaxWaitMs(0).setMinBytes(0).setMaxBytes(1 << 20)
                .setSessionId(0).setSessionEpoch(-1);
        data.topics().add(new FetchRequestData.FetchTopic().setTopic(topic).setPartitions(List.of(new FetchRequestData.FetchPartition()
                .setPartition(0).setFetchOffset(0).setPartitionMaxBytes(1 << 20).setCurrentLeaderEpoch(-1))));
        FetchResponse r = raw.send(new FetchRequest(data, (short) 12));
        return Errors.forCode(r.data().responses().get(0).partitions().get(0).errorCode());
    }

    @Test
    void eachAdminApiChecksItsOwnOperation() throws Exception {
        broker = new TestBroker(AUTHORIZER);
        grant(broker.broker(), cluster(AclOperation.CREATE), allow(ResourceType.TOPIC, "orders-", PatternType.PREFIXED,
                AclOperation.DESCRIBE), allow(ResourceType.TOPIC, "orders-open", PatternType.LITERAL, AclOperation.ALL),
                allow(ResourceType.GROUP, "g", PatternType.LITERAL, AclOperation.DESCRIBE));
        Admin admin = track(broker.admin());
        admin.createTopics(List.of(new NewTopic("orders-1", 1, (short) 1), new NewTopic("orders-open", 1, (short) 1))).all()
                .get(20, TimeUnit.SECONDS);
        org.apache.kafka.common.config.ConfigResource topic = new org.apache.kafka.common.config.ConfigResource(
                org.apache.kafka.common.config.ConfigResource.Type.TOPIC, "orders-1");
        org.apache.kafka.common.config.ConfigResource open = new org.apache.kafka.common.config.ConfigResource(
                org.apache.kafka.common.config.ConfigResource.Type.TOPIC, "orders-open");
        org.apache.kafka.common.TopicPartition p0 = new org.apache.kafka.common.TopicPartition("orders-1", 0);
        expect(TopicAuthorizationException.class, admin.describeConfigs(List.of(topic)).all());
        assertFalse(admin.describeConfigs(List.of(open)).all().get().get(open).entries().isEmpty());
        expect(TopicAuthorizationException.class, admin.incrementalAlterConfigs(Map.of(topic, List.of(
                new org.apache.kafka.clients.admin.AlterConfigOp(new org.apache.kafka.clients.admin.ConfigEntry("retention.ms", "1000"),
                        org.apache.kafka.clients.admin.AlterConfigOp.OpType.SET)))).all());
        expect(TopicAuthorizationException.class, admin.createPartitions(Map.of("orders-1",
                org.apache.kafka.clients.admin.NewPartitions.increaseTo(2))).all());
        admin.createPartitions(Map.of("orders-open", org.apache.kafka.clients.admin.NewPartitions.increaseTo(2))).all().get();
        expect(TopicAuthorizationException.class, admin.deleteRecords(Map.of(p0,
                org.apache.kafka.clients.admin.RecordsToDelete.beforeOffset(0))).all());
        assertEquals(0, admin.listOffsets(Map.of(p0, org.apache.kafka.clients.admin.OffsetSpec.latest())).all().get().get(p0).offset(),
                "ListOffsets needs DESCRIBE only");
        expect(ClusterAuthorizationException.class, admin.electLeaders(org.apache.kafka.common.ElectionType.PREFERRED, Set.of(p0)).all());
        expect(ClusterAuthorizationException.class, admin.listPartitionReassignments().reassignments());
        expect(ClusterAuthorizationException.class, admin.describeMetadataQuorum().quorumInfo());
        expect(ClusterAuthorizationException.class, admin.describeLogDirs(List.of(TestBroker.BROKER_ID)).allDescriptions());
        expect(org.apache.kafka.common.errors.GroupAuthorizationException.class, admin.deleteConsumerGroups(List.of("g")).all());
        // KIP-430: what the principal may do, when asked
        org.apache.kafka.clients.admin.TopicDescription d = admin.describeTopics(List.of("orders-1"),
                new org.apache.kafka.clients.admin.DescribeTopicsOptions().includeAuthorizedOperations(true)).allTopicNames().get()
                .get("orders-1");
        assertEquals(Set.of(AclOperation.DESCRIBE), d.authorizedOperations());
        assertEquals(Set.of(), admin.describeCluster(new org.apache.kafka.clients.admin.DescribeClusterOptions()
                .includeAuthorizedOperations(true)).authorizedOperations().get(), "no DESCRIBE on the cluster: nothing shown");
        // WRITE on orders-open lets an idempotent producer start (KIP-679); orders-1 itself stays read-only
        KafkaProducer<byte[], byte[]> p = producer();
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> p.send(new ProducerRecord<>("orders-1", "x".getBytes())).get(20, TimeUnit.SECONDS));
        assertInstanceOf(TopicAuthorizationException.class, cause(e));
        assertEquals(0, p.send(new ProducerRecord<>("orders-open", "y".getBytes())).get(20, TimeUnit.SECONDS).offset());
    }

    private static void expect(Class<? extends Throwable> type, org.apache.kafka.common.KafkaFuture<?> future) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> future.get(20, TimeUnit.SECONDS));
        assertInstanceOf(type, cause(e));
    }

    private String acls(String... args) {
        List<String> all = new ArrayList<>(List.of("--bootstrap-server", broker.bootstrap()));
        all.addAll(List.of(args));
        return KafkaTools.run("kafka-acls", AclCommand::main, all.toArray(String[]::new));
    }
}
