package org.tributary.network;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.network.Send;
import org.apache.kafka.common.security.auth.KafkaPrincipal;

/**
 * One client connection, owned by a {@link Processor}. All methods except {@link #complete} run on
 * that processor's thread. At most one request is in flight: after a frame is read the connection
 * is muted until the request is answered, so responses leave in request order.
 */
final class Connection {
    private static final int INITIAL_BUFFER = 64 * 1024;

    private final String id;
    private final SocketChannel channel;
    private final Transport transport;
    private boolean handshaken;
    private final Processor processor;
    private final String listenerName;
    private final InetAddress remoteAddress;
    private final int maxRequestBytes;
    private final ByteBuffer sizeBuffer = ByteBuffer.allocate(4);
    private final AtomicBoolean inFlight = new AtomicBoolean();
    private ByteBuffer payload;
    private int frameSize;
    private SelectionKey key;
    private long lastActiveNanos = System.nanoTime();
    private Send sending;
    private boolean closed;
    /** Reading stays off until then (System.nanoTime()), for a client over its quota; 0 when not muted. */
    private volatile long mutedUntilNanos;
    /** Who this connection speaks for; set by the transport (TLS client certificate) or authentication (SASL). */
    private volatile KafkaPrincipal principal = KafkaPrincipal.ANONYMOUS;
    /** The SASL layer of a SASL listener's connection, else null. */
    private final Authenticator authenticator;
    /** Set when the answer being written is the last one: the connection closes once it is out (failed authentication). */
    private boolean closeWhenWritten;
    /** The request read and not yet answered or whose answer is being written (processor thread only). */
    private NetworkRequest current;
    /**
     * Nanoseconds the processor spent on this connection since its last request was answered:
     * reading, handshaking, writing (processor thread only). Given to that request when answered.
     */
    private long networkNanos;

    Connection(String id, SocketChannel channel, Transport transport, Processor processor, String listenerName, int maxRequestBytes) {
        this(id, channel, transport, processor, listenerName, maxRequestBytes, null);
    }

    Connection(String id, SocketChannel channel, Transport transport, Processor processor, String listenerName, int maxRequestBytes,
            Authenticator.Factory authenticators) {
        this.id = id;
        this.channel = channel;
        this.transport = transport;
        this.processor = processor;
        this.listenerName = listenerName;
        InetAddress remote = null;
        try {
            if (channel.getRemoteAddress() instanceof InetSocketAddress isa) {
                remote = isa.getAddress();
            }
        } catch (IOException e) {
            // unknown peer: leave null
        }
        this.remoteAddress = remote;
        this.maxRequestBytes = maxRequestBytes;
        this.authenticator = authenticators == null ? null : authenticators.create(listenerName, remote);
    }

    /** The SASL layer every frame passes first, or null on a listener without SASL. */
    Authenticator authenticator() {
        return authenticator;
    }

    /** The answer in flight is the last: after it is written (and flushed), the connection is to be closed. */
    void closeWhenWritten() {
        closeWhenWritten = true;
    }

    /**
     * True once a last answer ({@link #closeWhenWritten}) is completely out, TLS records included;
     * until then writing stays on.
     */
    boolean lastAnswerWritten() throws IOException {
        if (!closeWhenWritten || sending != null || inFlight.get()) {
            return false;
        }
        if (!transport.flush()) {
            key.interestOps(key.interestOps() | SelectionKey.OP_WRITE);
            return false;
        }
        return true;
    }

    String id() {
        return id;
    }

    String listenerName() {
        return listenerName;
    }

    InetAddress remoteAddress() {
        return remoteAddress;
    }

    KafkaPrincipal principal() {
        return principal;
    }

    void principal(KafkaPrincipal p) {
        this.principal = p;
    }

    SocketChannel channel() {
        return channel;
    }

    void attach(SelectionKey key) {
        this.key = key;
    }

    boolean isClosed() {
        return closed;
    }

    boolean busy() {
        return inFlight.get() || sending != null;
    }

    /**
     * Reads what is available; returns a complete frame or null. Throws {@link FrameException} for
     * a frame this connection must be closed for, {@link IOException} when the peer went away.
     */
    NetworkRequest read() throws IOException {
        long start = System.nanoTime();
        lastActiveNanos = start;
        try {
            return readFrame(start);
        } catch (IOException | RuntimeException e) {
            networkNanos += System.nanoTime() - start;
            throw e;
        }
    }

    private NetworkRequest readFrame(long start) throws IOException {
        if (!handshaken && !handshake()) {
            networkNanos += System.nanoTime() - start;
            return null;
        }
        if (payload == null) {
            if (transport.read(sizeBuffer) < 0) {
                throw new EofException();
            }
            if (sizeBuffer.hasRemaining()) {
                networkNanos += System.nanoTime() - start;
                return null;
            }
            sizeBuffer.flip();
            int size = sizeBuffer.getInt();
            sizeBuffer.clear();
            if (size < 0) {
                throw new FrameException("negative frame size " + size, false);
            }
            if (size > maxRequestBytes) {
                throw new FrameException("frame of " + size + " bytes is larger than socket.request.max.bytes=" + maxRequestBytes, true);
            }
            frameSize = size;
            // grow with the bytes that really arrive: a size prefix alone must not reserve memory
            payload = ByteBuffer.allocate(Math.min(size, INITIAL_BUFFER));
        }
        while (true) {
            int n = transport.read(payload);
            if (n < 0) {
                throw new EofException();
            }
            if (payload.hasRemaining() || payload.capacity() == frameSize) {
                break;
            }
            ByteBuffer bigger = ByteBuffer.allocate((int) Math.min(frameSize, 2L * payload.capacity()));
            payload.flip();
            bigger.put(payload);
            payload = bigger;
        }
        long now = System.nanoTime();
        networkNanos += now - start;
        if (payload.position() < frameSize) {
            return null;
        }
        ByteBuffer frame = payload;
        payload = null;
        frame.flip();
        inFlight.set(true);
        key.interestOps(key.interestOps() & ~SelectionKey.OP_READ);
        current = new NetworkRequest(this, frame, now);
        return current;
    }

    /**
     * The request in flight is answered (its answer written, or it had none): it is told the
     * network time spent since the previous answer, which starts again from zero. A frame the
     * authentication answered itself passes its time on to the next request, as Kafka counts the
     * authentication in a connection's first request.
     */
    void answered() {
        NetworkRequest r = current;
        current = null;
        if (r == null || r.isAuthentication()) {
            return;
        }
        long nanos = networkNanos;
        networkNanos = 0;
        r.networkTimeSpent(nanos);
    }

    /**
     * Moves the transport's handshake on; once it is done the connection takes the transport's
     * principal and waits for requests. Interest follows what the handshake waits for.
     */
    private boolean handshake() throws IOException {
        if (!transport.handshake()) {
            int ops = transport.handshakeWantsWrite() ? SelectionKey.OP_WRITE : SelectionKey.OP_READ;
            key.interestOps(ops);
            return false;
        }
        handshaken = true;
        // on SASL listeners only SASL authentication names the principal (Kafka does the same for SASL_SSL)
        principal = authenticator == null ? transport.peerPrincipal() : KafkaPrincipal.ANONYMOUS;
        key.interestOps(SelectionKey.OP_READ);
        return true;
    }

    /** Decrypted bytes wait in the transport while reading is on: the selector will not report them. */
    boolean readableWithoutSocket() {
        return !closed && handshaken && !busy() && transport.hasBufferedInput() && key != null && key.isValid()
                && (key.interestOps() & SelectionKey.OP_READ) != 0;
    }

    /** Bytes the transport holds already (TLS), so the next request may be there without the socket being readable. */
    boolean hasBufferedInput() {
        return transport.hasBufferedInput();
    }

    /** Called from any thread once the in-flight request is answered. */
    void complete(Send response, String closeReason) {
        if (!inFlight.compareAndSet(true, false)) {
            throw new IllegalStateException("request on " + id + " answered twice");
        }
        processor.enqueueCompletion(this, response, closeReason);
    }

    /** Called from any thread: the in-flight request's answer is the last one, written after {@code delayMs}, then the connection closes. */
    void completeLast(Send response, long delayMs) {
        if (!inFlight.compareAndSet(true, false)) {
            throw new IllegalStateException("request on " + id + " answered twice");
        }
        processor.enqueueLastAnswer(this, response, delayMs);
    }

    /** Starts writing a response (processor thread). Returns true when it was fully written. */
    boolean startSend(Send response, boolean resumeReading) throws IOException {
        sending = response;
        return writeMore(resumeReading);
    }

    /** Continues writing; when done, reading resumes (unless the server is draining). */
    boolean writeMore() throws IOException {
        return writeMore(true);
    }

    /** Idle: nothing in flight and no bytes read for longer than {@code maxIdleNanos}. */
    boolean idleLongerThan(long maxIdleNanos, long now) {
        return !busy() && now - lastActiveNanos > maxIdleNanos;
    }

    boolean writeMore(boolean resumeReading) throws IOException {
        long start = System.nanoTime();
        lastActiveNanos = start;
        try {
            return write(resumeReading, start);
        } catch (IOException | RuntimeException e) {
            networkNanos += System.nanoTime() - start;
            throw e;
        }
    }

    private boolean write(boolean resumeReading, long start) throws IOException {
        if (!handshaken) {
            handshake();
            networkNanos += System.nanoTime() - start;
            return sending == null;
        }
        if (sending == null) {
            boolean flushed = transport.flush();
            networkNanos += System.nanoTime() - start;
            if (!flushed) {
                return false;
            }
            key.interestOps(key.interestOps() & ~SelectionKey.OP_WRITE);
            return true;
        }
        sending.writeTo(transport);
        networkNanos += System.nanoTime() - start;
        if (!sending.completed()) {
            key.interestOps(key.interestOps() | SelectionKey.OP_WRITE);
            return false;
        }
        sending = null;
        answered();
        int ops = key.interestOps() & ~SelectionKey.OP_WRITE;
        if (resumeReading && throttled()) {
            key.interestOps(ops);
            processor.throttled(this);
            return true;
        }
        key.interestOps(resumeReading ? ops | SelectionKey.OP_READ : ops);
        return true;
    }

    /** Resumes reading after a request that has no response (unless throttled: then once the throttle ends). */
    void unmute() {
        if (throttled()) {
            processor.throttled(this);
            return;
        }
        key.interestOps(key.interestOps() | SelectionKey.OP_READ);
    }

    /** Keeps reading off for {@code ms} after the answer in flight is written. */
    void throttle(long ms) {
        if (ms > 0) {
            mutedUntilNanos = System.nanoTime() + ms * 1_000_000L;
        }
    }

    boolean throttled() {
        long until = mutedUntilNanos;
        return until != 0 && until - System.nanoTime() > 0;
    }

    /** Nanoseconds until the throttle ends (<= 0 when it has). */
    long throttleLeftNanos(long now) {
        return mutedUntilNanos == 0 ? 0 : mutedUntilNanos - now;
    }

    void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (key != null) {
            key.cancel();
        }
        try {
            transport.close();
        } catch (IOException e) {
            // nothing left to do
        }
    }

    /** A frame this connection cannot continue after. */
    static final class FrameException extends IOException {
        private static final long serialVersionUID = 1L;

        private final boolean oversize;

        FrameException(String message, boolean oversize) {
            super(message);
            this.oversize = oversize;
        }

        /** Larger than socket.request.max.bytes (else malformed). */
        boolean oversize() {
            return oversize;
        }
    }

    /** The peer closed the connection. */
    static final class EofException extends IOException {
        private static final long serialVersionUID = 1L;

        EofException() {
            super("end of stream");
        }
    }
}
