package org.tributary.quorum;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Test helper: one directed network link, a TCP proxy on 127.0.0.1 that forwards every connection
 * to {@code targetPort} until it is {@link #cut()}. A cut behaves like a partition, not like a
 * stopped process: the connections open at that moment are closed (bytes already on the wire are
 * lost), and new ones are accepted but never forwarded nor answered (a black hole: the caller's
 * requests time out rather than fail fast). {@link #heal()} closes the black-holed connections, so
 * callers reconnect, and forwards again. One thread per direction per forwarded connection;
 * {@link #close} stops them all. Thread-safe.
 */
final class LinkProxy implements AutoCloseable {
    private final ServerSocket server;
    private final int targetPort;
    private final String name;
    private final List<Socket> forwarded = new CopyOnWriteArrayList<>();
    private final List<Socket> blackHoled = new CopyOnWriteArrayList<>();
    private final Thread acceptor;
    private final java.util.concurrent.atomic.AtomicLong requestBytes = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong answerBytes = new java.util.concurrent.atomic.AtomicLong();
    private volatile boolean cut;
    private final Object pauseLock = new Object();
    private boolean paused;

    LinkProxy(String name, int listenPort, int targetPort) throws IOException {
        this.name = name;
        this.targetPort = targetPort;
        this.server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), listenPort));
        this.acceptor = new Thread(this::accept, "link-" + name);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    boolean isCut() {
        return cut;
    }

    /**
     * Holds the link as a stopped process (SIGSTOP) would: connections stay open and new ones are
     * accepted, but no byte is forwarded until {@link #resume()}, which delivers what was held.
     */
    void pause() {
        synchronized (pauseLock) {
            paused = true;
        }
    }

    /** Delivers what a {@link #pause()} held and forwards again. */
    void resume() {
        synchronized (pauseLock) {
            paused = false;
            pauseLock.notifyAll();
        }
    }

    private void awaitUnpaused() throws java.io.InterruptedIOException {
        synchronized (pauseLock) {
            while (paused) {
                try {
                    pauseLock.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("interrupted while the link was paused");
                }
            }
        }
    }

    /** Drops the link: open connections are closed, new ones go into a black hole. */
    synchronized void cut() {
        cut = true;
        forwarded.forEach(LinkProxy::closeQuietly);
        forwarded.clear();
    }

    /** Restores the link: black-holed connections are closed (their callers reconnect), new ones are forwarded. */
    synchronized void heal() {
        cut = false;
        blackHoled.forEach(LinkProxy::closeQuietly);
        blackHoled.clear();
    }

    private void accept() {
        while (!server.isClosed()) {
            Socket in;
            try {
                in = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            synchronized (this) {
                if (cut) {
                    blackHoled.add(in); // held open, never read: what the caller sends vanishes
                    continue;
                }
            }
            try {
                Socket out = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                synchronized (this) {
                    forwarded.add(in);
                    forwarded.add(out);
                    if (cut) { // cut while connecting
                        closeQuietly(in);
                        closeQuietly(out);
                        continue;
                    }
                }
                pump(in, out, requestBytes);
                pump(out, in, answerBytes);
            } catch (IOException e) {
                closeQuietly(in); // the target is down: the caller sees its connection fail
            }
        }
    }

    /** Bytes forwarded from callers to the target so far. */
    long requestBytes() {
        return requestBytes.get();
    }

    /** Bytes forwarded from the target back to callers so far. */
    long answerBytes() {
        return answerBytes.get();
    }

    private void pump(Socket from, Socket to, java.util.concurrent.atomic.AtomicLong counter) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[8192];
            try (InputStream i = from.getInputStream(); OutputStream o = to.getOutputStream()) {
                int n;
                while ((n = i.read(buf)) >= 0) {
                    awaitUnpaused();
                    o.write(buf, 0, n);
                    counter.addAndGet(n);
                }
            } catch (IOException e) {
                // a side closed, or the link was cut
            } finally {
                closeQuietly(from);
                closeQuietly(to);
                forwarded.remove(from);
                forwarded.remove(to);
            }
        }, "link-" + name + "-pump");
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        resume();
        server.close();
        forwarded.forEach(LinkProxy::closeQuietly);
        blackHoled.forEach(LinkProxy::closeQuietly);
        try {
            acceptor.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "link " + name + (cut ? " (cut)" : "") + (paused ? " (paused)" : "");
    }
}
