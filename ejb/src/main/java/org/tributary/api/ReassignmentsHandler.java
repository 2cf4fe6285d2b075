package org.tributary.api;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData;
import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData;
import org.apache.kafka.common.message.ListPartitionReassignmentsRequestData;
import org.apache.kafka.common.message.ListPartitionReassignmentsResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.tributary.controller.ControllerClient;

/**
 * Partition reassignment (KIP-455; {@code kafka-reassign-partitions}): AlterPartitionReassignments
 * and ListPartitionReassignments, forwarded to the active controller like ElectLeaders. The
 * controller starts, replaces or cancels each partition's reassignment and answers per partition;
 * the move itself happens as new replicas catch up and join the ISR. Without a controller answer
 * the whole request fails with the retriable error the client knows.
 *
 * <p>AlterPartitionReassignments waits for the controller as long as its {@code timeoutMs} asks
 * (at most {@link TopicAdmin#requestWait}'s cap); 0 or less is a deadline already passed, as in
 * Kafka's controller (deadline = now + timeoutMs): REQUEST_TIMED_OUT at once, nothing sent.
 */
final class ReassignmentsHandler {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private final ApiServices services;

    ReassignmentsHandler(ApiServices services) {
        this.services = services;
    }

    CompletionStage<ApiMessage> alter(RequestContext ctx, ApiMessage message) {
        services.authorizer().requireCluster(ctx, org.apache.kafka.common.acl.AclOperation.ALTER);
        AlterPartitionReassignmentsRequestData req = ((AlterPartitionReassignmentsRequestData) message).duplicate();
        if (ctx.apiVersion() < 1) {
            req.setAllowReplicationFactorChange(true);
        }
        java.util.Optional<Duration> wait = TopicAdmin.requestWait(req.timeoutMs());
        if (wait.isEmpty()) {
            // Kafka's controller takes now + timeoutMs as the deadline: 0 or less has passed before it starts
            return java.util.concurrent.CompletableFuture.completedFuture(new AlterPartitionReassignmentsResponseData().setThrottleTimeMs(0)
                    .setErrorCode(Errors.REQUEST_TIMED_OUT.code()).setErrorMessage("The request's timeoutMs is " + req.timeoutMs()
                            + ", a deadline that has already passed: nothing was changed (send a positive timeoutMs)"));
        }
        return services.controller().send(req, AlterPartitionReassignmentsResponseData.class, wait.get())
                .<ApiMessage>thenApply(resp -> {
                    AlterPartitionReassignmentsResponseData out = resp.duplicate().setThrottleTimeMs(0);
                    if (ctx.apiVersion() < 1) {
                        out.setAllowReplicationFactorChange(true); // not in v0: must stay at its default
                    }
                    return out;
                })
                .exceptionally(e -> {
                    RuntimeException t = ControllerClient.translator().apply(e);
                    return new AlterPartitionReassignmentsResponseData().setThrottleTimeMs(0)
                            .setErrorCode(Errors.forException(t).code()).setErrorMessage(t.getMessage());
                });
    }

    CompletionStage<ApiMessage> list(RequestContext ctx, ApiMessage message) {
        services.authorizer().requireCluster(ctx, org.apache.kafka.common.acl.AclOperation.DESCRIBE);
        ListPartitionReassignmentsRequestData req = ((ListPartitionReassignmentsRequestData) message).duplicate();
        return services.controller().send(req, ListPartitionReassignmentsResponseData.class, timeout(req.timeoutMs()))
                .<ApiMessage>thenApply(resp -> resp.duplicate().setThrottleTimeMs(0))
                .exceptionally(e -> {
                    RuntimeException t = ControllerClient.translator().apply(e);
                    return new ListPartitionReassignmentsResponseData().setThrottleTimeMs(0)
                            .setErrorCode(Errors.forException(t).code()).setErrorMessage(t.getMessage());
                });
    }

    private static Duration timeout(int requestMs) {
        return requestMs > 0 ? Duration.ofMillis(requestMs) : TIMEOUT;
    }
}
