package org.tributary.jca.api;

import jakarta.resource.ResourceException;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * A handle on the adapter's shared, thread-safe producer. Keys and values are bytes; the
 * {@code String} variants encode UTF-8. A {@code null} key lets the producer pick the partition.
 * Closing a handle waits until every record it sent asynchronously is acknowledged or failed, so
 * closing never loses a sent record.
 */
public interface TributaryConnection extends AutoCloseable {

    /** Sends and waits for the acknowledgement. */
    SendResult send(String topic, byte[] key, byte[] value, Map<String, String> headers) throws ResourceException;

    /** Sends without waiting; the stage completes with the acknowledgement or the failure. */
    CompletionStage<SendResult> sendAsync(String topic, byte[] key, byte[] value, Map<String, String> headers)
            throws ResourceException;

    default SendResult send(String topic, String key, String value) throws ResourceException {
        return send(topic, Bytes.utf8(key), Bytes.utf8(value), Map.of());
    }

    default SendResult send(String topic, String key, String value, Map<String, String> headers)
            throws ResourceException {
        return send(topic, Bytes.utf8(key), Bytes.utf8(value), headers);
    }

    default CompletionStage<SendResult> sendAsync(String topic, String key, String value) throws ResourceException {
        return sendAsync(topic, Bytes.utf8(key), Bytes.utf8(value), Map.of());
    }

    /**
     * The application-demarcated local transaction of this connection (one Kafka transaction):
     * records sent between {@code begin()} and {@code commit()} become visible to
     * {@code read_committed} consumers together at commit, and never after {@code rollback()}.
     * Needs a factory configured with {@code transactionSupport} {@code LocalTransaction} or
     * {@code XATransaction}; inside a JTA transaction the container demarcates instead.
     */
    jakarta.resource.cci.LocalTransaction getLocalTransaction() throws ResourceException;

    @Override
    void close() throws ResourceException;
}
