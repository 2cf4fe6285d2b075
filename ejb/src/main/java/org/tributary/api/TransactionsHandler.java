package org.tributary.api;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.AddOffsetsToTxnRequestData;
import org.apache.kafka.common.message.AddOffsetsToTxnResponseData;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData;
import org.apache.kafka.common.message.EndTxnRequestData;
import org.apache.kafka.common.message.EndTxnResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AddPartitionsToTxnRequest;
import org.apache.kafka.common.requests.AddPartitionsToTxnResponse;
import org.apache.kafka.common.resource.ResourceType;
import org.tributary.group.GroupCoordinator;
import org.tributary.txn.TransactionCoordinator;

/**
 * The transactional producer's APIs at the transaction coordinator: AddPartitionsToTxn (v0–v3 from
 * clients; v4+ batched from brokers, KIP-890, with {@code verify_only}), AddOffsetsToTxn and EndTxn.
 * Authorization as Kafka: WRITE on the transactional id, WRITE on each topic, READ on the group,
 * CLUSTER_ACTION for the broker form. PRODUCER_FENCED is answered INVALID_PRODUCER_EPOCH to versions
 * older than KIP-588's (v2 of these three).
 */
final class TransactionsHandler {
    private final ApiServices services;
    private final TransactionCoordinator txns;
    private final GroupCoordinator groups;

    TransactionsHandler(ApiServices services, TransactionCoordinator txns) {
        this.services = services;
        this.txns = txns;
        this.groups = services.groups();
    }

    static Errors fenced(Errors e, short version, int firstFencedVersion) {
        return e == Errors.PRODUCER_FENCED && version < firstFencedVersion ? Errors.INVALID_PRODUCER_EPOCH : e;
    }

    CompletionStage<ApiMessage> addPartitions(RequestContext ctx, ApiMessage message) {
        AddPartitionsToTxnRequestData req = (AddPartitionsToTxnRequestData) message;
        short v = ctx.apiVersion();
        AddPartitionsToTxnResponseData out = new AddPartitionsToTxnResponseData().setThrottleTimeMs(0);
        if (v < 4) {
            List<TopicPartition> partitions = AddPartitionsToTxnRequest.getPartitions(req.v3AndBelowTopics());
            return addForClient(ctx, req.v3AndBelowTransactionalId(), req.v3AndBelowProducerId(), req.v3AndBelowProducerEpoch(),
                    partitions).thenApply(errors -> out.setResultsByTopicV3AndBelow(
                            AddPartitionsToTxnResponse.resultForTransaction(AddPartitionsToTxnResponse.V3_AND_BELOW_TXN_ID, errors)
                                    .topicResults()));
        }
        if (!services.authorizer().allows(ctx, AclOperation.CLUSTER_ACTION, ResourceType.CLUSTER, RequestAuthorizer.CLUSTER_NAME)) {
            return CompletableFuture.completedFuture(out.setErrorCode(Errors.CLUSTER_AUTHORIZATION_FAILED.code()));
        }
        CompletableFuture<Void> all = CompletableFuture.completedFuture(null);
        for (AddPartitionsToTxnRequestData.AddPartitionsToTxnTransaction t : req.transactions()) {
            List<TopicPartition> partitions = AddPartitionsToTxnRequest.getPartitions(t.topics());
            CompletableFuture<Map<TopicPartition, Errors>> result;
            if (t.verifyOnly()) {
                Errors e = txns.checkCoordinator(t.transactionalId());
                result = CompletableFuture.completedFuture(e != Errors.NONE ? uniform(partitions, e)
                        : txns.verifyPartitions(t.transactionalId(), t.producerId(), t.producerEpoch(), new HashSet<>(partitions)));
            } else {
                result = add(t.transactionalId(), t.producerId(), t.producerEpoch(), partitions, v);
            }
            all = all.thenCombine(result, (x, errors) -> {
                synchronized (out) {
                    out.resultsByTransaction().add(AddPartitionsToTxnResponse.resultForTransaction(t.transactionalId(), errors));
                }
                return null;
            });
        }
        return all.thenApply(x -> out);
    }

    /** The client form: authorization per transactional id and topic, unknown partitions, then the coordinator. */
    private CompletableFuture<Map<TopicPartition, Errors>> addForClient(RequestContext ctx, String id, long producerId, short epoch,
            List<TopicPartition> partitions) {
        RequestAuthorizer auth = services.authorizer();
        if (!auth.allows(ctx, AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, id)) {
            return CompletableFuture.completedFuture(uniform(partitions, Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED));
        }
        Map<TopicPartition, Errors> refused = new LinkedHashMap<>();
        for (TopicPartition tp : partitions) {
            if (!auth.allows(ctx, AclOperation.WRITE, ResourceType.TOPIC, tp.topic())) {
                refused.put(tp, Errors.TOPIC_AUTHORIZATION_FAILED);
            } else if (Topic.isInternal(tp.topic()) || services.metadata().image().topic(tp.topic())
                    .filter(t -> tp.partition() >= 0 && tp.partition() < t.partitionCount()).isEmpty()) {
                refused.put(tp, Errors.UNKNOWN_TOPIC_OR_PARTITION);
            }
        }
        if (!refused.isEmpty()) { // as Kafka: the others are not attempted
            Map<TopicPartition, Errors> out = uniform(partitions, Errors.OPERATION_NOT_ATTEMPTED);
            out.putAll(refused);
            return CompletableFuture.completedFuture(out);
        }
        return add(id, producerId, epoch, partitions, ctx.apiVersion());
    }

    private CompletableFuture<Map<TopicPartition, Errors>> add(String id, long producerId, short epoch, List<TopicPartition> partitions,
            short v) {
        return txns.addPartitions(id, producerId, epoch, new HashSet<>(partitions))
                .thenApply(e -> uniform(partitions, fenced(e, v, 2)));
    }

    private static Map<TopicPartition, Errors> uniform(List<TopicPartition> partitions, Errors e) {
        Map<TopicPartition, Errors> out = new HashMap<>();
        partitions.forEach(tp -> out.put(tp, e));
        return out;
    }

    CompletionStage<ApiMessage> addOffsets(RequestContext ctx, ApiMessage message) {
        AddOffsetsToTxnRequestData req = (AddOffsetsToTxnRequestData) message;
        AddOffsetsToTxnResponseData out = new AddOffsetsToTxnResponseData().setThrottleTimeMs(0);
        RequestAuthorizer auth = services.authorizer();
        if (!auth.allows(ctx, AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, req.transactionalId())) {
            return CompletableFuture.completedFuture(out.setErrorCode(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code()));
        }
        if (!auth.allows(ctx, AclOperation.READ, ResourceType.GROUP, req.groupId())) {
            return CompletableFuture.completedFuture(out.setErrorCode(Errors.GROUP_AUTHORIZATION_FAILED.code()));
        }
        if (groups == null) {
            return CompletableFuture.completedFuture(out.setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code()));
        }
        TopicPartition offsets = new TopicPartition(Topic.GROUP_METADATA_TOPIC_NAME, groups.partitionFor(req.groupId()));
        return txns.addPartitions(req.transactionalId(), req.producerId(), req.producerEpoch(), Set.of(offsets))
                .thenApply(e -> out.setErrorCode(fenced(e, ctx.apiVersion(), 2).code()));
    }

    CompletionStage<ApiMessage> endTxn(RequestContext ctx, ApiMessage message) {
        EndTxnRequestData req = (EndTxnRequestData) message;
        EndTxnResponseData out = new EndTxnResponseData().setThrottleTimeMs(0).setProducerId(-1L).setProducerEpoch((short) -1);
        if (!services.authorizer().allows(ctx, AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, req.transactionalId())) {
            return CompletableFuture.completedFuture(out.setErrorCode(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code()));
        }
        return txns.endTxn(req.transactionalId(), req.producerId(), req.producerEpoch(), req.committed())
                .thenApply(e -> out.setErrorCode(fenced(e, ctx.apiVersion(), 2).code()));
    }
}
