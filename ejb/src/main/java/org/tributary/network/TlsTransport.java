package org.tributary.network;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLEngineResult.Status;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.apache.kafka.common.security.auth.KafkaPrincipal;

/**
 * TLS under a connection's frames, with a non-blocking {@link SSLEngine} (server side).
 *
 * <p>Buffers, sized from the session and grown when the engine asks: {@code netIn} (encrypted
 * bytes read, write mode), {@code appIn} (decrypted bytes not yet delivered, write mode; a record is
 * decrypted straight into the caller's buffer instead when that has room for any whole record, as a
 * large request's payload has, which spares its bytes one copy), {@code netOut} (encrypted bytes not yet written, read mode; one record long during the handshake,
 * {@value #RECORDS_PER_WRITE} records once data flows, so one write system call carries several).
 * Fetch responses' file regions are read into the processor's one scratch buffer, a few records at
 * a time, and wrapped from there: the copy TLS must make, and no other. Nothing read from a file is
 * held across calls: what the socket did not take is read again by the next call, which starts
 * where the bytes consumed end.
 *
 * <p>The handshake's delegated tasks (key exchange, certificate checks with the JDK's trust
 * managers: CPU work of well under a millisecond to a few milliseconds, no I/O) run inline on the
 * network thread, as Kafka does: handing them to an executor would add a thread hop and a wakeup
 * to every handshake for work that short. Renegotiation (TLS 1.2) is refused; TLS 1.3 key updates
 * are answered. {@link #close} sends close_notify as far as the socket takes it without waiting.
 *
 * <p>Not thread-safe: the owning processor's thread only.
 */
final class TlsTransport implements Transport {
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
    /** How many TLS records one socket write carries at most, once application data flows. */
    static final int RECORDS_PER_WRITE = 4;
    /** The processor's scratch buffer for file regions: this many TLS records' worth. */
    static final int FILE_SCRATCH_BYTES = RECORDS_PER_WRITE * 16 * 1024;

    private final SocketChannel socket;
    private final SSLEngine engine;
    private final TlsContext context;
    private final ByteBuffer fileScratch;
    private ByteBuffer netIn;
    private ByteBuffer appIn;
    private ByteBuffer netOut;
    private boolean handshakeDone;
    private boolean wantsWrite;
    private boolean partialRecord;
    private boolean inboundClosed;
    private boolean closing;
    private KafkaPrincipal principal = KafkaPrincipal.ANONYMOUS;

    /** {@code fileScratch}: the processor's buffer for file regions ({@link #FILE_SCRATCH_BYTES}). */
    TlsTransport(SocketChannel socket, SSLEngine engine, TlsContext context, ByteBuffer fileScratch) throws SSLException {
        this.socket = socket;
        this.engine = engine;
        this.context = context;
        this.fileScratch = fileScratch;
        int packet = engine.getSession().getPacketBufferSize();
        int app = engine.getSession().getApplicationBufferSize();
        this.netIn = ByteBuffer.allocate(packet);
        this.appIn = ByteBuffer.allocate(app);
        this.netOut = ByteBuffer.allocate(packet);
        this.netOut.flip();
        engine.beginHandshake(); // until then the engine says NOT_HANDSHAKING
    }

    @Override
    public boolean handshake() throws IOException {
        if (handshakeDone) {
            return true;
        }
        if (closing) {
            throw new EOFException("closed during the TLS handshake");
        }
        while (true) {
            if (!flush()) {
                wantsWrite = true;
                return false;
            }
            wantsWrite = false;
            HandshakeStatus status = engine.getHandshakeStatus();
            switch (status) {
                case NEED_TASK -> runTasks();
                case NEED_WRAP -> {
                    SSLEngineResult r = wrap(EMPTY);
                    if (r.getStatus() == Status.CLOSED) {
                        flush();
                        throw new SSLHandshakeException("the TLS handshake ended without completing");
                    }
                }
                case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                    if (!unwrapHandshake(status == HandshakeStatus.NEED_UNWRAP)) {
                        return false;
                    }
                }
                default -> {
                    handshakeDone = true;
                    principal = context.principal(engine.getSession());
                    return true;
                }
            }
        }
    }

    /** One unwrap during the handshake; false when it must wait for more bytes. */
    private boolean unwrapHandshake(boolean needsBytes) throws IOException {
        if (needsBytes && (netIn.position() == 0 || partialRecord)) {
            int n = readSocket();
            if (n < 0) {
                throw new EOFException("the peer closed the connection during the TLS handshake");
            }
            if (n == 0) {
                return false;
            }
        }
        netIn.flip();
        SSLEngineResult r;
        try {
            r = engine.unwrap(netIn, appIn);
        } finally {
            netIn.compact();
        }
        switch (r.getStatus()) {
            case BUFFER_UNDERFLOW -> {
                partialRecord = true;
                growNetInIfFull();
            }
            case BUFFER_OVERFLOW -> appIn = grow(appIn, engine.getSession().getApplicationBufferSize());
            case CLOSED -> throw new EOFException("the peer closed TLS during the handshake");
            default -> partialRecord = false;
        }
        return true;
    }

    @Override
    public boolean handshakeWantsWrite() {
        return wantsWrite;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        int n = deliver(dst);
        if (!dst.hasRemaining() || inboundClosed) {
            return n == 0 && inboundClosed ? -1 : n;
        }
        boolean eof = false;
        if (netIn.position() == 0 || partialRecord) {
            eof = readSocket() < 0;
        }
        boolean viaAppIn = false;
        while (netIn.position() > 0 && !partialRecord && dst.hasRemaining()) {
            // a record's plaintext fits whole when dst has room for the largest one: decrypt straight
            // into dst (a large request's payload), sparing every byte the copy through appIn; all of
            // it belongs to dst's frame, since dst takes no more than that frame still needs
            boolean direct = !viaAppIn && appIn.position() == 0
                    && dst.remaining() >= engine.getSession().getApplicationBufferSize();
            netIn.flip();
            SSLEngineResult r;
            try {
                r = engine.unwrap(netIn, direct ? dst : appIn);
            } finally {
                netIn.compact();
            }
            afterDataUnwrap(r);
            if (direct) {
                n += r.bytesProduced();
            }
            if (r.getStatus() == Status.BUFFER_UNDERFLOW) {
                partialRecord = true;
                growNetInIfFull();
            } else if (r.getStatus() == Status.BUFFER_OVERFLOW) {
                if (direct) {
                    viaAppIn = true; // the engine wants more room than it said: go through appIn, which grows
                    continue;
                }
                int before = n;
                n += deliver(dst);
                if (n == before) {
                    appIn = grow(appIn, engine.getSession().getApplicationBufferSize());
                }
            } else if (r.getStatus() == Status.CLOSED) {
                inboundClosed = true;
                break;
            } else if (r.bytesConsumed() == 0 && r.bytesProduced() == 0) {
                break;
            }
            n += deliver(dst);
        }
        n += deliver(dst);
        if (n == 0 && (eof || inboundClosed)) {
            return -1;
        }
        return n;
    }

    /** After the handshake: TLS 1.3 key updates are answered; anything else that re-handshakes is refused. */
    private void afterDataUnwrap(SSLEngineResult r) throws IOException {
        HandshakeStatus hs = r.getHandshakeStatus();
        if (hs == HandshakeStatus.NOT_HANDSHAKING || hs == HandshakeStatus.FINISHED || r.getStatus() != Status.OK) {
            return;
        }
        if (!"TLSv1.3".equals(engine.getSession().getProtocol())) {
            throw new SSLException("TLS renegotiation is not supported (" + hs + " " + engine.getSession().getProtocol() + ")");
        }
        while (true) {
            HandshakeStatus s = engine.getHandshakeStatus();
            if (s == HandshakeStatus.NEED_TASK) {
                runTasks();
            } else if (s == HandshakeStatus.NEED_WRAP) {
                wrap(EMPTY);
                flush();
            } else {
                return;
            }
        }
    }

    private int deliver(ByteBuffer dst) {
        if (appIn.position() == 0) {
            return 0;
        }
        appIn.flip();
        int n = Math.min(appIn.remaining(), dst.remaining());
        if (n == appIn.remaining()) {
            dst.put(appIn);
        } else {
            ByteBuffer part = appIn.duplicate();
            part.limit(part.position() + n);
            dst.put(part);
            appIn.position(appIn.position() + n);
        }
        appIn.compact();
        return n;
    }

    private int readSocket() throws IOException {
        growNetInIfFull();
        int n = socket.read(netIn);
        if (n > 0) {
            partialRecord = false;
        }
        return n;
    }

    private void growNetInIfFull() {
        if (!netIn.hasRemaining()) {
            netIn = grow(netIn, engine.getSession().getPacketBufferSize());
        }
    }

    @Override
    public boolean hasBufferedInput() {
        return appIn.position() > 0 || (netIn.position() > 0 && !partialRecord);
    }

    @Override
    public boolean flush() throws IOException {
        while (netOut.hasRemaining()) {
            if (socket.write(netOut) == 0) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean hasPendingWrites() {
        return netOut.hasRemaining();
    }

    @Override
    public KafkaPrincipal peerPrincipal() {
        return principal;
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        if (closing) {
            throw new EOFException("connection closing");
        }
        if (!flush()) {
            return 0;
        }
        return wrapAll(srcs, offset, length);
    }

    @Override
    public long write(ByteBuffer[] srcs) throws IOException {
        return write(srcs, 0, srcs.length);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        return (int) write(new ByteBuffer[] {src}, 0, 1);
    }

    /**
     * Reads the region into the scratch buffer one record's worth at a time and wraps it; returns
     * the bytes of the region wrapped (handed to the socket or held in {@code netOut}).
     */
    @Override
    public long transferFrom(FileChannel file, long position, long count) throws IOException {
        if (closing) {
            throw new EOFException("connection closing");
        }
        if (!flush()) {
            return 0;
        }
        long done = 0;
        ByteBuffer[] chunk = {fileScratch};
        while (done < count) {
            if (done > 0 && netOut.hasRemaining()) {
                break; // the socket did not take everything: read no more now
            }
            fileScratch.clear();
            fileScratch.limit((int) Math.min(fileScratch.capacity(), count - done));
            int read = file.read(fileScratch, position + done);
            if (read <= 0) {
                break;
            }
            fileScratch.flip();
            done += wrapAll(chunk, 0, 1);
            if (fileScratch.hasRemaining()) {
                break; // the socket is full: what was read and not wrapped is read again next time
            }
        }
        return done;
    }

    /**
     * Wraps as much of {@code srcs} as the socket takes: records are gathered in {@code netOut}
     * (a few records long once data flows, so one write system call carries several) and written
     * whenever it cannot hold another; stops when the socket is full. Returns the bytes consumed;
     * what was wrapped and not yet written stays pending ({@link #hasPendingWrites}).
     */
    private long wrapAll(ByteBuffer[] srcs, int offset, int length) throws IOException {
        int packet = engine.getSession().getPacketBufferSize();
        if (netOut.capacity() < RECORDS_PER_WRITE * packet) {
            ByteBuffer bigger = ByteBuffer.allocate(RECORDS_PER_WRITE * packet);
            bigger.put(netOut).flip();
            netOut = bigger;
        }
        long consumed = 0;
        while (remaining(srcs, offset, length) > 0) {
            if (netOut.capacity() - netOut.remaining() < packet && !flush()) {
                return consumed;
            }
            SSLEngineResult r = wrap(srcs, offset, length);
            if (r.getStatus() == Status.CLOSED) {
                throw new EOFException("TLS is closed");
            }
            if (r.bytesConsumed() == 0) {
                break; // the engine takes nothing now (it has output of its own pending)
            }
            consumed += r.bytesConsumed();
        }
        flush();
        return consumed;
    }

    private SSLEngineResult wrap(ByteBuffer src) throws IOException {
        return wrap(new ByteBuffer[] {src}, 0, 1);
    }

    /** One wrap into {@code netOut}, growing it when the engine needs more room. */
    private SSLEngineResult wrap(ByteBuffer[] srcs, int offset, int length) throws IOException {
        while (true) {
            netOut.compact();
            SSLEngineResult r;
            try {
                r = engine.wrap(srcs, offset, length, netOut);
            } finally {
                netOut.flip();
            }
            if (r.getStatus() != Status.BUFFER_OVERFLOW) {
                return r;
            }
            int need = engine.getSession().getPacketBufferSize() + netOut.remaining();
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(need, netOut.capacity() * 2));
            bigger.put(netOut).flip();
            netOut = bigger;
        }
    }

    private void runTasks() {
        Runnable task;
        while ((task = engine.getDelegatedTask()) != null) {
            task.run();
        }
    }

    private static long remaining(ByteBuffer[] srcs, int offset, int length) {
        long n = 0;
        for (int i = offset; i < offset + length; i++) {
            n += srcs[i].remaining();
        }
        return n;
    }

    /** A buffer in write mode with the same contents and at least {@code atLeast} capacity. */
    private static ByteBuffer grow(ByteBuffer buf, int atLeast) {
        ByteBuffer bigger = ByteBuffer.allocate(Math.max(atLeast, buf.capacity() * 2));
        buf.flip();
        bigger.put(buf);
        return bigger;
    }

    @Override
    public boolean isOpen() {
        return socket.isOpen();
    }

    /** Sends close_notify as far as the socket takes it now, then closes the socket. */
    @Override
    public void close() throws IOException {
        if (closing) {
            return;
        }
        closing = true;
        try {
            engine.closeOutbound();
            wrap(EMPTY);
            flush();
        } catch (IOException | RuntimeException e) {
            // the peer may be gone already; close anyway
        } finally {
            socket.close();
        }
    }
}
