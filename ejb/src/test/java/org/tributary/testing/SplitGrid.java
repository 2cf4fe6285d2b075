package org.tributary.testing;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * Embedded data-grid members that can be split apart at the TCP level, for split-brain tests.
 * Every member advertises a loopback proxy as its address ({@code publicAddress}), so members only
 * ever dial each other through the proxies; every member dials from its own outbound ports, so a
 * proxy knows from the accepted socket's remote port which member is calling. {@link #split} closes
 * the connections between the two sides and refuses new ones (accepted, then closed at once: each
 * side sees its peers fail and their heartbeats stop); {@link #heal} lets them through again, and
 * Hazelcast's own split-brain handler finds and merges the sides. Failure detection and the merge
 * search run on short timers (seconds) so a test stays well under a minute. Close stops every member
 * and proxy. Thread-safe.
 */
public final class SplitGrid implements AutoCloseable {
    private static final int OUTBOUND_PORTS = 24;

    private final List<HazelcastInstance> members = new ArrayList<>();
    private final List<Proxy> proxies = new ArrayList<>();
    private final Map<Integer, Integer> memberByOutboundPort = new HashMap<>();
    private final List<Link> links = new CopyOnWriteArrayList<>();
    private final AtomicInteger unknownCallers = new AtomicInteger();
    private volatile Set<Integer> sideA; // null: not split

    /** Starts {@code n} members, one after the other, each behind its own proxy. */
    public SplitGrid(int n) throws IOException {
        String name = "split-" + UUID.randomUUID();
        List<Integer> bindPorts = new ArrayList<>();
        List<List<Integer>> outbound = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            bindPorts.add(FreePorts.next());
            List<Integer> ports = new ArrayList<>();
            for (int k = 0; k < OUTBOUND_PORTS; k++) {
                int p = FreePorts.next();
                ports.add(p);
                memberByOutboundPort.put(p, i);
            }
            outbound.add(ports);
        }
        try {
            for (int i = 0; i < n; i++) {
                proxies.add(new Proxy(i, bindPorts.get(i)));
            }
            for (int i = 0; i < n; i++) {
                members.add(Hazelcast.newHazelcastInstance(config(name, i, bindPorts.get(i), outbound.get(i))));
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private Config config(String name, int i, int bindPort, List<Integer> outbound) {
        Config c = new Config();
        c.setClusterName(name);
        c.setProperty("hazelcast.phone.home.enabled", "false");
        c.setProperty("hazelcast.logging.type", "jdk");
        c.setProperty("hazelcast.wait.seconds.before.join", "0");
        c.setProperty("hazelcast.heartbeat.interval.seconds", "1");
        c.setProperty("hazelcast.max.no.heartbeat.seconds", "4");
        c.setProperty("hazelcast.merge.first.run.delay.seconds", "1");
        c.setProperty("hazelcast.merge.next.run.delay.seconds", "1");
        NetworkConfig net = c.getNetworkConfig();
        net.setPort(bindPort).setPortAutoIncrement(false).setReuseAddress(true);
        net.setPublicAddress("127.0.0.1:" + proxies.get(i).port());
        net.getInterfaces().setEnabled(true).addInterface("127.0.0.1");
        net.addOutboundPortDefinition(outbound.stream().map(String::valueOf).collect(Collectors.joining(",")));
        JoinConfig join = net.getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(true);
        for (Proxy p : proxies) {
            join.getTcpIpConfig().addMember("127.0.0.1:" + p.port());
        }
        return c;
    }

    public HazelcastInstance member(int i) {
        return members.get(i);
    }

    public int size() {
        return members.size();
    }

    /** Cuts every link between {@code side} and the other members, now and until {@link #heal}. */
    public synchronized void split(Set<Integer> side) {
        sideA = Set.copyOf(side);
        for (Link l : links) {
            if (!allowed(l.from, l.to)) {
                l.close();
            }
        }
    }

    /** Lets every member reach every other again. */
    public synchronized void heal() {
        sideA = null;
    }

    /** Connections whose caller was not recognised by its outbound port (expected 0: else a split leaks). */
    public int unknownCallers() {
        return unknownCallers.get();
    }

    private boolean allowed(int from, int to) {
        Set<Integer> a = sideA;
        return a == null || from < 0 || a.contains(from) == a.contains(to);
    }

    @Override
    public void close() {
        for (HazelcastInstance hz : members) {
            try {
                hz.getLifecycleService().terminate();
            } catch (RuntimeException e) {
                // already down
            }
        }
        proxies.forEach(Proxy::close);
        links.forEach(Link::close);
    }

    /** One forwarded connection, from member {@code from} (or -1) to member {@code to}. */
    private record Link(int from, int to, Socket in, Socket out) {
        void close() {
            closeQuietly(in);
            closeQuietly(out);
        }
    }

    /** The address member {@code target} advertises: forwards to its real port unless the caller is cut off. */
    private final class Proxy {
        private final int target;
        private final int targetPort;
        private final ServerSocket server;

        Proxy(int target, int targetPort) throws IOException {
            this.target = target;
            this.targetPort = targetPort;
            this.server = new ServerSocket();
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), FreePorts.next()));
            Thread t = new Thread(this::accept, "grid-proxy-" + target);
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return server.getLocalPort();
        }

        private void accept() {
            while (!server.isClosed()) {
                Socket in;
                try {
                    in = server.accept();
                } catch (IOException e) {
                    return; // closed
                }
                int from = memberByOutboundPort.getOrDefault(in.getPort(), -1);
                if (from < 0) {
                    unknownCallers.incrementAndGet();
                }
                if (!allowed(from, target)) {
                    closeQuietly(in); // refused: the caller sees its new connection drop at once
                    continue;
                }
                try {
                    Socket out = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                    Link link = new Link(from, target, in, out);
                    synchronized (SplitGrid.this) {
                        if (!allowed(from, target)) { // split while connecting
                            link.close();
                            continue;
                        }
                        links.add(link);
                    }
                    pump(link, in, out);
                    pump(link, out, in);
                } catch (IOException e) {
                    closeQuietly(in); // the member is down
                }
            }
        }

        private void pump(Link link, Socket from, Socket to) {
            Thread t = new Thread(() -> {
                byte[] buf = new byte[16384];
                try (InputStream i = from.getInputStream(); OutputStream o = to.getOutputStream()) {
                    int n;
                    while ((n = i.read(buf)) >= 0) {
                        o.write(buf, 0, n);
                    }
                } catch (IOException e) {
                    // a side closed, or the link was cut
                } finally {
                    link.close();
                    links.remove(link);
                }
            }, "grid-proxy-" + target + "-pump");
            t.setDaemon(true);
            t.start();
        }

        void close() {
            try {
                server.close();
            } catch (IOException e) {
                // already closed
            }
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // already closed
        }
    }
}
