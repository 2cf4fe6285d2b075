package org.tributary.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FindCoordinatorRequest;
import org.apache.kafka.common.requests.FindCoordinatorResponse;
import org.apache.kafka.common.requests.TxnOffsetCommitRequest;
import org.apache.kafka.common.requests.TxnOffsetCommitResponse;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * TxnOffsetCommit's checks in Kafka's order, with the ACL authorizer on: WRITE on the
 * transactional id, READ on the group, READ on each topic; then an unknown partition, and
 * NOT_COORDINATOR while no broker coordinates the group (no offsets topic yet).
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class TxnOffsetCommitAclTest {
    static final String TOPIC = "acl-txo";
    static final String GROUP = "acl-txo-g";
    static final String TXN_ID = "acl-txo-tid";

    @Test
    void transactionalIdThenGroupThenTopicAreChecked() throws Exception {
        // the producer id is made up (no transaction coordinator plays along): verification (KIP-890) off, as Kafka's would need
        java.util.Map<String, String> settings = new java.util.HashMap<>(AclProtocolTest.AUTHORIZER);
        settings.put("transaction.partition.verification.enable", "false");
        try (TestBroker broker = new TestBroker(settings)) {
            AclProtocolTest.grant(broker.broker(), AclProtocolTest.cluster(AclOperation.CREATE));
            try (Admin admin = broker.admin()) {
                admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get();
            }
            try (RawClient c = new RawClient(broker.port())) {
                assertEquals(List.of(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED),
                        commit(c));

                AclProtocolTest.grant(broker.broker(),
                        AclProtocolTest.allow(ResourceType.TRANSACTIONAL_ID, TXN_ID, PatternType.LITERAL, AclOperation.WRITE));
                awaitAnswer(c, List.of(Errors.GROUP_AUTHORIZATION_FAILED, Errors.GROUP_AUTHORIZATION_FAILED));

                AclProtocolTest.grant(broker.broker(), AclProtocolTest.allow(ResourceType.GROUP, GROUP, PatternType.LITERAL, AclOperation.READ));
                awaitAnswer(c, List.of(Errors.TOPIC_AUTHORIZATION_FAILED, Errors.TOPIC_AUTHORIZATION_FAILED));

                AclProtocolTest.grant(broker.broker(), AclProtocolTest.allow(ResourceType.TOPIC, TOPIC, PatternType.LITERAL, AclOperation.READ));
                awaitAnswer(c, List.of(Errors.NOT_COORDINATOR, Errors.UNKNOWN_TOPIC_OR_PARTITION)); // no __consumer_offsets yet

                FindCoordinatorResponse found = c.send(new FindCoordinatorRequest.Builder(new FindCoordinatorRequestData().setKeyType((byte) 0)
                        .setCoordinatorKeys(List.of(GROUP))).build((short) 4));
                assertEquals(Errors.NONE.code(), found.data().coordinators().get(0).errorCode());
                awaitAnswer(c, List.of(Errors.NONE, Errors.UNKNOWN_TOPIC_OR_PARTITION));
            }
        }
    }

    /** A v3 TxnOffsetCommit for partition 0 (exists) and 7 (does not); the errors in that order. */
    private static List<Errors> commit(RawClient c) throws Exception {
        TxnOffsetCommitRequestData data = new TxnOffsetCommitRequestData().setTransactionalId(TXN_ID).setGroupId(GROUP)
                .setProducerId(6001L).setProducerEpoch((short) 0).setGenerationId(-1).setMemberId("")
                .setTopics(List.of(new TxnOffsetCommitRequestTopic().setName(TOPIC).setPartitions(List.of(
                        new TxnOffsetCommitRequestPartition().setPartitionIndex(0).setCommittedOffset(3L),
                        new TxnOffsetCommitRequestPartition().setPartitionIndex(7).setCommittedOffset(3L)))));
        TxnOffsetCommitResponse r = c.send(new TxnOffsetCommitRequest.Builder(data).build((short) 3));
        return r.data().topics().get(0).partitions().stream().map(p -> Errors.forCode(p.errorCode())).toList();
    }

    /** Grants reach the broker through metadata: waits for the expected answer. */
    private static void awaitAnswer(RawClient c, List<Errors> expected) throws Exception {
        List<List<Errors>> last = new java.util.ArrayList<>(List.of(List.of()));
        try {
            InJvmCluster.await("answer " + expected, 20_000, () -> {
                try {
                    last.set(0, commit(c));
                    return last.get(0).equals(expected);
                } catch (Exception e) {
                    return false;
                }
            });
        } catch (AssertionError e) {
            assertEquals(expected, last.get(0));
        }
        assertEquals(expected, last.get(0));
    }
}
