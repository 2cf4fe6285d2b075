package org.tributary.network;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.function.LongConsumer;
import org.apache.kafka.common.network.Send;
import org.apache.kafka.common.security.auth.KafkaPrincipal;

/**
 * One size-prefixed frame read from a client connection (the prefix removed), and the ways to
 * answer it. Exactly one of {@link #respond}, {@link #noResponse} or {@link #closeConnection} must
 * be called, from any thread; the connection reads no further request until then, which keeps
 * responses in request order.
 */
public final class NetworkRequest {
    private final Connection connection;
    private final ByteBuffer payload;
    private final long receivedNanos;
    /** Told this request's network-thread time once its answer is out; set before answering (the answer's hand-over publishes it). */
    private LongConsumer networkTime;
    /** A frame the connection's authentication answered itself: its network time goes to the connection's next request. */
    private boolean authentication;

    NetworkRequest(Connection connection, ByteBuffer payload, long receivedNanos) {
        this.connection = connection;
        this.payload = payload;
        this.receivedNanos = receivedNanos;
    }

    /** The frame without its size prefix, positioned at the request header. */
    public ByteBuffer payload() {
        return payload;
    }

    public String connectionId() {
        return connection.id();
    }

    public InetAddress clientAddress() {
        return connection.remoteAddress();
    }

    /** The principal of the connection this request came on ({@code User:ANONYMOUS} until something authenticates it). */
    public KafkaPrincipal principal() {
        return connection.principal();
    }

    public String listenerName() {
        return connection.listenerName();
    }

    public long receivedNanos() {
        return receivedNanos;
    }

    /**
     * Asks to be told, on the network thread once the answer is written (or, for a request without
     * answer, once it is answered), how many nanoseconds network threads spent on this request:
     * reading its frame and writing its answer, TLS work included (on a connection's first request
     * also its handshake and authentication, as in Kafka). Call before answering; the consumer must
     * be quick and must not block.
     */
    public void onNetworkTime(LongConsumer consumer) {
        this.networkTime = consumer;
    }

    /** Marks a frame the connection's authentication answers itself (network thread, before answering). */
    void authentication() {
        this.authentication = true;
    }

    boolean isAuthentication() {
        return authentication;
    }

    /** Called on the network thread once this request is answered. */
    void networkTimeSpent(long nanos) {
        LongConsumer c = networkTime;
        if (c != null) {
            c.accept(nanos);
        }
    }

    /** Sends a complete size-prefixed response, then resumes reading this connection. */
    public void respond(Send response) {
        connection.complete(response, null);
    }

    /**
     * Sends a response, then reads nothing more from this connection for {@code throttleMs} (a
     * client over its quota, KIP-219: the response carries the throttle time and the connection
     * stays muted for it, so a client that ignores it is held back all the same).
     */
    public void respond(Send response, long throttleMs) {
        connection.throttle(throttleMs);
        connection.complete(response, null);
    }

    /**
     * Sends a last response after {@code delayMs}, then closes the connection (a failed
     * authentication: Kafka's {@code connection.failed.authentication.delay.ms}).
     */
    public void respondLast(Send response, long delayMs) {
        connection.completeLast(response, delayMs);
    }

    /** Answers nothing (acks=0 produce) and resumes reading this connection. */
    public void noResponse() {
        connection.complete(null, null);
    }

    /** Answers nothing and resumes reading after {@code throttleMs} (an acks=0 produce over its quota). */
    public void noResponse(long throttleMs) {
        connection.throttle(throttleMs);
        connection.complete(null, null);
    }

    /** Closes this connection only; {@code reason} is logged once. */
    public void closeConnection(String reason) {
        connection.complete(null, reason == null ? "closed" : reason);
    }
}
