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
 * InitProducerId for idempotent producers: a fresh cluster-unique producer id at epoch 0.
 * Transactional ids need the transaction coordinator, which is not there yet.
 */
final class ProducerIdHandler implements ApiHandler {
    private final ApiServices services;

    ProducerIdHandler(ApiServices services) {
        this.services = services;
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
            return CompletableFuture.completedFuture(resp.setErrorCode(Errors.UNSUPPORTED_VERSION.code()));
        }
        // KIP-679: IDEMPOTENT_WRITE on the cluster, or WRITE on any topic
        if (!auth.filters(ctx, AclOperation.IDEMPOTENT_WRITE, ResourceType.CLUSTER, RequestAuthorizer.CLUSTER_NAME)
                && !auth.allowsSome(ctx, AclOperation.WRITE, ResourceType.TOPIC)) {
            return CompletableFuture.completedFuture(resp.setErrorCode(Errors.CLUSTER_AUTHORIZATION_FAILED.code()));
        }
        return CompletableFuture.completedFuture(resp.setProducerId(services.producerIds().nextProducerId())
                .setProducerEpoch((short) 0));
    }
}
