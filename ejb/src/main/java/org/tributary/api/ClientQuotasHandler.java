package org.tributary.api;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.AlterClientQuotasRequestData;
import org.apache.kafka.common.message.AlterClientQuotasResponseData;
import org.apache.kafka.common.message.DescribeClientQuotasRequestData;
import org.apache.kafka.common.message.DescribeClientQuotasResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.apache.kafka.common.requests.DescribeClientQuotasRequest;
import org.tributary.controller.ControllerClient;
import org.tributary.metadata.ClientQuotas;

/**
 * Client quotas (KIP-546; {@code kafka-configs --entity-type users/clients}): DescribeClientQuotas
 * answers from this broker's metadata image with Kafka's filter rules; AlterClientQuotas is
 * forwarded to the active controller, which validates each entity and writes the changes.
 */
final class ClientQuotasHandler {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private final ApiServices services;

    ClientQuotasHandler(ApiServices services) {
        this.services = services;
    }

    CompletionStage<ApiMessage> describe(RequestContext ctx, ApiMessage message) {
        DescribeClientQuotasRequestData req = (DescribeClientQuotasRequestData) message;
        DescribeClientQuotasResponseData resp = new DescribeClientQuotasResponseData().setThrottleTimeMs(0);
        Map<String, String> exact = new HashMap<>();
        Set<String> anyName = new HashSet<>();
        for (DescribeClientQuotasRequestData.ComponentData c : req.components()) {
            String type = c.entityType();
            if (type == null || type.isEmpty()) {
                return error(Errors.INVALID_REQUEST, "Invalid empty entity type.");
            }
            if (exact.containsKey(type) || anyName.contains(type)) {
                return error(Errors.INVALID_REQUEST, "Entity type " + type + " cannot appear more than once in the filter.");
            }
            if (!type.equals(ClientQuotas.USER) && !type.equals(ClientQuotas.CLIENT_ID) && !type.equals(ClientQuotaEntity.IP)) {
                return error(Errors.UNSUPPORTED_VERSION, "Unsupported entity type " + type);
            }
            switch (c.matchType()) {
                case DescribeClientQuotasRequest.MATCH_TYPE_EXACT:
                    if (c.match() == null) {
                        return error(Errors.INVALID_REQUEST, "Request specified MATCH_TYPE_EXACT, but set match string to null.");
                    }
                    exact.put(type, c.match());
                    break;
                case DescribeClientQuotasRequest.MATCH_TYPE_DEFAULT:
                    if (c.match() != null) {
                        return error(Errors.INVALID_REQUEST, "Request specified MATCH_TYPE_DEFAULT, but also specified a match string.");
                    }
                    exact.put(type, null);
                    break;
                case DescribeClientQuotasRequest.MATCH_TYPE_SPECIFIED:
                    if (c.match() != null) {
                        return error(Errors.INVALID_REQUEST, "Request specified MATCH_TYPE_SPECIFIED, but also specified a match string.");
                    }
                    anyName.add(type);
                    break;
                default:
                    return error(Errors.INVALID_REQUEST, "Unknown match type " + c.matchType());
            }
        }
        boolean ip = exact.containsKey(ClientQuotaEntity.IP) || anyName.contains(ClientQuotaEntity.IP);
        if (ip && (exact.size() + anyName.size() > 1)) {
            return error(Errors.INVALID_REQUEST, "Invalid entity filter component combination. IP filter component should not be "
                    + "used with user or clientId filter component.");
        }
        int components = exact.size() + anyName.size();
        ctx.image().quotas().entities().forEach((entity, values) -> {
            Map<String, String> e = entity.entries();
            boolean match = (components > 0 || !req.strict())
                    && exact.entrySet().stream().allMatch(m -> e.containsKey(m.getKey()) && java.util.Objects.equals(e.get(m.getKey()),
                            m.getValue()))
                    && anyName.stream().allMatch(e::containsKey)
                    && (!req.strict() || e.size() == components);
            if (!match) {
                return;
            }
            DescribeClientQuotasResponseData.EntryData out = new DescribeClientQuotasResponseData.EntryData();
            new java.util.TreeMap<>(e).forEach((type, name) -> out.entity().add(new DescribeClientQuotasResponseData.EntityData()
                    .setEntityType(type).setEntityName(name)));
            values.forEach((k, v) -> out.values().add(new DescribeClientQuotasResponseData.ValueData().setKey(k).setValue(v)));
            resp.entries().add(out);
        });
        return CompletableFuture.completedFuture(resp);
    }

    private static CompletionStage<ApiMessage> error(Errors e, String message) {
        return CompletableFuture.completedFuture(new DescribeClientQuotasResponseData().setThrottleTimeMs(0)
                .setErrorCode(e.code()).setErrorMessage(message).setEntries(null));
    }

    CompletionStage<ApiMessage> alter(RequestContext ctx, ApiMessage message) {
        AlterClientQuotasRequestData req = ((AlterClientQuotasRequestData) message).duplicate();
        return services.controller().send(req, AlterClientQuotasResponseData.class, TIMEOUT)
                .<ApiMessage>thenApply(resp -> resp.duplicate().setThrottleTimeMs(0))
                .exceptionally(e -> {
                    RuntimeException t = ControllerClient.translator().apply(e);
                    AlterClientQuotasResponseData out = new AlterClientQuotasResponseData().setThrottleTimeMs(0);
                    for (AlterClientQuotasRequestData.EntryData en : req.entries()) {
                        AlterClientQuotasResponseData.EntryData r = new AlterClientQuotasResponseData.EntryData()
                                .setErrorCode(Errors.forException(t).code()).setErrorMessage(t.getMessage());
                        en.entity().forEach(d -> r.entity().add(new AlterClientQuotasResponseData.EntityData()
                                .setEntityType(d.entityType()).setEntityName(d.entityName())));
                        out.entries().add(r);
                    }
                    return out;
                });
    }
}
