package org.tributary.api;

import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.protocol.ApiMessage;

/**
 * Handles one Kafka API (or one API of a family). Runs on a request-handler thread; may finish
 * later (delayed operations) by completing the stage from another thread. Completing with
 * {@code null} sends no response (acks=0); completing exceptionally with {@link CloseConnection}
 * closes the connection; any other exception becomes the request's error response.
 */
@FunctionalInterface
public interface ApiHandler {
    CompletionStage<ApiMessage> handle(RequestContext context, ApiMessage request) throws Exception;

    /** Completion signal: close this client's connection instead of answering. */
    final class CloseConnection extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public CloseConnection(String reason) {
            super(reason, null, false, false);
        }
    }
}
