package org.tributary.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tributary.server.TxnRequests.marker;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.DescribeProducersRequestData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeProducersRequest;
import org.apache.kafka.common.requests.DescribeProducersResponse;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.tributary.partition.Partition;

/**
 * With the ACL authorizer on: WriteTxnMarkers needs CLUSTER_ACTION on the cluster (a client
 * without it cannot end other producers' transactions) and DescribeProducers needs READ on the topic.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class TransactionDataAclTest {

    @Test
    void markersNeedClusterActionAndDescribeProducersNeedsRead() throws Exception {
        try (TestBroker broker = new TestBroker(AclProtocolTest.AUTHORIZER)) {
            AclProtocolTest.grant(broker.broker(), AclProtocolTest.cluster(AclOperation.CREATE));
            try (Admin admin = broker.admin()) {
                admin.createTopics(List.of(new NewTopic("acl-tx", 1, (short) 1))).all().get();
            }
            // CreateTopics is answered once this broker's image has the topic; its log opens a moment later
            org.apache.kafka.common.TopicPartition tp = new org.apache.kafka.common.TopicPartition("acl-tx", 0);
            InJvmCluster.await("acl-tx-0 to open", 20_000, () -> broker.server().replicaManager().orElseThrow().replica(tp).isPresent());
            Partition p = broker.server().replicaManager().orElseThrow().replica(tp).orElseThrow();
            try (RawClient c = new RawClient(broker.port())) {
                assertEquals(List.of(Errors.CLUSTER_AUTHORIZATION_FAILED), marker(c, 9001, (short) 0, 0, false, "acl-tx", 0));
                assertEquals(0, p.logEndOffset(), "nothing was written");
                assertEquals(Errors.TOPIC_AUTHORIZATION_FAILED.code(), describe(c).errorCode());

                AclProtocolTest.grant(broker.broker(), AclProtocolTest.cluster(AclOperation.CLUSTER_ACTION),
                        AclProtocolTest.allow(ResourceType.TOPIC, "acl-tx", PatternType.LITERAL, AclOperation.READ));
                InJvmCluster.await("the grants reach the broker", 20_000, () -> {
                    try {
                        return marker(c, 9001, (short) 0, 0, false, "acl-tx", 0).equals(List.of(Errors.NONE));
                    } catch (Exception e) {
                        return false;
                    }
                });
                assertTrue(p.logEndOffset() >= 1, "the marker was written");
                org.apache.kafka.common.message.DescribeProducersResponseData.PartitionResponse d = describe(c);
                assertEquals(Errors.NONE.code(), d.errorCode());
                assertEquals(9001L, d.activeProducers().get(0).producerId());
            }
        }
    }

    private static org.apache.kafka.common.message.DescribeProducersResponseData.PartitionResponse describe(RawClient c)
            throws Exception {
        DescribeProducersRequestData data = new DescribeProducersRequestData().setTopics(List.of(
                new DescribeProducersRequestData.TopicRequest().setName("acl-tx").setPartitionIndexes(List.of(0))));
        DescribeProducersResponse r = c.send(new DescribeProducersRequest.Builder(data).build((short) 0));
        return r.data().topics().get(0).partitions().get(0);
    }
}
