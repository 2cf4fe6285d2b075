package org.tributary.api;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.DescribeProducersRequestData;
import org.apache.kafka.common.message.DescribeProducersResponseData;
import org.apache.kafka.common.message.DescribeProducersResponseData.PartitionResponse;
import org.apache.kafka.common.message.DescribeProducersResponseData.ProducerState;
import org.apache.kafka.common.message.DescribeProducersResponseData.TopicResponse;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.ResourceType;
import org.tributary.metadata.TopicImage;
import org.tributary.partition.Partition;

/**
 * DescribeProducers (API 61, KIP-664; {@code kafka-transactions describe-producers}): for each
 * partition this broker leads, every producer its state holds: id, epoch, last sequence, last
 * timestamp, coordinator epoch of its last marker and the first offset of its open transaction.
 * Needs READ on the topic (TOPIC_AUTHORIZATION_FAILED otherwise); a partition led elsewhere is
 * NOT_LEADER_OR_FOLLOWER, an unknown one UNKNOWN_TOPIC_OR_PARTITION.
 */
final class DescribeProducersHandler implements ApiHandler {
    private final ApiServices services;

    DescribeProducersHandler(ApiServices services) {
        this.services = services;
    }

    @Override
    public CompletionStage<ApiMessage> handle(RequestContext ctx, ApiMessage message) {
        DescribeProducersRequestData req = (DescribeProducersRequestData) message;
        DescribeProducersResponseData resp = new DescribeProducersResponseData().setThrottleTimeMs(0);
        for (DescribeProducersRequestData.TopicRequest t : req.topics()) {
            TopicResponse tr = new TopicResponse().setName(t.name());
            resp.topics().add(tr);
            boolean readable = services.authorizer().allows(ctx, AclOperation.READ, ResourceType.TOPIC, t.name());
            TopicImage topic = readable ? ctx.image().topic(t.name()).orElse(null) : null;
            for (int index : t.partitionIndexes()) {
                PartitionResponse pr = new PartitionResponse().setPartitionIndex(index);
                tr.partitions().add(pr);
                if (!readable) {
                    pr.setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code());
                    continue;
                }
                Partition p = services.replicas().partition(new TopicPartition(t.name(), index)).orElse(null);
                if (topic == null || p == null || !p.topicId().equals(topic.id())) {
                    Errors e = ApiErrors.notServed(topic, index);
                    pr.setErrorCode(e.code()).setErrorMessage(e.message());
                    continue;
                }
                for (Partition.ProducerView v : p.activeProducers()) {
                    pr.activeProducers().add(new ProducerState().setProducerId(v.producerId()).setProducerEpoch(v.producerEpoch())
                            .setLastSequence(v.lastSequence()).setLastTimestamp(v.lastTimestamp())
                            .setCoordinatorEpoch(v.coordinatorEpoch()).setCurrentTxnStartOffset(v.currentTxnStartOffset()));
                }
            }
        }
        return CompletableFuture.completedFuture(resp);
    }
}
