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
    private final long sendTimeoutMs;
    private final Set<CompletableFuture<SendResult>> inFlight = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    ConnectionHandle(TributaryManagedConnection owner, long sendTimeoutMs) {
        this.owner = owner;
        this.sendTimeoutMs = sendTimeoutMs;
    }

    @Override
    public SendResult send(String topic, byte[] key, byte[] value, Map<String, String> headers) throws ResourceException {
        return send(record(topic, key, value, headers));
    }

    /** Sends a prepared record and waits for its acknowledgement. */
    public SendResult send(ProducerRecord<byte[], byte[]> record) throws ResourceException {
        TributaryManagedConnection o = open();
        if (!o.joinTransaction()) {
            return o.autoCommit(() -> sendAndWait(o, record));
        }
        return sendAndWait(o, record);
    }

    private SendResult sendAndWait(TributaryManagedConnection o, ProducerRecord<byte[], byte[]> record) throws ResourceException {
        Future<RecordMetadata> f;
        try {
            f = o.producer().send(record);
        } catch (RuntimeException e) {
            throw o.failure(e, "sending to " + record.topic());
        }
        try {
            return result(f.get(sendTimeoutMs, TimeUnit.MILLISECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ResourceException("interrupted while sending to " + record.topic(), e);
        } catch (ExecutionException e) {
            if (TributaryManagedConnection.fatal(e.getCause())) {
                o.failed(e.getCause());
            }
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
        TributaryManagedConnection o = open();
        if (!o.joinTransaction()) { // outside a transaction a transactional connection commits each send: wait for it
            CompletableFuture<SendResult> done = new CompletableFuture<>();
            try {
                done.complete(o.autoCommit(() -> sendAndWait(o, record)));
            } catch (ResourceException e) {
                done.completeExceptionally(e.getCause() == null ? e : e.getCause());
            }
            return done.minimalCompletionStage();
        }
        Producer<byte[], byte[]> producer = o.producer();
        CompletableFuture<SendResult> f = new CompletableFuture<>();
        inFlight.add(f);
        f.whenComplete((r, e) -> inFlight.remove(f));
        try {
            producer.send(record, (md, e) -> {
                if (e != null) {
                    if (TributaryManagedConnection.fatal(e)) {
                        o.failed(e);
                    }
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

    private TributaryManagedConnection open() throws ResourceException {
        TributaryManagedConnection o = owner;
        if (closed || o == null) {
            throw new IllegalStateException("this Tributary connection is closed");
        }
        return o;
    }

    @Override
    public jakarta.resource.cci.LocalTransaction getLocalTransaction() throws ResourceException {
        TributaryManagedConnection o = open();
        if (!o.transactional()) {
            throw new jakarta.resource.NotSupportedException("this Tributary connection factory is configured for NoTransaction; "
                    + "local transactions need transactionSupportLevel=LocalTransaction or XATransaction");
        }
        return o.local().application(this);
    }

    /** Whether the connection takes part in a container-managed (JTA) transaction right now. */
    public boolean inContainerTransaction() throws ResourceException {
        TributaryManagedConnection o = open();
        return o.inXaBranch() || (o.local().active() && !o.local().byApplication());
    }

    @Override
    public void close() throws ResourceException {
        if (closed) {
            return;
        }
        closed = true;
        TributaryManagedConnection current = owner;
        if (!inFlight.isEmpty() && current != null) {
            current.producer().flush(); // every record sent through this handle is acknowledged or failed after this
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
