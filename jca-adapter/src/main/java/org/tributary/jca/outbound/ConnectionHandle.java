package org.tributary.jca.outbound;

import jakarta.resource.ResourceException;
import jakarta.resource.spi.IllegalStateException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.tributary.jca.api.SendResult;
import org.tributary.jca.api.TributaryConnection;

/**
 * What the application holds. Thread-safe (the producer is). {@link #close()} waits for the
 * records this handle sent asynchronously, then returns the connection to the pool.
 */
public final class ConnectionHandle implements TributaryConnection {
    private volatile TributaryManagedConnection owner;
    private final Producer<byte[], byte[]> producer;
    private final long sendTimeoutMs;
    private final Set<CompletableFuture<SendResult>> inFlight = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    ConnectionHandle(TributaryManagedConnection owner, Producer<byte[], byte[]> producer, long sendTimeoutMs) {
        this.owner = owner;
        this.producer = producer;
        this.sendTimeoutMs = sendTimeoutMs;
    }

    @Override
    public SendResult send(String topic, byte[] key, byte[] value, Map<String, String> headers) throws ResourceException {
        return send(record(topic, key, value, headers));
    }

    /** Sends a prepared record and waits for its acknowledgement. */
    public SendResult send(ProducerRecord<byte[], byte[]> record) throws ResourceException {
        open();
        Future<RecordMetadata> f = producer.send(record);
        try {
            return result(f.get(sendTimeoutMs, TimeUnit.MILLISECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ResourceException("interrupted while sending to " + record.topic(), e);
        } catch (ExecutionException e) {
            throw new ResourceException("sending to " + record.topic() + " failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new ResourceException("sending to " + record.topic() + " was not acknowledged within " + sendTimeoutMs + " ms", e);
        }
    }

    @Override
    public CompletionStage<SendResult> sendAsync(String topic, byte[] key, byte[] value, Map<String, String> headers)
            throws ResourceException {
        return sendAsync(record(topic, key, value, headers));
    }

    public CompletionStage<SendResult> sendAsync(ProducerRecord<byte[], byte[]> record) throws ResourceException {
        open();
        CompletableFuture<SendResult> f = new CompletableFuture<>();
        inFlight.add(f);
        f.whenComplete((r, e) -> inFlight.remove(f));
        try {
            producer.send(record, (md, e) -> {
                if (e != null) {
                    f.completeExceptionally(e);
                } else {
                    f.complete(result(md));
                }
            });
        } catch (RuntimeException e) {
            f.completeExceptionally(e);
        }
        return f.minimalCompletionStage();
    }

    private static ProducerRecord<byte[], byte[]> record(String topic, byte[] key, byte[] value, Map<String, String> headers) {
        RecordHeaders h = new RecordHeaders();
        if (headers != null) {
            headers.forEach((k, v) -> h.add(k, v == null ? null : v.getBytes(StandardCharsets.UTF_8)));
        }
        return new ProducerRecord<>(topic, null, key, value, h);
    }

    private static SendResult result(RecordMetadata md) {
        return new SendResult(md.topic(), md.partition(), md.offset(), md.timestamp());
    }

    private void open() throws ResourceException {
        if (closed || owner == null) {
            throw new IllegalStateException("this Tributary connection is closed");
        }
    }

    @Override
    public void close() throws ResourceException {
        if (closed) {
            return;
        }
        closed = true;
        if (!inFlight.isEmpty()) {
            producer.flush(); // every record sent through this handle is acknowledged or failed after this
            try {
                CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).get(sendTimeoutMs, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                // failures were reported through each send's stage
            }
        }
        TributaryManagedConnection o = owner;
        if (o != null) {
            o.closed(this);
        }
    }

    void reassociate(TributaryManagedConnection mc) {
        owner = mc;
    }

    void invalidate() {
        closed = true;
        owner = null;
    }
}
