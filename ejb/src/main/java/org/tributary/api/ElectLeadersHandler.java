package org.tributary.api;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.ElectLeadersRequestData;
import org.apache.kafka.common.message.ElectLeadersResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.tributary.controller.ControllerClient;

/**
 * ElectLeaders (KIP-183 preferred, KIP-460 unclean; {@code kafka-leader-election}): forwarded to
 * the active controller, which elects with Kafka's rules (a preferred leader only from the ISR; an
 * unclean one only when no ISR member is available, which can lose acknowledged records) and
 * answers per partition. Without a controller answer the whole request fails with the retriable
 * error the client knows. v0 requests mean "preferred".
 */
final class ElectLeadersHandler implements ApiHandler {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private final ApiServices services;

    ElectLeadersHandler(ApiServices services) {
        this.services = services;
    }

    @Override
    public CompletionStage<ApiMessage> handle(RequestContext ctx, ApiMessage message) {
        services.authorizer().requireCluster(ctx, org.apache.kafka.common.acl.AclOperation.ALTER);
        ElectLeadersRequestData req = ((ElectLeadersRequestData) message).duplicate();
        if (ctx.apiVersion() == 0) {
            req.setElectionType((byte) 0);
        }
        int timeout = req.timeoutMs() > 0 ? req.timeoutMs() : (int) TIMEOUT.toMillis();
        return services.controller().send(req, ElectLeadersResponseData.class, Duration.ofMillis(timeout))
                .<ApiMessage>thenApply(resp -> {
                    ElectLeadersResponseData out = resp.duplicate().setThrottleTimeMs(0);
                    if (ctx.apiVersion() == 0) {
                        out.setErrorCode(Errors.NONE.code());
                    }
                    return out;
                })
                .exceptionally(e -> {
                    RuntimeException t = ControllerClient.translator().apply(e);
                    Errors err = Errors.forException(t);
                    ElectLeadersResponseData out = new ElectLeadersResponseData().setThrottleTimeMs(0);
                    if (ctx.apiVersion() >= 1) {
                        return out.setErrorCode(err.code());
                    }
                    if (req.topicPartitions() != null) { // v0 has no top-level error: each partition carries it
                        for (ElectLeadersRequestData.TopicPartitions tp : req.topicPartitions()) {
                            ElectLeadersResponseData.ReplicaElectionResult r = new ElectLeadersResponseData.ReplicaElectionResult()
                                    .setTopic(tp.topic());
                            tp.partitions().forEach(p -> r.partitionResult().add(new ElectLeadersResponseData.PartitionResult()
                                    .setPartitionId(p).setErrorCode(err.code()).setErrorMessage(t.getMessage())));
                            out.replicaElectionResults().add(r);
                        }
                    }
                    return out;
                });
    }
}
