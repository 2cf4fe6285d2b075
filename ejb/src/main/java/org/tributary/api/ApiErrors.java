package org.tributary.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.logging.Logger;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.protocol.Errors;
import org.tributary.controller.ApiError;
import org.tributary.controller.ControllerClient;

/** Maps exceptions to Kafka error codes; unexpected ones are logged as one line (never sent as a stack trace). */
final class ApiErrors {
    private static final Logger LOG = Logger.getLogger(ApiErrors.class.getName());

    private ApiErrors() {
    }

    static Errors of(Throwable e, String what) {
        if (e instanceof ApiException) {
            return Errors.forException(e);
        }
        if (e instanceof IOException || e instanceof UncheckedIOException) {
            LOG.warning("TRIB-API-003 storage error in " + what + ": " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            return Errors.KAFKA_STORAGE_ERROR;
        }
        LOG.warning("TRIB-API-001 unexpected error in " + what + ": " + e);
        return Errors.UNKNOWN_SERVER_ERROR;
    }

    /**
     * A failure as the error code and message for the client: a Kafka error with its own message
     * (a controller failure as the retriable error {@link ControllerClient} makes of it), anything
     * else as {@link #of} maps it, with the code's default message.
     */
    static ApiError error(Throwable failure, String what) {
        RuntimeException e = ControllerClient.translator().apply(failure);
        if (e instanceof ApiException) {
            return ApiError.of(Errors.forException(e), e.getMessage());
        }
        Errors err = of(e, what);
        return ApiError.of(err, err.message());
    }

    /**
     * Why a partition is not served here: it does not exist, or it exists but another broker
     * leads it (clients then refresh metadata and go there).
     */
    static Errors notServed(org.tributary.metadata.TopicImage topic, int partition) {
        return topic != null && partition >= 0 && partition < topic.partitionCount()
                ? Errors.NOT_LEADER_OR_FOLLOWER : Errors.UNKNOWN_TOPIC_OR_PARTITION;
    }

    /** The message to send with an error: the exception's own text for Kafka errors, else the code's default. */
    static String message(Throwable e, Errors error) {
        return e instanceof ApiException && e.getMessage() != null ? e.getMessage() : error.message();
    }
}
