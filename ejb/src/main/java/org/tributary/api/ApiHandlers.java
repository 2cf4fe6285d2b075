package org.tributary.api;

import org.apache.kafka.common.protocol.ApiKeys;

/**
 * The broker's dispatch table: one line per API with the versions implemented. Version floors
 * are what kafka-clients 4.3.1 can still decode (older clients and librdkafka negotiate down to
 * these); ceilings are the newest versions it knows.
 */
public final class ApiHandlers {
    private ApiHandlers() {
    }

    public static ApiRegistry registry(ApiServices s) {
        return registry(s, null, null);
    }

    /**
     * With the transaction coordinator ({@code txns} over {@code txnLog}, the
     * {@code __transaction_state} log): InitProducerId for transactional ids, FindCoordinator key
     * type 1 and the transaction APIs.
     */
    public static ApiRegistry registry(ApiServices s, org.tributary.txn.TransactionCoordinator txns, InternalTopicLog txnLog) {
        return registry(s, txns, txnLog, null, Runnable::run);
    }

    /**
     * As above, with transaction verification (KIP-890 part 1): Produce and TxnOffsetCommit ask
     * {@code verifier} before a transactional write opens a transaction on a partition, then go on
     * on {@code handlers} (the request handler pool). {@code verifier} null: no verification.
     */
    public static ApiRegistry registry(ApiServices s, org.tributary.txn.TransactionCoordinator txns, InternalTopicLog txnLog,
            org.tributary.partition.TxnVerifier verifier, java.util.concurrent.Executor handlers) {
        ApiRegistry r = new ApiRegistry();
        MetadataHandler metadata = new MetadataHandler(s);
        TopicsHandler topics = new TopicsHandler(s);
        ConfigsHandler configs = new ConfigsHandler(s);
        OffsetsHandler offsets = new OffsetsHandler(s);
        r.register(ApiKeys.API_VERSIONS, 0, 4, new ApiVersionsHandler(r));
        r.register(ApiKeys.SASL_HANDSHAKE, 0, 1, SaslRequestsHandler::handshake);
        r.register(ApiKeys.SASL_AUTHENTICATE, 0, 2, SaslRequestsHandler::authenticate);
        r.register(ApiKeys.METADATA, 0, 13, metadata::metadata);
        r.register(ApiKeys.DESCRIBE_CLUSTER, 0, 2, metadata::describeCluster);
        r.register(ApiKeys.DESCRIBE_QUORUM, 0, 2, new DescribeQuorumHandler(s));
        r.register(ApiKeys.PRODUCE, 3, 13, new ProduceHandler(s, verifier, handlers));
        r.register(ApiKeys.FETCH, 4, 18, new FetchHandler(s));
        r.register(ApiKeys.LIST_OFFSETS, 1, 11, offsets::listOffsets);
        r.register(ApiKeys.DELETE_RECORDS, 0, 2, offsets::deleteRecords);
        r.register(ApiKeys.OFFSET_FOR_LEADER_EPOCH, 2, 4, offsets::offsetForLeaderEpoch);
        r.register(ApiKeys.CREATE_TOPICS, 2, 7, topics::createTopics);
        r.register(ApiKeys.DELETE_TOPICS, 1, 6, topics::deleteTopics);
        r.register(ApiKeys.CREATE_PARTITIONS, 0, 3, topics::createPartitions);
        r.register(ApiKeys.DESCRIBE_CONFIGS, 1, 4, configs::describeConfigs);
        r.register(ApiKeys.ALTER_CONFIGS, 0, 2, configs::alterConfigs);
        r.register(ApiKeys.INCREMENTAL_ALTER_CONFIGS, 0, 1, configs::incrementalAlterConfigs);
        r.register(ApiKeys.INIT_PRODUCER_ID, 0, 6, new ProducerIdHandler(s, txns));
        if (s.replicas() != null) {
            r.register(ApiKeys.DESCRIBE_LOG_DIRS, 1, 5, new LogDirsHandler(s)::describe);
        }
        if (s.controller() != null) {
            r.register(ApiKeys.ELECT_LEADERS, 0, 2, new ElectLeadersHandler(s));
            RaftVoterHandler voters = new RaftVoterHandler(s);
            r.register(ApiKeys.ADD_RAFT_VOTER, 0, 1, voters::add);
            r.register(ApiKeys.REMOVE_RAFT_VOTER, 0, 0, voters::remove);
            ReassignmentsHandler reassignments = new ReassignmentsHandler(s);
            r.register(ApiKeys.ALTER_PARTITION_REASSIGNMENTS, 0, 1, reassignments::alter);
            r.register(ApiKeys.LIST_PARTITION_REASSIGNMENTS, 0, 0, reassignments::list);
            ClientQuotasHandler quotas = new ClientQuotasHandler(s);
            r.register(ApiKeys.DESCRIBE_CLIENT_QUOTAS, 0, 1, quotas::describe);
            r.register(ApiKeys.ALTER_CLIENT_QUOTAS, 0, 1, quotas::alter);
            AclsHandler acls = new AclsHandler(s);
            // v0 was removed by KIP-896 (Kafka 4.0): kafka-clients 4.3.1 decodes v1-3 only
            r.register(ApiKeys.CREATE_ACLS, 1, 3, acls::createAcls);
            r.register(ApiKeys.DESCRIBE_ACLS, 1, 3, acls::describeAcls);
            r.register(ApiKeys.DELETE_ACLS, 1, 3, acls::deleteAcls);
            ScramCredentialsHandler scram = new ScramCredentialsHandler(s);
            r.register(ApiKeys.DESCRIBE_USER_SCRAM_CREDENTIALS, 0, 0, scram::describe);
            r.register(ApiKeys.ALTER_USER_SCRAM_CREDENTIALS, 0, 0, scram::alter);
        }
        registerGroups(r, s, txns, txnLog, verifier, handlers);
        registerTransactionData(r, s);
        if (txns != null) {
            registerTransactions(r, s, txns);
        }
        return r;
    }

    /**
     * The transaction coordinator's APIs (transaction version 1: EndTxn v5 and AddPartitionsToTxn's
     * implicit adds of KIP-890 part 2 are not offered; TxnOffsetCommit v0-4 is registered with the groups).
     */
    private static void registerTransactions(ApiRegistry r, ApiServices s, org.tributary.txn.TransactionCoordinator txns) {
        TransactionsHandler h = new TransactionsHandler(s, txns);
        TransactionAdminHandler admin = new TransactionAdminHandler(s, txns, org.apache.kafka.common.utils.Time.SYSTEM);
        r.register(ApiKeys.ADD_PARTITIONS_TO_TXN, 0, 5, h::addPartitions);
        r.register(ApiKeys.ADD_OFFSETS_TO_TXN, 0, 4, h::addOffsets);
        r.register(ApiKeys.END_TXN, 0, 4, h::endTxn);
        r.register(ApiKeys.DESCRIBE_TRANSACTIONS, 0, 0, admin::describe);
        r.register(ApiKeys.LIST_TRANSACTIONS, 0, 2, admin::list);
    }

    /**
     * The data-partition side of transactions (KIP-98): markers from transaction coordinators and
     * DescribeProducers (KIP-664). WriteTxnMarkers v0 was removed by KIP-896 (Kafka 4.0); v2 carries
     * the transaction version (KIP-1228).
     */
    private static void registerTransactionData(ApiRegistry r, ApiServices s) {
        r.register(ApiKeys.WRITE_TXN_MARKERS, 1, 2, new WriteTxnMarkersHandler(s));
        r.register(ApiKeys.DESCRIBE_PRODUCERS, 0, 0, new DescribeProducersHandler(s));
    }

    /** The classic group protocol and committed offsets (no KIP-848 ConsumerGroupHeartbeat: clients stay on "classic"). */
    private static void registerGroups(ApiRegistry r, ApiServices s, org.tributary.txn.TransactionCoordinator txns,
            InternalTopicLog txnLog, org.tributary.partition.TxnVerifier verifier, java.util.concurrent.Executor handlers) {
        if (s.groups() == null) {
            return;
        }
        GroupMembershipHandler members = new GroupMembershipHandler(s.groups(), s.authorizer());
        GroupAdminHandler admin = new GroupAdminHandler(s, s.groups(), txns, txnLog);
        OffsetCommitHandler offsets = new OffsetCommitHandler(s.groups(), s.authorizer());
        r.register(ApiKeys.FIND_COORDINATOR, 0, 6, admin::findCoordinator);
        r.register(ApiKeys.JOIN_GROUP, 0, 9, members::joinGroup);
        r.register(ApiKeys.SYNC_GROUP, 0, 5, members::syncGroup);
        r.register(ApiKeys.HEARTBEAT, 0, 4, members::heartbeat);
        r.register(ApiKeys.LEAVE_GROUP, 0, 5, members::leaveGroup);
        r.register(ApiKeys.OFFSET_COMMIT, 2, 10, offsets::offsetCommit);
        r.register(ApiKeys.OFFSET_FETCH, 1, 10, offsets::offsetFetch);
        r.register(ApiKeys.OFFSET_DELETE, 0, 0, offsets::offsetDelete);
        r.register(ApiKeys.LIST_GROUPS, 0, 5, admin::listGroups);
        r.register(ApiKeys.DESCRIBE_GROUPS, 0, 6, admin::describeGroups);
        r.register(ApiKeys.DELETE_GROUPS, 0, 2, admin::deleteGroups);
        if (txns != null) {
            // v5 is transaction version 2 (KIP-890 part 2), which the transaction coordinator does not offer
            r.register(ApiKeys.TXN_OFFSET_COMMIT, 0, 4, new TxnOffsetCommitHandler(s.groups(), s.authorizer(), s.replicas(), verifier, handlers)::txnOffsetCommit);
        }
    }
}
