package org.tributary.network;

import java.io.Closeable;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadFactory;
import java.util.logging.Logger;

/**
 * The Kafka listeners: one acceptor thread for all of them plus {@code num.network.threads}
 * processor threads, each with its own selector. Connections are spread round-robin; a
 * connection to an SSL or SASL_SSL listener gets a {@link TlsTransport}, others the plaintext one;
 * a connection to a SASL listener also gets its listener's {@link Authenticator}, which every
 * frame passes before the request layer sees it.
 *
 * <p>Life cycle: {@link #bind()} once, {@link #start()} once, {@link #close()} (idempotent).
 */
public final class SocketServer implements Closeable {
    private static final Logger LOG = Logger.getLogger(SocketServer.class.getName());

    private final List<ListenerAddress> listeners;
    private final ThreadFactory threads;
    private final List<Processor> processors = new ArrayList<>();
    private final List<Thread> processorThreads = new ArrayList<>();
    private final Map<String, ServerSocketChannel> serverChannels = new LinkedHashMap<>();
    private Selector acceptSelector;
    private Thread acceptor;
    private volatile boolean running;
    private int next;

    public SocketServer(List<ListenerAddress> listeners, int networkThreads, int maxRequestBytes, long maxIdleMs,
            RequestChannel requests, ThreadFactory threads) throws IOException {
        this.listeners = List.copyOf(listeners);
        for (ListenerAddress l : listeners) {
            if (l.sasl() != null && l.authenticator() == null) {
                throw new IllegalArgumentException("SASL listener " + l.name() + " has no authenticator");
            }
        }
        this.threads = threads;
        NetworkWarnings warnings = new NetworkWarnings(NetworkWarnings.DEFAULT_INTERVAL_MS, System::currentTimeMillis);
        for (int i = 0; i < networkThreads; i++) {
            processors.add(new Processor(i, requests, maxRequestBytes, maxIdleMs, warnings));
        }
    }

    /** Binds every listener; returns the bound ports by listener name. */
    public Map<String, Integer> bind() throws IOException {
        Map<String, Integer> ports = new LinkedHashMap<>();
        acceptSelector = Selector.open();
        for (ListenerAddress l : listeners) {
            InetSocketAddress addr = l.host().isEmpty() ? new InetSocketAddress(l.port()) : new InetSocketAddress(l.host(), l.port());
            ServerSocketChannel ch = ServerSocketChannel.open();
            try {
                ch.socket().setReuseAddress(true);
                ch.bind(addr, 512);
            } catch (BindException e) {
                ch.close();
                closeServerChannels();
                throw new BindException("listeners: cannot bind " + l + " (" + addr + "): address already in use");
            } catch (IOException e) {
                ch.close();
                closeServerChannels();
                throw new IOException("listeners: cannot bind " + l + " (" + addr + "): " + e.getMessage(), e);
            }
            ch.configureBlocking(false);
            ch.register(acceptSelector, SelectionKey.OP_ACCEPT, l);
            serverChannels.put(l.name(), ch);
            ports.put(l.name(), ch.socket().getLocalPort());
        }
        return ports;
    }

    public void start() {
        running = true;
        for (int i = 0; i < processors.size(); i++) {
            Thread t = threads.newThread(processors.get(i));
            t.setName("tributary-network-" + i);
            processorThreads.add(t);
            t.start();
        }
        acceptor = threads.newThread(this::acceptLoop);
        acceptor.setName("tributary-acceptor");
        acceptor.start();
    }

    private void acceptLoop() {
        try {
            while (running) {
                acceptSelector.select(500);
                for (SelectionKey key : acceptSelector.selectedKeys()) {
                    if (!key.isValid() || !key.isAcceptable()) {
                        continue;
                    }
                    SocketChannel client = ((ServerSocketChannel) key.channel()).accept();
                    if (client != null) {
                        processors.get(next++ % processors.size()).accept(client, (ListenerAddress) key.attachment());
                    }
                }
                acceptSelector.selectedKeys().clear();
            }
        } catch (IOException | RuntimeException e) {
            if (running) {
                LOG.severe("TRIB-NET-003 acceptor stopped: " + e);
            }
        }
    }

    /** Stops accepting and reading new requests; responses already being produced still go out. */
    public void stopAccepting() {
        running = false;
        if (acceptSelector != null) {
            acceptSelector.wakeup();
        }
        join(acceptor);
        closeServerChannels();
        processors.forEach(Processor::drain);
    }

    /** Waits up to {@code millis} for in-flight answers to be written. */
    public void awaitIdle(long millis) {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        while (System.nanoTime() < deadline && !processors.stream().allMatch(Processor::idle)) {
            Thread.onSpinWait();
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public void close() {
        if (running) {
            stopAccepting();
        }
        closeServerChannels();
        processors.forEach(Processor::shutdown);
        processorThreads.forEach(SocketServer::join);
        if (acceptSelector != null) {
            try {
                acceptSelector.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }

    private void closeServerChannels() {
        for (ServerSocketChannel ch : serverChannels.values()) {
            try {
                ch.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
        serverChannels.clear();
    }

    private static void join(Thread t) {
        if (t == null) {
            return;
        }
        try {
            t.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
