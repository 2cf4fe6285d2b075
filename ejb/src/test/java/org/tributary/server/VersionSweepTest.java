package org.tributary.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.*;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.RequestUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every advertised API at every advertised version, with a typical request: the answer must
 * encode (fields that a version lacks must stay at their defaults) and carry no server error.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class VersionSweepTest {

    @Test
    void everyAdvertisedVersionAnswers() throws Exception {
        try (TestBroker broker = new TestBroker(Map.of("group.initial.rebalance.delay.ms", "0")); Admin admin = broker.admin()) {
            admin.createTopics(List.of(new NewTopic("sweep", 1, (short) 1))).all().get();
            Uuid id = admin.describeTopics(List.of("sweep")).allTopicNames().get().get("sweep").topicId();
            Map<ApiKeys, Function<Short, ApiMessage>> requests = requests(id);
            List<String> failures = new ArrayList<>();
            int sent = 0;
            try (RawClient c = new RawClient(broker.port())) {
                ApiVersionsResponseData versions = (ApiVersionsResponseData) exchange(c, ApiKeys.API_VERSIONS, (short) 3,
                        new ApiVersionsRequestData().setClientSoftwareName("sweep").setClientSoftwareVersion("1")).data();
                for (ApiVersionsResponseData.ApiVersion av : versions.apiKeys()) {
                    ApiKeys key = ApiKeys.forId(av.apiKey());
                    Function<Short, ApiMessage> build = requests.get(key);
                    assertTrue(build != null, "no sweep request for advertised " + key);
                    for (short v = av.minVersion(); v <= av.maxVersion(); v++) {
                        AbstractResponse r = exchange(c, key, v, build.apply(v));
                        sent++;
                        for (Errors e : r.errorCounts().keySet()) {
                            if (e == Errors.UNKNOWN_SERVER_ERROR || e == Errors.UNSUPPORTED_VERSION || e == Errors.KAFKA_STORAGE_ERROR
                                    || e == Errors.INVALID_REQUEST) {
                                failures.add(key + " v" + v + ": " + e);
                            }
                        }
                    }
                }
            }
            assertEquals(List.of(), failures);
            assertTrue(sent > 80, "sent " + sent);
        }
    }

    /**
     * The same sweep against a broker with the ACL authorizer where the principal (User:ANONYMOUS)
     * may do nothing but create topics: every API still answers at every version, in its own shape,
     * with authorization errors and never a server error or a closed connection.
     */
    @Test
    void everyAdvertisedVersionAnswersWhenEverythingIsDenied() throws Exception {
        try (TestBroker broker = new TestBroker(Map.of("group.initial.rebalance.delay.ms", "0", "authorizer.class.name",
                "org.apache.kafka.metadata.authorizer.StandardAuthorizer"))) {
            AclProtocolTest.grant(broker.broker(), AclProtocolTest.cluster(org.apache.kafka.common.acl.AclOperation.CREATE));
            try (Admin admin = broker.admin()) {
                admin.createTopics(List.of(new NewTopic("sweep", 1, (short) 1))).all().get();
            }
            Uuid id = broker.broker().metadata().metadata().image().topic("sweep").orElseThrow().id();
            Map<ApiKeys, Function<Short, ApiMessage>> requests = requests(id);
            List<String> failures = new ArrayList<>();
            Map<Errors, Integer> denials = new java.util.TreeMap<>();
            try (RawClient c = new RawClient(broker.port())) {
                ApiVersionsResponseData versions = (ApiVersionsResponseData) exchange(c, ApiKeys.API_VERSIONS, (short) 3,
                        new ApiVersionsRequestData().setClientSoftwareName("sweep").setClientSoftwareVersion("1")).data();
                for (ApiVersionsResponseData.ApiVersion av : versions.apiKeys()) {
                    ApiKeys key = ApiKeys.forId(av.apiKey());
                    for (short v = av.minVersion(); v <= av.maxVersion(); v++) {
                        AbstractResponse r = exchange(c, key, v, requests.get(key).apply(v));
                        for (Errors e : r.errorCounts().keySet()) {
                            if (e == Errors.UNKNOWN_SERVER_ERROR || e == Errors.UNSUPPORTED_VERSION || e == Errors.KAFKA_STORAGE_ERROR
                                    || e == Errors.INVALID_REQUEST) {
                                failures.add(key + " v" + v + ": " + e);
                            }
                            if (e.exception() instanceof org.apache.kafka.common.errors.AuthorizationException) {
                                denials.merge(e, 1, Integer::sum);
                            }
                        }
                    }
                }
            }
            assertEquals(List.of(), failures);
            assertTrue(denials.getOrDefault(Errors.TOPIC_AUTHORIZATION_FAILED, 0) > 20, String.valueOf(denials));
            assertTrue(denials.getOrDefault(Errors.GROUP_AUTHORIZATION_FAILED, 0) > 20, String.valueOf(denials));
            assertTrue(denials.getOrDefault(Errors.CLUSTER_AUTHORIZATION_FAILED, 0) > 10, String.valueOf(denials));
        }
    }

    private int correlation;

    private AbstractResponse exchange(RawClient c, ApiKeys key, short v, ApiMessage body) throws Exception {
        RequestHeader header = new RequestHeader(key, v, "sweep", ++correlation);
        ByteBuffer frame = RequestUtils.serialize(header.data(), header.headerVersion(), body, v);
        c.writeFrame(frame);
        ByteBuffer resp;
        try {
            resp = c.readFrame();
        } catch (java.io.EOFException e) {
            throw new AssertionError(key + " v" + v + ": the broker closed the connection");
        }
        AbstractResponse r = AbstractResponse.parseResponse(resp, header);
        assertFalse(r == null);
        return r;
    }

    private static Map<ApiKeys, Function<Short, ApiMessage>> requests(Uuid id) {
        Map<ApiKeys, Function<Short, ApiMessage>> m = new LinkedHashMap<>();
        m.put(ApiKeys.API_VERSIONS, v -> new ApiVersionsRequestData().setClientSoftwareName(v >= 3 ? "sweep" : "")
                .setClientSoftwareVersion(v >= 3 ? "1" : ""));
        m.put(ApiKeys.METADATA, v -> new MetadataRequestData().setTopics(List.of(new MetadataRequestData.MetadataRequestTopic()
                .setName("sweep"))));
        m.put(ApiKeys.DESCRIBE_CLUSTER, v -> new DescribeClusterRequestData());
        m.put(ApiKeys.ELECT_LEADERS, v -> new org.apache.kafka.common.message.ElectLeadersRequestData().setTimeoutMs(10_000)
                .setTopicPartitions(new org.apache.kafka.common.message.ElectLeadersRequestData.TopicPartitionsCollection(List.of(
                        new org.apache.kafka.common.message.ElectLeadersRequestData.TopicPartitions().setTopic("sweep")
                                .setPartitions(List.of(0))).iterator())));
        m.put(ApiKeys.ALTER_PARTITION_REASSIGNMENTS, v -> new AlterPartitionReassignmentsRequestData().setTimeoutMs(10_000)
                .setTopics(List.of(new AlterPartitionReassignmentsRequestData.ReassignableTopic().setName("sweep").setPartitions(
                        List.of(new AlterPartitionReassignmentsRequestData.ReassignablePartition().setPartitionIndex(0)
                                .setReplicas(List.of(0)))))));
        m.put(ApiKeys.DESCRIBE_LOG_DIRS, v -> new DescribeLogDirsRequestData().setTopics(null));
        m.put(ApiKeys.LIST_PARTITION_REASSIGNMENTS, v -> new ListPartitionReassignmentsRequestData().setTimeoutMs(10_000));
        m.put(ApiKeys.DESCRIBE_CLIENT_QUOTAS, v -> new org.apache.kafka.common.message.DescribeClientQuotasRequestData()
                .setComponents(List.of()).setStrict(false));
        m.put(ApiKeys.ALTER_CLIENT_QUOTAS, v -> new org.apache.kafka.common.message.AlterClientQuotasRequestData().setValidateOnly(true)
                .setEntries(List.of(new org.apache.kafka.common.message.AlterClientQuotasRequestData.EntryData()
                        .setEntity(List.of(new org.apache.kafka.common.message.AlterClientQuotasRequestData.EntityData()
                                .setEntityType("client-id").setEntityName("sweep")))
                        .setOps(List.of(new org.apache.kafka.common.message.AlterClientQuotasRequestData.OpData()
                                .setKey("producer_byte_rate").setValue(1024))))));
        // the one voter is a voter already, and node 999 is none: both are refused by the quorum, not the protocol
        m.put(ApiKeys.ADD_RAFT_VOTER, v -> new org.apache.kafka.common.message.AddRaftVoterRequestData().setClusterId(null)
                .setTimeoutMs(5000).setVoterId(TestBroker.BROKER_ID).setVoterDirectoryId(Uuid.randomUuid()));
        m.put(ApiKeys.REMOVE_RAFT_VOTER, v -> new org.apache.kafka.common.message.RemoveRaftVoterRequestData().setClusterId(null)
                .setVoterId(999).setVoterDirectoryId(Uuid.randomUuid()));
        m.put(ApiKeys.DESCRIBE_QUORUM, v -> new org.apache.kafka.common.message.DescribeQuorumRequestData().setTopics(List.of(
                new org.apache.kafka.common.message.DescribeQuorumRequestData.TopicData().setTopicName("__cluster_metadata")
                        .setPartitions(List.of(new org.apache.kafka.common.message.DescribeQuorumRequestData.PartitionData()
                                .setPartitionIndex(0))))));
        m.put(ApiKeys.PRODUCE, v -> {
            ProduceRequestData.TopicProduceData td = new ProduceRequestData.TopicProduceData();
            if (v >= 13) {
                td.setTopicId(id);
            } else {
                td.setName("sweep");
            }
            td.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(
                    MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(("v" + v).getBytes(StandardCharsets.UTF_8)))));
            ProduceRequestData d = new ProduceRequestData().setAcks((short) 1).setTimeoutMs(5000);
            d.topicData().add(td);
            return d;
        });
        m.put(ApiKeys.FETCH, v -> {
            FetchRequestData.FetchTopic ft = new FetchRequestData.FetchTopic().setPartitions(List.of(
                    new FetchRequestData.FetchPartition().setPartition(0).setFetchOffset(0).setPartitionMaxBytes(65536)));
            if (v >= 13) {
                ft.setTopicId(id);
            } else {
                ft.setTopic("sweep");
            }
            FetchRequestData d = new FetchRequestData().setMaxWaitMs(0).setMinBytes(1).setMaxBytes(1 << 20)
                    .setTopics(List.of(ft));
            if (v >= 15) {
                d.setReplicaId(-1);
            }
            return d;
        });
        m.put(ApiKeys.LIST_OFFSETS, v -> new ListOffsetsRequestData().setReplicaId(-1).setTopics(List.of(
                new ListOffsetsRequestData.ListOffsetsTopic().setName("sweep").setPartitions(List.of(
                        new ListOffsetsRequestData.ListOffsetsPartition().setPartitionIndex(0).setTimestamp(-1L))))));
        m.put(ApiKeys.DELETE_RECORDS, v -> new DeleteRecordsRequestData().setTimeoutMs(5000).setTopics(List.of(
                new DeleteRecordsRequestData.DeleteRecordsTopic().setName("sweep").setPartitions(List.of(
                        new DeleteRecordsRequestData.DeleteRecordsPartition().setPartitionIndex(0).setOffset(0L))))));
        m.put(ApiKeys.OFFSET_FOR_LEADER_EPOCH, v -> {
            OffsetForLeaderEpochRequestData d = new OffsetForLeaderEpochRequestData().setReplicaId(-1);
            OffsetForLeaderEpochRequestData.OffsetForLeaderTopic t = new OffsetForLeaderEpochRequestData.OffsetForLeaderTopic().setTopic("sweep");
            t.partitions().add(new OffsetForLeaderEpochRequestData.OffsetForLeaderPartition().setPartition(0).setLeaderEpoch(0)
                    .setCurrentLeaderEpoch(0));
            d.topics().add(t);
            return d;
        });
        m.put(ApiKeys.CREATE_TOPICS, v -> {
            CreateTopicsRequestData d = new CreateTopicsRequestData().setTimeoutMs(5000);
            d.topics().add(new CreateTopicsRequestData.CreatableTopic().setName("created-v" + v).setNumPartitions(1)
                    .setReplicationFactor((short) 1));
            return d;
        });
        m.put(ApiKeys.DELETE_TOPICS, v -> {
            DeleteTopicsRequestData d = new DeleteTopicsRequestData().setTimeoutMs(5000);
            String name = "created-v" + (v + 1); // each version deletes one created above
            if (v >= 6) {
                d.topics().add(new DeleteTopicsRequestData.DeleteTopicState().setName(name));
            } else {
                d.topicNames().add(name);
            }
            return d;
        });
        m.put(ApiKeys.CREATE_PARTITIONS, v -> {
            CreatePartitionsRequestData d = new CreatePartitionsRequestData().setTimeoutMs(5000);
            d.topics().add(new CreatePartitionsRequestData.CreatePartitionsTopic().setName("sweep").setCount(2 + v).setAssignments(null));
            return d;
        });
        m.put(ApiKeys.DESCRIBE_CONFIGS, v -> new DescribeConfigsRequestData().setResources(List.of(
                new DescribeConfigsRequestData.DescribeConfigsResource().setResourceType((byte) 2).setResourceName("sweep")
                        .setConfigurationKeys(null),
                new DescribeConfigsRequestData.DescribeConfigsResource().setResourceType((byte) 4).setResourceName("1")
                        .setConfigurationKeys(null))));
        m.put(ApiKeys.ALTER_CONFIGS, v -> {
            AlterConfigsRequestData d = new AlterConfigsRequestData();
            AlterConfigsRequestData.AlterConfigsResource r = new AlterConfigsRequestData.AlterConfigsResource()
                    .setResourceType((byte) 2).setResourceName("sweep");
            r.configs().add(new AlterConfigsRequestData.AlterableConfig().setName("retention.ms").setValue("100000" + v));
            d.resources().add(r);
            return d;
        });
        m.put(ApiKeys.INCREMENTAL_ALTER_CONFIGS, v -> {
            IncrementalAlterConfigsRequestData d = new IncrementalAlterConfigsRequestData();
            IncrementalAlterConfigsRequestData.AlterConfigsResource r = new IncrementalAlterConfigsRequestData.AlterConfigsResource()
                    .setResourceType((byte) 2).setResourceName("sweep");
            r.configs().add(new IncrementalAlterConfigsRequestData.AlterableConfig().setName("cleanup.policy")
                    .setConfigOperation((byte) 2).setValue("compact"));
            d.resources().add(r);
            return d;
        });
        m.put(ApiKeys.INIT_PRODUCER_ID, v -> new InitProducerIdRequestData().setTransactionalId(null).setTransactionTimeoutMs(60000));
        groupRequests(m, id);
        transactionDataRequests(m);
        transactionCoordinatorRequests(m);
        return m;
    }

    /** The transaction coordinator's APIs for a transactional id nobody initialised ("sweep-txn"). */
    private static void transactionCoordinatorRequests(Map<ApiKeys, Function<Short, ApiMessage>> m) {
        m.put(ApiKeys.ADD_PARTITIONS_TO_TXN, v -> {
            var topics = new org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTopicCollection();
            topics.add(new org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic().setName("sweep")
                    .setPartitions(List.of(0)));
            var d = new org.apache.kafka.common.message.AddPartitionsToTxnRequestData();
            if (v < 4) {
                return d.setV3AndBelowTransactionalId("sweep-txn").setV3AndBelowProducerId(1L).setV3AndBelowProducerEpoch((short) 0)
                        .setV3AndBelowTopics(topics);
            }
            var txns = new org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTransactionCollection();
            txns.add(new org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTransaction()
                    .setTransactionalId("sweep-txn").setProducerId(1L).setProducerEpoch((short) 0).setVerifyOnly(true).setTopics(topics));
            return d.setTransactions(txns);
        });
        m.put(ApiKeys.ADD_OFFSETS_TO_TXN, v -> new org.apache.kafka.common.message.AddOffsetsToTxnRequestData()
                .setTransactionalId("sweep-txn").setProducerId(1L).setProducerEpoch((short) 0).setGroupId("sweep-g"));
        m.put(ApiKeys.END_TXN, v -> new org.apache.kafka.common.message.EndTxnRequestData().setTransactionalId("sweep-txn")
                .setProducerId(1L).setProducerEpoch((short) 0).setCommitted(false));
        m.put(ApiKeys.DESCRIBE_TRANSACTIONS, v -> new org.apache.kafka.common.message.DescribeTransactionsRequestData()
                .setTransactionalIds(List.of("sweep-txn")));
        m.put(ApiKeys.LIST_TRANSACTIONS, v -> new org.apache.kafka.common.message.ListTransactionsRequestData());
        // a producer with no open transaction: the coordinator's epoch check refuses the write, at every version
        m.put(ApiKeys.TXN_OFFSET_COMMIT, v -> new org.apache.kafka.common.message.TxnOffsetCommitRequestData()
                .setTransactionalId("sweep-txn").setGroupId("sweep-txn-g").setProducerId(987_655L).setProducerEpoch((short) 0)
                .setTopics(List.of(new org.apache.kafka.common.message.TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic()
                        .setName("sweep").setPartitions(List.of(
                                new org.apache.kafka.common.message.TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition()
                                        .setPartitionIndex(0).setCommittedOffset(1L))))));
    }

    /** Markers (an abort for a producer with nothing open on "sweep") and DescribeProducers. */
    private static void transactionDataRequests(Map<ApiKeys, Function<Short, ApiMessage>> m) {
        m.put(ApiKeys.WRITE_TXN_MARKERS, v -> new org.apache.kafka.common.message.WriteTxnMarkersRequestData().setMarkers(List.of(
                new org.apache.kafka.common.message.WriteTxnMarkersRequestData.WritableTxnMarker().setProducerId(987_654L)
                        .setProducerEpoch((short) 0).setTransactionResult(false).setCoordinatorEpoch(0)
                        .setTopics(List.of(new org.apache.kafka.common.message.WriteTxnMarkersRequestData.WritableTxnMarkerTopic()
                                .setName("sweep").setPartitionIndexes(List.of(0)))))));
        m.put(ApiKeys.DESCRIBE_PRODUCERS, v -> new org.apache.kafka.common.message.DescribeProducersRequestData().setTopics(List.of(
                new org.apache.kafka.common.message.DescribeProducersRequestData.TopicRequest().setName("sweep")
                        .setPartitionIndexes(List.of(0)))));
    }

    /** The group APIs: a one-member group per version ("sweep-g" + version), its commit, fetch and clean-up. */
    private static void groupRequests(Map<ApiKeys, Function<Short, ApiMessage>> m, Uuid id) {
        m.put(ApiKeys.FIND_COORDINATOR, v -> v >= 4
                ? new FindCoordinatorRequestData().setKeyType((byte) 0).setCoordinatorKeys(List.of("sweep-g"))
                : new FindCoordinatorRequestData().setKey("sweep-g"));
        m.put(ApiKeys.JOIN_GROUP, v -> {
            JoinGroupRequestData.JoinGroupRequestProtocolCollection ps = new JoinGroupRequestData.JoinGroupRequestProtocolCollection();
            ps.add(new JoinGroupRequestData.JoinGroupRequestProtocol().setName("range").setMetadata(new byte[0]));
            return new JoinGroupRequestData().setGroupId("sweep-g" + v).setMemberId("").setProtocolType("consumer")
                    .setSessionTimeoutMs(10000).setRebalanceTimeoutMs(v >= 1 ? 10000 : -1).setProtocols(ps);
        });
        m.put(ApiKeys.SYNC_GROUP, v -> new SyncGroupRequestData().setGroupId("sweep-g").setMemberId("unknown").setGenerationId(1));
        m.put(ApiKeys.HEARTBEAT, v -> new HeartbeatRequestData().setGroupId("sweep-g").setMemberId("unknown").setGenerationId(1));
        m.put(ApiKeys.LEAVE_GROUP, v -> v >= 3
                ? new LeaveGroupRequestData().setGroupId("sweep-g").setMembers(List.of(new LeaveGroupRequestData.MemberIdentity()
                        .setMemberId("unknown")))
                : new LeaveGroupRequestData().setGroupId("sweep-g").setMemberId("unknown"));
        m.put(ApiKeys.OFFSET_COMMIT, v -> {
            OffsetCommitRequestData.OffsetCommitRequestTopic t = new OffsetCommitRequestData.OffsetCommitRequestTopic()
                    .setPartitions(List.of(new OffsetCommitRequestData.OffsetCommitRequestPartition().setPartitionIndex(0)
                            .setCommittedOffset(v).setCommittedMetadata("m")));
            if (v >= 10) {
                t.setTopicId(id);
            } else {
                t.setName("sweep");
            }
            return new OffsetCommitRequestData().setGroupId("sweep-simple").setGenerationIdOrMemberEpoch(-1).setMemberId("")
                    .setTopics(List.of(t));
        });
        m.put(ApiKeys.OFFSET_FETCH, v -> {
            OffsetFetchRequestData d = new OffsetFetchRequestData();
            if (v >= 8) {
                OffsetFetchRequestData.OffsetFetchRequestTopics t = new OffsetFetchRequestData.OffsetFetchRequestTopics()
                        .setPartitionIndexes(List.of(0));
                if (v >= 10) {
                    t.setTopicId(id);
                } else {
                    t.setName("sweep");
                }
                d.setGroups(List.of(new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId("sweep-simple").setTopics(List.of(t)),
                        new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId("sweep-none").setTopics(null)));
            } else {
                d.setGroupId("sweep-simple").setTopics(List.of(new OffsetFetchRequestData.OffsetFetchRequestTopic().setName("sweep")
                        .setPartitionIndexes(List.of(0))));
            }
            return d;
        });
        m.put(ApiKeys.OFFSET_DELETE, v -> {
            OffsetDeleteRequestData.OffsetDeleteRequestTopicCollection ts = new OffsetDeleteRequestData.OffsetDeleteRequestTopicCollection();
            ts.add(new OffsetDeleteRequestData.OffsetDeleteRequestTopic().setName("sweep").setPartitions(List.of(
                    new OffsetDeleteRequestData.OffsetDeleteRequestPartition().setPartitionIndex(0))));
            return new OffsetDeleteRequestData().setGroupId("sweep-simple").setTopics(ts);
        });
        m.put(ApiKeys.LIST_GROUPS, v -> new ListGroupsRequestData().setStatesFilter(v >= 4 ? List.of("Stable", "Empty") : List.of())
                .setTypesFilter(v >= 5 ? List.of("classic") : List.of()));
        m.put(ApiKeys.DESCRIBE_GROUPS, v -> new DescribeGroupsRequestData().setGroups(List.of("sweep-g1", "sweep-simple", "sweep-none"))
                .setIncludeAuthorizedOperations(v >= 3));
        m.put(ApiKeys.DELETE_GROUPS, v -> new DeleteGroupsRequestData().setGroupsNames(List.of("sweep-none" + v)));
        // no authorizer here: each ACL API answers SECURITY_DISABLED in its own shape
        m.put(ApiKeys.CREATE_ACLS, v -> new org.apache.kafka.common.message.CreateAclsRequestData().setCreations(List.of(
                new org.apache.kafka.common.message.CreateAclsRequestData.AclCreation().setResourceType((byte) 2)
                        .setResourceName("sweep").setResourcePatternType((byte) 3).setPrincipal("User:sweep").setHost("*")
                        .setOperation((byte) 3).setPermissionType((byte) 3))));
        m.put(ApiKeys.DESCRIBE_ACLS, v -> new org.apache.kafka.common.message.DescribeAclsRequestData().setResourceTypeFilter((byte) 1)
                .setPatternTypeFilter((byte) (v >= 1 ? 1 : 3)).setOperation((byte) 1).setPermissionType((byte) 1));
        m.put(ApiKeys.DELETE_ACLS, v -> new org.apache.kafka.common.message.DeleteAclsRequestData().setFilters(List.of(
                new org.apache.kafka.common.message.DeleteAclsRequestData.DeleteAclsFilter().setResourceTypeFilter((byte) 1)
                        .setPatternTypeFilter((byte) 1).setOperation((byte) 1).setPermissionType((byte) 1))));
        // on a listener without SASL both answer ILLEGAL_SASL_STATE (the SASL layer of a SASL listener answers them there)
        m.put(ApiKeys.SASL_HANDSHAKE, v -> new org.apache.kafka.common.message.SaslHandshakeRequestData().setMechanism("PLAIN"));
        m.put(ApiKeys.SASL_AUTHENTICATE, v -> new org.apache.kafka.common.message.SaslAuthenticateRequestData()
                .setAuthBytes(new byte[] {0, 'a', 0, 'b'}));
        m.put(ApiKeys.DESCRIBE_USER_SCRAM_CREDENTIALS, v -> new org.apache.kafka.common.message.DescribeUserScramCredentialsRequestData()
                .setUsers(null));
        // a fresh user per version: each upsertion succeeds (or is denied)
        m.put(ApiKeys.ALTER_USER_SCRAM_CREDENTIALS, v -> new org.apache.kafka.common.message.AlterUserScramCredentialsRequestData()
                .setUpsertions(List.of(new org.apache.kafka.common.message.AlterUserScramCredentialsRequestData.ScramCredentialUpsertion()
                        .setName("sweep-" + v + "-" + System.nanoTime()).setMechanism((byte) 1).setIterations(4096)
                        .setSalt(new byte[] {1, 2, 3}).setSaltedPassword(new byte[32]))));
    }
}
