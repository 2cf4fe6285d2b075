package org.tributary.api;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.protocol.ApiMessage;

/** ApiVersions: the registry's table, nothing more (KIP-35, KIP-511). */
final class ApiVersionsHandler implements ApiHandler {
    private final ApiRegistry registry;

    ApiVersionsHandler(ApiRegistry registry) {
        this.registry = registry;
    }

    @Override
    public CompletionStage<ApiMessage> handle(RequestContext ctx, ApiMessage request) {
        return CompletableFuture.completedFuture(new ApiVersionsResponseData()
                .setErrorCode((short) 0)
                .setThrottleTimeMs(0)
                .setApiKeys(registry.advertised())
                .setFinalizedFeaturesEpoch(-1L)
                .setZkMigrationReady(false));
    }
}
