package org.tributary.network;

import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
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
    /** Connections whose reading is off until their quota throttle ends (processor thread only). */
    private final List<Connection> throttled = new ArrayList<>();
    private volatile boolean running = true;
    private volatile boolean draining;

    private record PendingAccept(SocketChannel channel, String listenerName) {
    }

    private record Completion(Connection connection, Send response, String closeReason) {
    }

    Processor(int index, RequestChannel requests, int maxRequestBytes, long maxIdleMs) throws IOException {
        this.maxIdleNanos = maxIdleMs * 1_000_000L;
        this.index = index;
        this.selector = Selector.open();
        this.requests = requests;
        this.maxRequestBytes = maxRequestBytes;
    }

    void accept(SocketChannel channel, String listenerName) {
        newConnections.add(new PendingAccept(channel, listenerName));
        selector.wakeup();
    }

    void enqueueCompletion(Connection connection, Send response, String closeReason) {
        completions.add(new Completion(connection, response, closeReason));
        selector.wakeup();
    }

    /** Stops reading new requests; answers already in progress are still written. */
    void drain() {
        draining = true;
        selector.wakeup();
    }

    /** True when no connection has a request in flight or a response being written. */
    boolean idle() {
        return completions.isEmpty() && connections.stream().noneMatch(Connection::busy);
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
                selector.select(selectTimeoutMs());
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
                        }
                        if (key.isValid() && key.isReadable() && !draining) {
                            NetworkRequest r = c.read();
                            if (r != null) {
                                requests.onRequest(r);
                            }
                        }
                    } catch (Connection.EofException e) {
                        close(c, null);
                    } catch (Connection.FrameException e) {
                        close(c, e.getMessage());
                    } catch (IOException e) {
                        close(c, null);
                    } catch (RuntimeException e) {
                        close(c, "unexpected " + e);
                    }
                }
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
        return wait;
    }

    /** Resumes reading on connections whose throttle has ended. */
    private void unthrottle() {
        if (throttled.isEmpty()) {
            return;
        }
        long now = System.nanoTime();
        for (java.util.Iterator<Connection> it = throttled.iterator(); it.hasNext();) {
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

    /** Kafka's connections.max.idle.ms: drop connections that sent nothing for that long. */
    private void closeIdle() {
        long now = System.nanoTime();
        if (maxIdleNanos <= 0 || now - lastIdleCheck < 1_000_000_000L) {
            return;
        }
        lastIdleCheck = now;
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
                String id = p.listenerName() + "-" + index + "-" + CONNECTION_IDS.incrementAndGet();
                Connection c = new Connection(id, p.channel(), this, p.listenerName(), maxRequestBytes);
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

    private void processCompletions() {
        Completion done;
        while ((done = completions.poll()) != null) {
            Connection c = done.connection();
            if (c.isClosed()) {
                continue;
            }
            if (done.closeReason() != null) {
                close(c, done.closeReason());
                continue;
            }
            try {
                if (done.response() != null) {
                    c.startSend(done.response(), !draining);
                } else if (!draining) {
                    c.unmute();
                }
            } catch (IOException e) {
                close(c, null);
            }
        }
    }

    private void close(Connection c, String reason) {
        if (reason != null && !"closed".equals(reason)) {
            LOG.warning(() -> "TRIB-NET-001 closing connection " + c.id() + " from " + c.remoteAddress() + ": " + reason);
        }
        c.close();
        connections.remove(c);
    }
}
