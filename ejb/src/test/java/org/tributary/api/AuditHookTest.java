package org.tributary.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.message.AlterUserScramCredentialsRequestData;
import org.apache.kafka.common.message.AlterUserScramCredentialsResponseData;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.quota.ClientQuotaAlteration;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.tributary.audit.AuditEvent;
import org.tributary.server.TestBroker;

/** The dispatcher's one audit hook: changes through the Kafka protocol, with their results, and never a secret. */
class AuditHookTest {
    private static TestBroker broker;
    private static final Collection<AuditEvent> EVENTS = new ConcurrentLinkedQueue<>();

    @BeforeAll
    static void start() throws Exception {
        broker = new TestBroker();
        broker.server().audit(EVENTS::add);
    }

    @AfterAll
    static void stop() throws Exception {
        if (broker != null) {
            broker.close();
        }
    }

    private static List<AuditEvent> events(String action, String resource) {
        return EVENTS.stream().filter(e -> e.action().equals(action) && e.resourceName().equals(resource)).toList();
    }

    @Test
    void topicChangesThroughTheAdminClientAreRecordedWithPrincipalAddressAndResult() throws Exception {
        try (Admin admin = broker.admin()) {
            admin.createTopics(List.of(new NewTopic("audited", 1, (short) 1))).all().get();
            admin.createPartitions(Map.of("audited", NewPartitions.increaseTo(2))).all().get();
            ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, "audited");
            admin.incrementalAlterConfigs(Map.of(topic, List.of(new AlterConfigOp(new ConfigEntry("retention.ms", "123456789"),
                    AlterConfigOp.OpType.SET)))).all().get();
            admin.deleteTopics(List.of("audited")).all().get();
            expectCause(UnknownTopicOrPartitionException.class, () -> admin.deleteTopics(List.of("never-was")).all().get());
            admin.listTopics().names().get(); // a read is not a change
        }
        AuditEvent created = events("CreateTopics", "audited").get(0);
        assertEquals("User:ANONYMOUS", created.principal());
        assertEquals("127.0.0.1", created.clientAddress());
        assertEquals(AuditEvent.KAFKA, created.source());
        assertEquals("topic", created.resourceType());
        assertEquals("NONE", created.result());
        assertTrue(created.detail().contains("partitions=1"), created.detail());
        assertEquals("partitions=2", events("CreatePartitions", "audited").get(0).detail());
        AuditEvent config = events("IncrementalAlterConfigs", "audited").get(0);
        assertEquals("set retention.ms", config.detail(), "config keys, never values");
        assertEquals("NONE", events("DeleteTopics", "audited").get(0).result());
        assertEquals("UNKNOWN_TOPIC_OR_PARTITION", events("DeleteTopics", "never-was").get(0).result(),
                "a refused change is recorded with its error");
        assertTrue(EVENTS.stream().noneMatch(e -> e.action().equals("Metadata")), "reads are not audited");
        assertTrue(EVENTS.stream().noneMatch(e -> e.toString().contains("123456789")), "no config value in the trail");
    }

    @Test
    void quotaChangesAreRecordedWithTheirEntityAndValues() throws Exception {
        ClientQuotaEntity alice = new ClientQuotaEntity(Map.of(ClientQuotaEntity.USER, "alice-q"));
        try (Admin admin = broker.admin()) {
            admin.alterClientQuotas(List.of(new ClientQuotaAlteration(alice,
                    List.of(new ClientQuotaAlteration.Op("producer_byte_rate", 1024.0))))).all().get();
        }
        AuditEvent e = events("AlterClientQuotas", "user=alice-q").get(0);
        assertEquals("client-quota", e.resourceType());
        assertEquals("NONE", e.result());
        assertEquals("set producer_byte_rate=1024.0", e.detail());
    }

    @Test
    void scramChangesNameTheUserAndMechanismButNeverTheSaltOrPassword() {
        AlterUserScramCredentialsRequestData req = new AlterUserScramCredentialsRequestData()
                .setUpsertions(List.of(new AlterUserScramCredentialsRequestData.ScramCredentialUpsertion().setName("alice")
                        .setMechanism((byte) 2).setIterations(8192).setSalt("SALTSALT".getBytes())
                        .setSaltedPassword("SECRETHASH".getBytes())))
                .setDeletions(List.of(new AlterUserScramCredentialsRequestData.ScramCredentialDeletion().setName("bob")
                        .setMechanism((byte) 1)));
        AlterUserScramCredentialsResponseData resp = new AlterUserScramCredentialsResponseData().setResults(List.of(
                new AlterUserScramCredentialsResponseData.AlterUserScramCredentialsResult().setUser("alice"),
                new AlterUserScramCredentialsResponseData.AlterUserScramCredentialsResult().setUser("bob").setErrorCode((short) 31)));
        List<AuditedRequests.Change> changes = AuditedRequests.changes(ApiKeys.ALTER_USER_SCRAM_CREDENTIALS, req, resp);
        assertEquals(List.of(new AuditedRequests.Change("user", "alice", "NONE", "upsert SCRAM-SHA-512"),
                new AuditedRequests.Change("user", "bob", "CLUSTER_AUTHORIZATION_FAILED", "delete SCRAM-SHA-256")), changes);
        assertFalse(changes.toString().contains("SALT") || changes.toString().contains("SECRET"));
    }

    @Test
    void onlyChangesAreAuditedAndMemberCommitsAreConsumption() {
        assertTrue(AuditedRequests.audited(ApiKeys.OFFSET_COMMIT, new OffsetCommitRequestData().setGenerationIdOrMemberEpoch(-1)));
        assertFalse(AuditedRequests.audited(ApiKeys.OFFSET_COMMIT, new OffsetCommitRequestData().setGenerationIdOrMemberEpoch(3)));
        assertFalse(AuditedRequests.audited(ApiKeys.FETCH, new FetchRequestData()));
        for (ApiKeys k : Set.of(ApiKeys.CREATE_TOPICS, ApiKeys.DELETE_TOPICS, ApiKeys.CREATE_ACLS, ApiKeys.DELETE_ACLS,
                ApiKeys.ALTER_CLIENT_QUOTAS, ApiKeys.ELECT_LEADERS, ApiKeys.DELETE_GROUPS, ApiKeys.DELETE_RECORDS)) {
            assertTrue(AuditedRequests.audited(k, null), k.name);
        }
    }

    private static void expectCause(Class<? extends Throwable> type, Executable call) {
        try {
            call.execute();
        } catch (ExecutionException e) {
            assertTrue(type.isInstance(e.getCause()), "cause " + e.getCause());
            return;
        } catch (Throwable t) {
            throw new AssertionError("unexpected " + t, t);
        }
        throw new AssertionError("expected " + type.getSimpleName());
    }
}
