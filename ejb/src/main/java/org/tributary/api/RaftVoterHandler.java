package org.tributary.api;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.AddRaftVoterRequestData;
import org.apache.kafka.common.message.AddRaftVoterResponseData;
import org.apache.kafka.common.message.RemoveRaftVoterRequestData;
import org.apache.kafka.common.message.RemoveRaftVoterResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * AddRaftVoter and RemoveRaftVoter (KIP-853; {@code kafka-metadata-quorum add-controller} and
 * {@code remove-controller} send them to any broker): forwarded to the active controller, which
 * changes the metadata quorum's voters and answers once the change is committed (see
 * {@code broker.QuorumVoterChanges}). Needs ALTER on the cluster. No controller within the timeout
 * (an election, a minority side) is a retriable REQUEST_TIMED_OUT.
 */
final class RaftVoterHandler {
    /** A change may first hand leadership over, then waits for the engine's commit. */
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private final ApiServices services;

    RaftVoterHandler(ApiServices services) {
        this.services = services;
    }

    CompletionStage<ApiMessage> add(RequestContext ctx, ApiMessage message) {
        services.authorizer().requireCluster(ctx, AclOperation.ALTER);
        return services.controller().send((AddRaftVoterRequestData) message, AddRaftVoterResponseData.class, TIMEOUT)
                .<ApiMessage>thenApply(r -> r)
                .exceptionally(e -> {
                    Errors err = error(e);
                    return new AddRaftVoterResponseData().setErrorCode(err.code()).setErrorMessage(e.getMessage());
                });
    }

    CompletionStage<ApiMessage> remove(RequestContext ctx, ApiMessage message) {
        services.authorizer().requireCluster(ctx, AclOperation.ALTER);
        return services.controller().send((RemoveRaftVoterRequestData) message, RemoveRaftVoterResponseData.class, TIMEOUT)
                .<ApiMessage>thenApply(r -> r)
                .exceptionally(e -> {
                    Errors err = error(e);
                    return new RemoveRaftVoterResponseData().setErrorCode(err.code()).setErrorMessage(e.getMessage());
                });
    }

    private static Errors error(Throwable e) {
        Errors err = Errors.forException(org.tributary.controller.ControllerClient.translator().apply(e));
        return err == Errors.UNKNOWN_SERVER_ERROR ? Errors.REQUEST_TIMED_OUT : err;
    }
}
