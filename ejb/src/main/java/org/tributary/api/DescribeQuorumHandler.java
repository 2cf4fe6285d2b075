package org.tributary.api;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.DescribeQuorumRequestData;
import org.apache.kafka.common.message.DescribeQuorumResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * DescribeQuorum (what {@code kafka-metadata-quorum describe} sends to any broker): forwarded to
 * the active controller, which answers from the metadata quorum's own state. No controller within
 * the timeout (an election, a minority side) is a retriable REQUEST_TIMED_OUT.
 */
final class DescribeQuorumHandler implements ApiHandler {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private final ApiServices services;

    DescribeQuorumHandler(ApiServices services) {
        this.services = services;
    }

    /** The controller answers at the newest version; older ones have no endpoints (v2) and no timestamps (v1). */
    static DescribeQuorumResponseData forVersion(DescribeQuorumResponseData r, short v) {
        if (v < 2) {
            r.nodes().clear();
        }
        if (v < 1) {
            r.topics().forEach(t -> t.partitions().forEach(p -> {
                p.currentVoters().forEach(s -> s.setLastFetchTimestamp(-1).setLastCaughtUpTimestamp(-1));
                p.observers().forEach(s -> s.setLastFetchTimestamp(-1).setLastCaughtUpTimestamp(-1));
            }));
        }
        return r;
    }

    @Override
    public CompletionStage<ApiMessage> handle(RequestContext ctx, ApiMessage message) {
        services.authorizer().requireCluster(ctx, org.apache.kafka.common.acl.AclOperation.DESCRIBE);
        DescribeQuorumRequestData req = (DescribeQuorumRequestData) message;
        short v = ctx.apiVersion();
        return services.controller().send(req, DescribeQuorumResponseData.class, TIMEOUT)
                .<ApiMessage>thenApply(r -> forVersion(r, v))
                .exceptionally(e -> {
                    Errors err = Errors.forException(org.tributary.controller.ControllerClient.translator().apply(e));
                    return new DescribeQuorumResponseData().setErrorCode(err == Errors.UNKNOWN_SERVER_ERROR
                            ? Errors.REQUEST_TIMED_OUT.code() : err.code()).setErrorMessage(e.getMessage());
                });
    }
}
