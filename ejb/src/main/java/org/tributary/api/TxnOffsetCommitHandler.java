package org.tributary.api;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData;
import org.apache.kafka.common.message.TxnOffsetCommitResponseData;
import org.apache.kafka.common.message.TxnOffsetCommitResponseData.TxnOffsetCommitResponsePartition;
import org.apache.kafka.common.message.TxnOffsetCommitResponseData.TxnOffsetCommitResponseTopic;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.ResourceType;
import org.tributary.group.CommittedOffset;
import org.tributary.group.GroupCoordinator;
import org.tributary.group.TxnOffsetCommits;
import org.tributary.metadata.TopicImage;

/**
 * TxnOffsetCommit (API 28, KIP-98; member fields from v3, KIP-447): a transactional producer's
 * {@code sendOffsetsToTransaction}. Checked as Kafka's KafkaApis: WRITE on the transactional id
 * (else every partition TRANSACTIONAL_ID_AUTHORIZATION_FAILED), READ on the group
 * (GROUP_AUTHORIZATION_FAILED), READ on each topic (TOPIC_AUTHORIZATION_FAILED) and an existing
 * partition (UNKNOWN_TOPIC_OR_PARTITION); then the group coordinator writes the offsets in the
 * producer's transaction and answers once they are replicated. They become visible with the
 * transaction's COMMIT marker.
 */
final class TxnOffsetCommitHandler {
    private final GroupCoordinator coordinator;
    private final RequestAuthorizer authorizer;

    TxnOffsetCommitHandler(GroupCoordinator coordinator, RequestAuthorizer authorizer) {
        this.coordinator = coordinator;
        this.authorizer = authorizer;
    }

    CompletionStage<ApiMessage> txnOffsetCommit(RequestContext ctx, ApiMessage message) {
        TxnOffsetCommitRequestData req = (TxnOffsetCommitRequestData) message;
        TxnOffsetCommitResponseData out = new TxnOffsetCommitResponseData().setThrottleTimeMs(0);
        Errors all = !authorizer.allows(ctx, AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, req.transactionalId())
                ? Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED
                : !authorizer.allows(ctx, AclOperation.READ, ResourceType.GROUP, req.groupId()) ? Errors.GROUP_AUTHORIZATION_FAILED
                : Errors.NONE;
        Map<TopicPartition, CommittedOffset> offsets = new LinkedHashMap<>();
        Map<TopicPartition, TxnOffsetCommitResponsePartition> responses = new LinkedHashMap<>();
        for (TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic t : req.topics()) {
            TxnOffsetCommitResponseTopic rt = new TxnOffsetCommitResponseTopic().setName(t.name());
            out.topics().add(rt);
            TopicImage topic = ctx.image().topic(t.name()).orElse(null);
            boolean readable = all == Errors.NONE && authorizer.allows(ctx, AclOperation.READ, ResourceType.TOPIC, t.name());
            for (TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition p : t.partitions()) {
                TxnOffsetCommitResponsePartition rp = new TxnOffsetCommitResponsePartition().setPartitionIndex(p.partitionIndex());
                rt.partitions().add(rp);
                if (all != Errors.NONE) {
                    rp.setErrorCode(all.code());
                } else if (!readable) {
                    rp.setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code());
                } else if (topic == null || p.partitionIndex() < 0 || p.partitionIndex() >= topic.partitionCount()) {
                    rp.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
                } else {
                    TopicPartition tp = new TopicPartition(t.name(), p.partitionIndex());
                    offsets.put(tp, new CommittedOffset(p.committedOffset(), p.committedLeaderEpoch(), p.committedMetadata(), -1L, -1L));
                    responses.put(tp, rp);
                }
            }
        }
        if (offsets.isEmpty()) {
            return CompletableFuture.completedFuture(out);
        }
        boolean members = ctx.apiVersion() >= 3;
        TxnOffsetCommits.TxnCommitRequest r = new TxnOffsetCommits.TxnCommitRequest(req.transactionalId(), req.producerId(), req.producerEpoch(),
                req.groupId(), members ? req.memberId() : "", members ? req.groupInstanceId() : null,
                members ? req.generationId() : -1, offsets);
        return coordinator.txnOffsets().commit(r).thenApply(result -> {
            result.forEach((tp, e) -> responses.get(tp).setErrorCode(e.code()));
            return out;
        });
    }
}
