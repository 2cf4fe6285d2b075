package org.tributary.network;

import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.net.ssl.SSLException;
import org.apache.kafka.common.network.ByteBufferSend;
import org.apache.kafka.common.network.Send;

/**
 * A network thread: one selector for many connections. It only moves bytes: frames go to the
 * {@link RequestChannel}, answers come back through {@link #enqueueCompletion}. It never blocks
 * on disk or on request handling.
 */
final class Processor implements Runnable {
    private static final Logger LOG = Logger.getLogger(Processor.class.getName());
    private static final AtomicLong CONNECTION_IDS = new AtomicLong();

    private final int index;
    private final Selector selector;
    private final RequestChannel requests;
    private final int maxRequestBytes;
    private final long maxIdleNanos;
    private long lastIdleCheck = System.nanoTime();
    private final ConcurrentLinkedQueue<PendingAccept> newConnections = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Completion> completions = new ConcurrentLinkedQueue<>();
    private final List<Connection> connections = new ArrayList<>();
    /** Connections whose transport holds decrypted bytes the selector cannot report (TLS). */
    private final Set<Connection> buffered = new LinkedHashSet<>();
    /** Connections whose reading is off until their quota throttle ends (processor thread only). */
    private final List<Connection> throttled = new ArrayList<>();
    /** Last answers held back until their time (failed authentications), in arrival order (processor thread only). */
    private final List<Completion> delayed = new ArrayList<>();
    private final NetworkWarnings warnings;
    /** File regions of fetch responses on TLS connections are read into this buffer, one record at a time. */
    private ByteBuffer tlsFileScratch;
    private volatile boolean running = true;
    private volatile boolean draining;

    private record PendingAccept(SocketChannel channel, ListenerAddress listener) {
    }

    /** {@code closeAfter}: the connection closes once {@code response} is written, not before {@code notBeforeNanos}. */
    private record Completion(Connection connection, Send response, String closeReason, boolean closeAfter, long notBeforeNanos) {
        Completion(Connection connection, Send response, String closeReason) {
            this(connection, response, closeReason, false, 0);
        }
    }

    Processor(int index, RequestChannel requests, int maxRequestBytes, long maxIdleMs, NetworkWarnings warnings) throws IOException {
        this.warnings = warnings;
        this.maxIdleNanos = maxIdleMs * 1_000_000L;
        this.index = index;
        this.selector = Selector.open();
        this.requests = requests;
        this.maxRequestBytes = maxRequestBytes;
    }

    void accept(SocketChannel channel, ListenerAddress listener) {
        newConnections.add(new PendingAccept(channel, listener));
        selector.wakeup();
    }

    void enqueueCompletion(Connection connection, Send response, String closeReason) {
        completions.add(new Completion(connection, response, closeReason));
        selector.wakeup();
    }

    /**
     * Answers the in-flight request with a last response, written no sooner than {@code delayMs}
     * from now, then closes the connection (Kafka's {@code connection.failed.authentication.delay.ms}).
     * No thread waits: the connection stays muted and the processor's select loop times the delay.
     */
    void enqueueLastAnswer(Connection connection, Send response, long delayMs) {
        completions.add(new Completion(connection, response, null, true, System.nanoTime() + delayMs * 1_000_000L));
        selector.wakeup();
    }

    /** Stops reading new requests; answers already in progress are still written. */
    void drain() {
        draining = true;
        selector.wakeup();
    }

    /** True when no connection has a request in flight or a response being written. */
    boolean idle() {
        return completions.isEmpty() && delayed.isEmpty() && connections.stream().noneMatch(Connection::busy);
    }

    void shutdown() {
        running = false;
        selector.wakeup();
    }

    @Override
    public void run() {
        try {
            while (running) {
                registerNew();
                processCompletions();
                if (!buffered.isEmpty() && buffered.stream().anyMatch(Connection::readableWithoutSocket)) {
                    selector.selectNow();
                } else {
                    selector.select(selectTimeoutMs());
                }
                unthrottle();
                closeIdle();
                Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey key = it.next();
                    it.remove();
                    Connection c = (Connection) key.attachment();
                    if (!key.isValid()) {
                        continue;
                    }
                    try {
                        if (key.isWritable()) {
                            c.writeMore(!draining);
                            if (c.lastAnswerWritten()) {
                                close(c, null);
                                continue;
                            }
                        }
                        if (key.isValid() && key.isReadable() && !draining) {
                            read(c);
                        }
                        if (c.hasBufferedInput() && !c.isClosed()) {
                            buffered.add(c);
                        }
                    } catch (IOException | RuntimeException e) {
                        failed(c, e);
                    }
                }
                readBuffered();
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.SEVERE, "TRIB-NET-002 network thread " + index + " stopped: " + e);
        } finally {
            for (Connection c : new ArrayList<>(connections)) {
                c.close();
            }
            connections.clear();
            try {
                selector.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }

    /** Called on this processor's thread when a connection's answer is written but its throttle still runs. */
    void throttled(Connection c) {
        throttled.add(c);
    }

    private long selectTimeoutMs() {
        long wait = 500;
        long now = System.nanoTime();
        for (Connection c : throttled) {
            wait = Math.min(wait, Math.max(1, (c.throttleLeftNanos(now) + 999_999) / 1_000_000));
        }
        for (Completion d : delayed) {
            wait = Math.min(wait, Math.max(1, (d.notBeforeNanos() - now + 999_999) / 1_000_000));
        }
        return wait;
    }

    /** Resumes reading on connections whose throttle has ended (decrypted input they hold is then read by {@link #readBuffered}). */
    private void unthrottle() {
        if (throttled.isEmpty()) {
            return;
        }
        long now = System.nanoTime();
        for (Iterator<Connection> it = throttled.iterator(); it.hasNext();) {
            Connection c = it.next();
            if (c.isClosed()) {
                it.remove();
            } else if (c.throttleLeftNanos(now) <= 0) {
                it.remove();
                if (!draining) {
                    c.unmute();
                }
            }
        }
    }

    private void read(Connection c) throws IOException {
        NetworkRequest r = c.read();
        if (r == null) {
            return;
        }
        Authenticator sasl = c.authenticator();
        if (sasl == null) {
            requests.onRequest(r);
            return;
        }
        Authenticator.Verdict v = sasl.onFrame(r.payload());
        switch (v.kind()) {
            case PASS -> requests.onRequest(r);
            case RESPOND -> {
                if (v.principal() != null) {
                    c.principal(v.principal());
                }
                r.authentication();
                r.respond(new ByteBufferSend(v.response()));
            }
            case FAIL -> {
                warnings.authentication().warn(address(c), () -> describe(c, v.reason()));
                r.respondLast(v.response() == null ? null : new ByteBufferSend(v.response()), v.delayMs());
            }
            case CLOSE -> {
                warnings.authentication().warn(address(c), () -> describe(c, v.reason()));
                r.closeConnection("closed");
            }
        }
    }

    /** Requests already decrypted (TLS) on connections that may read again: the selector will not report them. */
    private void readBuffered() {
        if (buffered.isEmpty() || draining) {
            return;
        }
        for (Connection c : new ArrayList<>(buffered)) {
            if (c.isClosed() || !c.hasBufferedInput()) {
                buffered.remove(c);
            } else if (c.readableWithoutSocket()) {
                buffered.remove(c);
                try {
                    read(c);
                    if (c.hasBufferedInput() && !c.isClosed()) {
                        buffered.add(c);
                    }
                } catch (IOException | RuntimeException e) {
                    failed(c, e);
                }
            }
        }
    }

    /** Closes a connection after a failure; kinds hostile peers can repeat at will are summarised. */
    private void failed(Connection c, Exception e) {
        if (e instanceof Connection.EofException) {
            close(c, null);
        } else if (e instanceof Connection.FrameException f) {
            warnings.frame(f.oversize()).warn(address(c), () -> describe(c, f.getMessage()));
            close(c, null);
        } else if (e instanceof SSLException) {
            warnings.tls().warn(address(c), () -> describe(c, "TLS failed: " + e.getMessage()));
            close(c, null);
        } else if (e instanceof IOException) {
            close(c, null);
        } else {
            close(c, "unexpected " + e);
        }
    }

    private static String address(Connection c) {
        return c.remoteAddress() == null ? null : c.remoteAddress().getHostAddress();
    }

    private static String describe(Connection c, String reason) {
        return "closing connection " + c.id() + " from " + c.remoteAddress() + ": " + reason;
    }

    /** Kafka's connections.max.idle.ms: drop connections that sent nothing for that long (checked once a second). */
    private void closeIdle() {
        long now = System.nanoTime();
        if (now - lastIdleCheck < 1_000_000_000L) {
            return;
        }
        lastIdleCheck = now;
        warnings.flush(); // summaries whose interval ended; once a second, like the idle check
        if (maxIdleNanos <= 0) {
            return;
        }
        for (Connection c : new ArrayList<>(connections)) {
            if (c.idleLongerThan(maxIdleNanos, now)) {
                close(c, null);
            }
        }
    }

    private void registerNew() {
        PendingAccept p;
        while ((p = newConnections.poll()) != null) {
            try {
                p.channel().configureBlocking(false);
                p.channel().socket().setTcpNoDelay(true);
                String name = p.listener().name();
                String id = name + "-" + index + "-" + CONNECTION_IDS.incrementAndGet();
                Connection c = new Connection(id, p.channel(), transport(p), this, name, maxRequestBytes, p.listener().authenticator());
                c.attach(p.channel().register(selector, draining ? 0 : SelectionKey.OP_READ, c));
                connections.add(c);
            } catch (IOException e) {
                try {
                    p.channel().close();
                } catch (IOException ignored) {
                    // already gone
                }
            }
        }
    }

    private Transport transport(PendingAccept p) throws IOException {
        TlsContext tls = p.listener().tls();
        if (tls == null) {
            return new SocketTransferChannel(p.channel());
        }
        if (tlsFileScratch == null) {
            tlsFileScratch = ByteBuffer.allocateDirect(TlsTransport.FILE_SCRATCH_BYTES);
        }
        String host = null;
        int port = -1;
        if (p.channel().getRemoteAddress() instanceof InetSocketAddress a) {
            host = a.getAddress().getHostAddress();
            port = a.getPort();
        }
        return new TlsTransport(p.channel(), tls.newServerEngine(host, port), tls, tlsFileScratch);
    }

    private void processCompletions() {
        if (!delayed.isEmpty()) {
            long now = System.nanoTime();
            for (Iterator<Completion> it = delayed.iterator(); it.hasNext();) {
                Completion d = it.next();
                if (d.notBeforeNanos() - now <= 0 || d.connection().isClosed()) {
                    it.remove();
                    writeLast(d);
                }
            }
        }
        Completion done;
        while ((done = completions.poll()) != null) {
            Connection c = done.connection();
            if (c.isClosed()) {
                continue;
            }
            if (done.closeAfter()) {
                if (done.notBeforeNanos() - System.nanoTime() > 0) {
                    delayed.add(done);
                } else {
                    writeLast(done);
                }
                continue;
            }
            if (done.closeReason() != null) {
                close(c, done.closeReason());
                continue;
            }
            try {
                if (done.response() != null) {
                    c.startSend(done.response(), !draining);
                } else {
                    c.answered();
                    if (!draining) {
                        c.unmute();
                    }
                }
            } catch (IOException e) {
                close(c, null);
            }
        }
    }

    /** Writes a connection's last answer; closes it once written (else when the socket takes the rest). */
    private void writeLast(Completion d) {
        Connection c = d.connection();
        if (c.isClosed()) {
            return;
        }
        if (d.response() == null) {
            close(c, null);
            return;
        }
        try {
            c.closeWhenWritten();
            c.startSend(d.response(), false);
            if (c.lastAnswerWritten()) {
                close(c, null);
            }
        } catch (IOException e) {
            close(c, null);
        }
    }

    private void close(Connection c, String reason) {
        if (reason != null && !"closed".equals(reason)) {
            warnings.request().warn(address(c), () -> describe(c, reason));
        }
        c.close();
        connections.remove(c);
        buffered.remove(c);
    }
}
