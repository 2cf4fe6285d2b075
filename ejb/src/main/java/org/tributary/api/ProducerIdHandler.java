package org.tributary.api;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

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
        if (req.transactionalId() != null) {
            return CompletableFuture.completedFuture(resp.setErrorCode(Errors.UNSUPPORTED_VERSION.code()));
        }
        return CompletableFuture.completedFuture(resp.setProducerId(services.producerIds().nextProducerId())
                .setProducerEpoch((short) 0));
    }
}
