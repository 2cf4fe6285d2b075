package org.tributary.api;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.AlterUserScramCredentialsRequestData;
import org.apache.kafka.common.message.AlterUserScramCredentialsResponseData;
import org.apache.kafka.common.message.DescribeUserScramCredentialsRequestData;
import org.apache.kafka.common.message.DescribeUserScramCredentialsResponseData;
import org.apache.kafka.common.message.DescribeUserScramCredentialsResponseData.CredentialInfo;
import org.apache.kafka.common.message.DescribeUserScramCredentialsResponseData.DescribeUserScramCredentialsResult;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.tributary.controller.ControllerClient;
import org.tributary.metadata.ScramCredentials;

/**
 * SCRAM credentials (KIP-554; {@code kafka-configs --entity-type users --add-config
 * 'SCRAM-SHA-256=[...]'}): DescribeUserScramCredentials answers from this broker's metadata image
 * with each user's mechanisms and iteration counts, never a salt or key; AlterUserScramCredentials
 * is forwarded to the active controller, which validates each user and writes the credentials.
 * Describe needs DESCRIBE on the cluster, Alter needs ALTER on the cluster (as in Kafka).
 */
final class ScramCredentialsHandler {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final String DUPLICATE_USER = "Cannot describe SCRAM credentials for the same user twice in a single request: ";
    private static final String NO_SUCH_USER = "Attempt to describe a user credential that does not exist: ";
    private final ApiServices services;

    ScramCredentialsHandler(ApiServices services) {
        this.services = services;
    }

    CompletionStage<ApiMessage> describe(RequestContext ctx, ApiMessage message) {
        DescribeUserScramCredentialsRequestData req = (DescribeUserScramCredentialsRequestData) message;
        DescribeUserScramCredentialsResponseData resp = new DescribeUserScramCredentialsResponseData().setThrottleTimeMs(0);
        if (!services.authorizer().allowsCluster(ctx, AclOperation.DESCRIBE)) {
            return CompletableFuture.completedFuture(resp.setErrorCode(Errors.CLUSTER_AUTHORIZATION_FAILED.code())
                    .setErrorMessage(Errors.CLUSTER_AUTHORIZATION_FAILED.message()));
        }
        ScramCredentials scram = ctx.image().scram();
        // user -> listed more than once
        Map<String, Boolean> users = new LinkedHashMap<>();
        if (req.users() == null || req.users().isEmpty()) {
            new TreeSet<>(scram.users()).forEach(u -> users.put(u, false));
        } else {
            req.users().forEach(u -> users.merge(u.name(), false, (a, b) -> true));
        }
        users.forEach((user, duplicate) -> {
            DescribeUserScramCredentialsResult r = new DescribeUserScramCredentialsResult().setUser(user);
            Map<org.apache.kafka.common.security.scram.internals.ScramMechanism, Integer> iterations = scram.iterations(user);
            if (duplicate) {
                r.setErrorCode(Errors.DUPLICATE_RESOURCE.code()).setErrorMessage(DUPLICATE_USER + user);
            } else if (iterations.isEmpty()) {
                r.setErrorCode(Errors.RESOURCE_NOT_FOUND.code()).setErrorMessage(NO_SUCH_USER + user);
            } else {
                iterations.forEach((m, n) -> r.credentialInfos().add(new CredentialInfo().setMechanism(m.type()).setIterations(n)));
            }
            resp.results().add(r);
        });
        return CompletableFuture.completedFuture(resp);
    }

    CompletionStage<ApiMessage> alter(RequestContext ctx, ApiMessage message) {
        AlterUserScramCredentialsRequestData req = ((AlterUserScramCredentialsRequestData) message).duplicate();
        if (!services.authorizer().allowsCluster(ctx, AclOperation.ALTER)) {
            return CompletableFuture.completedFuture(failAll(req, Errors.CLUSTER_AUTHORIZATION_FAILED,
                    Errors.CLUSTER_AUTHORIZATION_FAILED.message()));
        }
        return services.controller().send(req, AlterUserScramCredentialsResponseData.class, TIMEOUT)
                .<ApiMessage>thenApply(resp -> resp.duplicate().setThrottleTimeMs(0))
                .exceptionally(e -> {
                    RuntimeException t = ControllerClient.translator().apply(e);
                    return failAll(req, Errors.forException(t), t.getMessage());
                });
    }

    /** The same error for every user the request names (Kafka answers AlterUserScramCredentials per user). */
    private static AlterUserScramCredentialsResponseData failAll(AlterUserScramCredentialsRequestData req, Errors error, String message) {
        TreeSet<String> users = new TreeSet<>();
        req.deletions().forEach(d -> users.add(d.name()));
        req.upsertions().forEach(u -> users.add(u.name()));
        AlterUserScramCredentialsResponseData out = new AlterUserScramCredentialsResponseData().setThrottleTimeMs(0);
        users.forEach(u -> out.results().add(new AlterUserScramCredentialsResponseData.AlterUserScramCredentialsResult().setUser(u)
                .setErrorCode(error.code()).setErrorMessage(message)));
        return out;
    }
}
