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

    @Override
    public CompletionStage<ApiMessage> handle(RequestContext ctx, ApiMessage message) {
        DescribeQuorumRequestData req = (DescribeQuorumRequestData) message;
        return services.controller().send(req, DescribeQuorumResponseData.class, TIMEOUT)
                .<ApiMessage>thenApply(r -> r)
                .exceptionally(e -> {
                    Errors err = Errors.forException(org.tributary.controller.ControllerClient.translator().apply(e));
                    return new DescribeQuorumResponseData().setErrorCode(err == Errors.UNKNOWN_SERVER_ERROR
                            ? Errors.REQUEST_TIMED_OUT.code() : err.code()).setErrorMessage(e.getMessage());
                });
    }
}
