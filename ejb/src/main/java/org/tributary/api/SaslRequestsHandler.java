package org.tributary.api;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.SaslAuthenticateResponseData;
import org.apache.kafka.common.message.SaslHandshakeResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * SaslHandshake and SaslAuthenticate as the request layer sees them: only where no SASL exchange
 * can happen (the SASL layer of a SASL listener's connection answers them itself, see
 * {@link org.tributary.security.SaslAuthenticator}), so the answer is ILLEGAL_SASL_STATE, as
 * Kafka's broker gives on a listener without SASL or for SaslAuthenticate after authentication.
 * Registered so that ApiVersions advertises them.
 */
final class SaslRequestsHandler {
    private SaslRequestsHandler() {
    }

    static CompletionStage<ApiMessage> handshake(RequestContext ctx, ApiMessage request) {
        return CompletableFuture.completedFuture(new SaslHandshakeResponseData().setErrorCode(Errors.ILLEGAL_SASL_STATE.code()));
    }

    static CompletionStage<ApiMessage> authenticate(RequestContext ctx, ApiMessage request) {
        return CompletableFuture.completedFuture(new SaslAuthenticateResponseData().setErrorCode(Errors.ILLEGAL_SASL_STATE.code())
                .setErrorMessage("SaslAuthenticate request received after successful authentication or on a listener without SASL")
                .setAuthBytes(new byte[0]));
    }
}
