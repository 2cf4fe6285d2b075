package org.tributary.api;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.ResourceType;

/**
 * InitProducerId: for idempotent producers a fresh cluster-unique producer id at epoch 0; for a
 * transactional id the transaction coordinator's answer (WRITE on the transactional id; v3+ carries
 * the producer id and epoch of a recovering producer, KIP-360). v6 (KIP-939) as Kafka 4.3.1's broker:
 * {@code enable_2pc} needs TWO_PHASE_COMMIT on the transactional id besides WRITE (else
 * TRANSACTIONAL_ID_AUTHORIZATION_FAILED) and makes its transactions exempt from the timeout;
 * {@code keep_prepared_txn} is refused by the coordinator (UNSUPPORTED_VERSION), so the response's
 * ongoing_txn_producer_id/epoch stay -1.
 */
final class ProducerIdHandler implements ApiHandler {
    private final ApiServices services;

    private final org.tributary.txn.TransactionCoordinator txns;

    ProducerIdHandler(ApiServices services, org.tributary.txn.TransactionCoordinator txns) {
        this.services = services;
        this.txns = txns;
    }

    @Override
    public CompletionStage<ApiMessage> handle(RequestContext ctx, ApiMessage message) {
        InitProducerIdRequestData req = (InitProducerIdRequestData) message;
        InitProducerIdResponseData resp = new InitProducerIdResponseData().setThrottleTimeMs(0)
                .setProducerId(-1L).setProducerEpoch((short) -1);
        RequestAuthorizer auth = services.authorizer();
        if (req.transactionalId() != null) {
            if (!auth.allows(ctx, AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, req.transactionalId())) {
                return CompletableFuture.completedFuture(resp.setErrorCode(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code()));
            }
            if (req.enable2Pc() && !auth.allows(ctx, AclOperation.TWO_PHASE_COMMIT, ResourceType.TRANSACTIONAL_ID, req.transactionalId())) {
                return CompletableFuture.completedFuture(resp.setErrorCode(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code()));
            }
            if (malformed(req)) {
                return CompletableFuture.completedFuture(resp.setErrorCode(Errors.INVALID_REQUEST.code()));
            }
            if (txns == null) {
                return CompletableFuture.completedFuture(resp.setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code()));
            }
            short v = ctx.apiVersion();
            return txns.initProducerId(req.transactionalId(), req.transactionTimeoutMs(), v >= 3 ? req.producerId() : -1L,
                    v >= 3 ? req.producerEpoch() : (short) -1, req.enable2Pc(), req.keepPreparedTxn())
                    .thenApply(r -> resp.setErrorCode(TransactionsHandler.fenced(r.error(), v, 4).code())
                            .setProducerId(r.producerId()).setProducerEpoch(r.epoch()));
        }
        // KIP-679: IDEMPOTENT_WRITE on the cluster, or WRITE on any topic
        if (!auth.filters(ctx, AclOperation.IDEMPOTENT_WRITE, ResourceType.CLUSTER, RequestAuthorizer.CLUSTER_NAME)
                && !auth.allowsSome(ctx, AclOperation.WRITE, ResourceType.TOPIC)) {
            return CompletableFuture.completedFuture(resp.setErrorCode(Errors.CLUSTER_AUTHORIZATION_FAILED.code()));
        }
        if (malformed(req)) {
            return CompletableFuture.completedFuture(resp.setErrorCode(Errors.INVALID_REQUEST.code()));
        }
        try {
            return CompletableFuture.completedFuture(resp.setProducerId(services.producerIds().nextProducerId())
                    .setProducerEpoch((short) 0));
        } catch (org.apache.kafka.common.errors.CoordinatorLoadInProgressException noBlockYet) {
            return CompletableFuture.completedFuture(resp.setErrorCode(Errors.COORDINATOR_LOAD_IN_PROGRESS.code()));
        }
    }

    /** Kafka's check after authorization: a producer id without an epoch (or an epoch without an id) is INVALID_REQUEST. */
    private static boolean malformed(InitProducerIdRequestData req) {
        return (req.producerId() == -1L) != (req.producerEpoch() == -1);
    }
}
