package org.tributary.api;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData;
import org.apache.kafka.common.message.TxnOffsetCommitResponseData;
import org.apache.kafka.common.message.TxnOffsetCommitResponseData.TxnOffsetCommitResponsePartition;
import org.apache.kafka.common.message.TxnOffsetCommitResponseData.TxnOffsetCommitResponseTopic;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.resource.ResourceType;
import org.tributary.coordinator.CoordinatorLog.TxnVerification;
import org.tributary.group.CommittedOffset;
import org.tributary.group.GroupCoordinator;
import org.tributary.group.TxnOffsetCommits;
import org.tributary.metadata.TopicImage;
import org.tributary.partition.Partition;
import org.tributary.partition.ReplicaManager;
import org.tributary.partition.TxnVerifier;

/**
 * TxnOffsetCommit (API 28, KIP-98; member fields from v3, KIP-447): a transactional producer's
 * {@code sendOffsetsToTransaction}. Checked as Kafka's KafkaApis: WRITE on the transactional id
 * (else every partition TRANSACTIONAL_ID_AUTHORIZATION_FAILED), READ on the group
 * (GROUP_AUTHORIZATION_FAILED), READ on each topic (TOPIC_AUTHORIZATION_FAILED) and an existing
 * partition (UNKNOWN_TOPIC_OR_PARTITION); then the group coordinator writes the offsets in the
 * producer's transaction and answers once they are replicated. With verification (KIP-890) the
 * transaction coordinator first confirms the group's offsets partition is in the transaction, and
 * the write carries the partition's verification guard: a marker that ended the transaction in
 * between refuses it (INVALID_TXN_STATE) instead of opening a transaction no marker would end.
 * The offsets become visible with the transaction's COMMIT marker.
 */
final class TxnOffsetCommitHandler {
    private final GroupCoordinator coordinator;
    private final RequestAuthorizer authorizer;
    private final ReplicaManager replicas;
    private final TxnVerifier verifier;
    private final Executor handlers;

    TxnOffsetCommitHandler(GroupCoordinator coordinator, RequestAuthorizer authorizer) {
        this(coordinator, authorizer, null, null, Runnable::run);
    }

    /**
     * {@code verifier} (with {@code replicas}, where the group's offsets partition lives): the
     * transaction coordinator is asked first whether that partition is in the producer's
     * transaction (KIP-890); null for no verification. {@code handlers}: where the commit goes on.
     */
    TxnOffsetCommitHandler(GroupCoordinator coordinator, RequestAuthorizer authorizer, ReplicaManager replicas, TxnVerifier verifier,
            Executor handlers) {
        this.coordinator = coordinator;
        this.authorizer = authorizer;
        this.replicas = replicas;
        this.verifier = replicas == null ? null : verifier;
        this.handlers = handlers;
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
        if (verifier == null) {
            return commit(r, TxnVerification.UNCHECKED, responses, out);
        }
        Object guard = verificationGuard(req);
        if (guard == null) { // the transaction is open on the offsets partition: the write must still find it open
            return commit(r, TxnVerification.withGuard(null), responses, out);
        }
        TopicPartition offsetsPartition = offsetsPartition(req.groupId());
        return verifier.verify(req.transactionalId(), req.producerId(), req.producerEpoch(), Set.of(offsetsPartition))
                .thenComposeAsync(failed -> {
                    Errors e = failed.getOrDefault(offsetsPartition, Errors.NONE);
                    if (e == Errors.NONE) {
                        return commit(r, TxnVerification.withGuard(guard), responses, out);
                    }
                    Errors answer = answer(e, ctx.apiVersion() >= 4);
                    responses.values().forEach(rp -> rp.setErrorCode(answer.code()));
                    return CompletableFuture.<ApiMessage>completedFuture(out);
                }, handlers);
    }

    /**
     * Writes the offsets; with verification the write carries the guard (Kafka's
     * commitTransactionalOffsets hands its VerificationGuard to the append), so a marker that ended
     * the transaction meanwhile refuses it: INVALID_TXN_STATE, which Kafka's group coordinator
     * passes on unchanged whatever the version.
     */
    private CompletableFuture<ApiMessage> commit(TxnOffsetCommits.TxnCommitRequest r, TxnVerification verification,
            Map<TopicPartition, TxnOffsetCommitResponsePartition> responses, TxnOffsetCommitResponseData out) {
        return coordinator.txnOffsets().commit(r, verification).thenApply(result -> {
            result.forEach((tp, e) -> responses.get(tp).setErrorCode(e.code()));
            return out;
        });
    }

    private TopicPartition offsetsPartition(String groupId) {
        return new TopicPartition(Topic.GROUP_METADATA_TOPIC_NAME, coordinator.partitionFor(groupId));
    }

    /** The guard when the producer's transaction is not open yet on the group's offsets partition here; else null (nothing to ask). */
    private Object verificationGuard(TxnOffsetCommitRequestData req) {
        Partition p = replicas.partition(offsetsPartition(req.groupId())).orElse(null);
        return p == null ? null : p.startTxnVerification(req.producerId(), RecordBatch.NO_SEQUENCE, req.producerEpoch(),
                System.currentTimeMillis());
    }

    /**
     * What the producer is told when verification failed: not in the transaction, INVALID_TXN_STATE
     * (TRANSACTION_ABORTABLE from v4); the transaction coordinator could not answer,
     * COORDINATOR_NOT_AVAILABLE, which the client retries.
     */
    static Errors answer(Errors e, boolean abortableSupported) {
        return switch (e) {
            case TRANSACTION_ABORTABLE -> abortableSupported ? e : Errors.INVALID_TXN_STATE;
            case NETWORK_EXCEPTION, COORDINATOR_LOAD_IN_PROGRESS, COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR, CONCURRENT_TRANSACTIONS ->
                    Errors.COORDINATOR_NOT_AVAILABLE;
            default -> e;
        };
    }
}
