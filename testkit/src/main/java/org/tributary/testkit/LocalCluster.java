package org.tributary.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * N real Tributary nodes (Payara Micro processes with the real archives) on 127.0.0.1, started and
 * stopped through the project's launcher ({@code server-config/bin/tributary}) in a private data
 * root and on free ports. Nodes can be stopped (SIGTERM), killed (SIGKILL), suspended (SIGSTOP)
 * and resumed (SIGCONT), and one node can be added to the running cluster ({@link #addNode()}).
 * {@link #close()} stops everything, suspended nodes included; a JVM shutdown hook kills whatever is
 * left if a test run is aborted.
 */
public final class LocalCluster implements AutoCloseable {
    /**
     * The first admin of every node this kit starts (handed to the launcher as
     * {@code TRIBUTARY_ADMIN_PASSWORD}); {@link #get} authenticates with it. System property
     * {@code tributary.admin.password} overrides it.
     */
    public static final String ADMIN_USER = "admin";
    public static final String ADMIN_PASSWORD = System.getProperty("tributary.admin.password", "testkit-admin-password");
    private static final Set<Long> STARTED = ConcurrentHashMap.newKeySet();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> STARTED.forEach(pid ->
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly))));
    }

    private final Path home;
    private final Path dataRoot;
    private int size;
    private final int kafkaBase;
    private final int httpBase;
    private final int gridBase;
    private final int quorumBase;
    private final String javaOpts;
    /** Launcher environment given at start, kept for every later launcher call (restarts too). */
    private Map<String, String> launcherEnv = Map.of();

    private LocalCluster(Path dataRoot, int size, String extraJavaOpts) {
        this.home = Paths.get(System.getProperty("tributary.home", ".")).toAbsolutePath().normalize();
        this.dataRoot = dataRoot;
        this.size = size;
        // every kind of port has room for one more node than started: the one addNode() adds
        int room = size + 1;
        int base = freeRange(4 * room);
        this.kafkaBase = base;
        this.httpBase = base + room;
        this.gridBase = base + 2 * room;
        this.quorumBase = base + 3 * room;
        this.javaOpts = (System.getProperty("tributary.node.jvm", "-Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1")
                + " " + extraJavaOpts).trim();
    }

    /** Starts {@code size} nodes and waits until every one is ready. */
    public static LocalCluster start(Path dataRoot, int size) {
        return start(dataRoot, size, "");
    }

    /** As {@link #start(Path, int)}, with extra JVM flags (e.g. {@code -Dnum.partitions=3}) for every node. */
    public static LocalCluster start(Path dataRoot, int size, String extraJavaOpts) {
        LocalCluster c = new LocalCluster(dataRoot, size, extraJavaOpts);
        Result r = c.launcher(size == 1 ? List.of("start") : List.of("cluster", Integer.toString(size)));
        c.track();
        if (r.exitCode() != 0) {
            c.close();
            throw new IllegalStateException("cluster of " + size + " did not start:\n" + r.output());
        }
        return c;
    }

    /**
     * Runs the launcher's single-node {@code start} with these JVM flags and returns what it said,
     * whatever the outcome (for start-up failure tests). The node is stopped afterwards unless it is
     * returned running inside the cluster object.
     */
    public static Attempt tryStart(Path dataRoot, String extraJavaOpts) {
        LocalCluster c = new LocalCluster(dataRoot, 1, extraJavaOpts);
        Result r = c.launcher(List.of("start"));
        c.track();
        return new Attempt(c, r);
    }

    /**
     * Starts one node with extra launcher environment (e.g. {@code TRIBUTARY_EXPLODED=true}, see
     * {@code server-config/bin/tributary}) and waits until it is ready.
     */
    public static LocalCluster startOne(Path dataRoot, String extraJavaOpts, Map<String, String> launcherEnv) {
        LocalCluster c = new LocalCluster(dataRoot, 1, extraJavaOpts);
        c.launcherEnv = Map.copyOf(launcherEnv);
        Result r = c.launcher(List.of("start"));
        c.track();
        if (r.exitCode() != 0) {
            c.close();
            throw new IllegalStateException("node did not start:\n" + r.output());
        }
        return c;
    }

    /** The outcome of {@link #tryStart}: close it to stop anything still running. */
    public record Attempt(LocalCluster cluster, Result result) implements AutoCloseable {
        @Override
        public void close() {
            cluster.close();
        }
    }

    /** What the launcher printed and its exit code. */
    public record Result(int exitCode, String output) {
    }

    public int size() {
        return size;
    }

    public int kafkaPort(int node) {
        return kafkaBase + node;
    }

    public int httpPort(int node) {
        return httpBase + node;
    }

    public String bootstrapServers() {
        List<String> s = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            s.add("127.0.0.1:" + kafkaPort(i));
        }
        return String.join(",", s);
    }

    /** The metadata quorum's port of node {@code node} (the launcher's {@code tributary.quorum.port}). */
    public int quorumPort(int node) {
        return quorumBase + node;
    }

    public Path dataDir(int node) {
        return dataRoot.resolve("node-" + node);
    }

    public Path logFile(int node) {
        return dataDir(node).resolve("server.log");
    }

    /** The node's process id, or -1 when it is not running. */
    public long pid(int node) {
        try {
            Path f = dataDir(node).resolve("tributary.pid");
            if (!Files.exists(f)) {
                return -1;
            }
            long pid = Long.parseLong(Files.readString(f).trim());
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).map(ProcessHandle::pid).orElse(-1L);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** SIGKILL, then wait for the process to be gone. */
    public void kill(int node) {
        long pid = pid(node);
        signal(pid, "KILL");
        ProcessHandle.of(pid).ifPresent(p -> p.onExit().orTimeout(30, TimeUnit.SECONDS).join());
    }

    /** SIGSTOP: the process stays but stops answering (a partitioned or frozen node). */
    public void suspend(int node) {
        signal(pid(node), "STOP");
    }

    /** SIGCONT after {@link #suspend}. */
    public void resume(int node) {
        signal(pid(node), "CONT");
    }

    /** Stops one node with SIGTERM (through the launcher) and waits until it has exited. */
    public Result stop(int node) {
        return launcher(List.of("stop", Integer.toString(node)));
    }

    /** (Re)starts one node and waits until it is ready. */
    public void restart(int node) {
        Result r = launcher(List.of("start-node", Integer.toString(node)));
        track();
        if (r.exitCode() != 0) {
            throw new IllegalStateException("node " + node + " did not restart:\n" + r.output());
        }
    }

    /**
     * Starts one more node (the next index, an empty data directory) in the running cluster and
     * waits until it is ready: it joins through the data grid and follows the metadata quorum as an
     * observer (the voters stay the first three). Once only: the port layout has room for one.
     *
     * @return the new node's index
     */
    public int addNode() {
        if (pid(size) > 0 || Files.exists(dataDir(size))) {
            throw new IllegalStateException("node " + size + " was added already");
        }
        if (size + 1 > portRoom()) {
            throw new IllegalStateException("this cluster has port room for one added node only");
        }
        int node = size;
        Result r = launcher(List.of("cluster", Integer.toString(size + 1)));
        size++;
        track();
        if (r.exitCode() != 0) {
            throw new IllegalStateException("node " + node + " did not start:\n" + r.output());
        }
        return node;
    }

    private int portRoom() {
        return httpBase - kafkaBase;
    }

    /** GET on a node's HTTP port as the admin (HTTP Basic); returns the body, or throws with the status. */
    public String get(int node, String path) {
        HttpResponse<String> r = getResponse(node, path);
        if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException("GET " + path + " on node " + node + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }

    public HttpResponse<String> getResponse(int node, String path) {
        return send(node, "GET", path, null);
    }

    /**
     * A request with this method on a node's HTTP port as the admin (HTTP Basic), with a JSON body
     * when {@code json} is not null; returns the response whatever its status.
     */
    public HttpResponse<String> send(int node, String method, String path, String json) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort(node) + path))
                    .header("Authorization", basicAuthorization()).timeout(Duration.ofSeconds(10));
            if (json == null) {
                b.method(method, HttpRequest.BodyPublishers.noBody());
            } else {
                b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
            }
            return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The {@code Authorization} header value for the admin of this kit's nodes. */
    public static String basicAuthorization() {
        return "Basic " + java.util.Base64.getEncoder().encodeToString((ADMIN_USER + ":" + ADMIN_PASSWORD).getBytes(StandardCharsets.UTF_8));
    }

    /** Polls until the condition holds, or fails with the message after the timeout. */
    public static void await(Duration timeout, String what, BooleanSupplier condition) {
        await(timeout, () -> what, condition);
    }

    /**
     * As {@link #await(Duration, String, BooleanSupplier)}, with the failure's message built when
     * it fails: it can say what the state was at the deadline.
     */
    public static void await(Duration timeout, java.util.function.Supplier<String> what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                if (condition.getAsBoolean()) {
                    return;
                }
            } catch (RuntimeException e) {
                // not yet: keep trying until the deadline
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for: " + what.get());
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for: " + what.get());
            }
        }
    }

    /**
     * Runs the launcher with this cluster's data root, ports and JVM flags. The archives must be
     * built already (by the reactor: {@code server-config} builds before the modules that test with
     * this kit), so the launcher never starts a Maven build of its own inside a test.
     */
    public Result launcher(List<String> args) {
        return launcher(args, Map.of());
    }

    /** As {@link #launcher(List)}, with extra environment for the launcher. */
    public Result launcher(List<String> args, Map<String, String> extraEnv) {
        Path runtime = home.resolve("server-config/target/runtime");
        for (String f : List.of("payara-micro.jar", "tributary.war", "tributary-jca.rar")) {
            if (!Files.isRegularFile(runtime.resolve(f))) {
                throw new IllegalStateException("no " + runtime.resolve(f) + ": build the server-config module first "
                        + "(run the tests through the root build, e.g. mvn verify)");
            }
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(home.resolve("server-config/bin/tributary").toString());
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.put("TRIBUTARY_DATA", dataRoot.toString());
        env.put("TRIBUTARY_KAFKA_PORT", Integer.toString(kafkaBase));
        env.put("TRIBUTARY_HTTP_PORT", Integer.toString(httpBase));
        env.put("TRIBUTARY_GRID_PORT", Integer.toString(gridBase));
        env.put("TRIBUTARY_QUORUM_PORT", Integer.toString(quorumBase));
        env.put("TRIBUTARY_JAVA_OPTS", javaOpts);
        env.putIfAbsent("TRIBUTARY_START_TIMEOUT", "240");
        env.put("TRIBUTARY_ADMIN_PASSWORD", ADMIN_PASSWORD);
        env.putAll(launcherEnv);
        env.putAll(extraEnv);
        try {
            Files.createDirectories(dataRoot);
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException("launcher " + args + " did not finish:\n" + out);
            }
            return new Result(p.exitValue(), out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Stops every node (SIGTERM through the launcher, then SIGKILL for anything left). */
    @Override
    public void close() {
        // a suspended node cannot act on SIGTERM: let it run again first
        for (int i = 0; i < size; i++) {
            long pid = pid(i);
            if (pid > 0) {
                try {
                    signal(pid, "CONT");
                } catch (RuntimeException e) {
                    // gone meanwhile
                }
            }
        }
        try {
            launcher(List.of("stop"));
        } catch (RuntimeException e) {
            // fall through to the forced kill below
        }
        for (int i = 0; i < size; i++) {
            long pid = pid(i);
            if (pid > 0) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    private void track() {
        for (int i = 0; i < size; i++) {
            long pid = pid(i);
            if (pid > 0) {
                STARTED.add(pid);
            }
        }
    }

    private static void signal(long pid, String sig) {
        if (pid <= 0) {
            throw new IllegalStateException("node is not running");
        }
        try {
            Process p = new ProcessBuilder("kill", "-" + sig, Long.toString(pid)).inheritIO().start();
            if (p.waitFor() != 0) {
                throw new IllegalStateException("kill -" + sig + " " + pid + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * A base port such that base..base+n-1 are all free now, all below the system's ephemeral port
     * range: a port inside it can be taken as the local end of any outgoing connection (a client,
     * another node) between this check and the node's bind, or while a killed node restarts.
     */
    static int freeRange(int n) {
        int ephemeralStart = ephemeralPortStart();
        int low = 10000;
        int span = Math.max(1, ephemeralStart - n - low);
        for (int attempt = 0; attempt < 200; attempt++) {
            int base = low + ThreadLocalRandom.current().nextInt(span);
            boolean free = true;
            for (int i = 0; i < n && free; i++) {
                try (ServerSocket s = new ServerSocket(base + i, 1, java.net.InetAddress.getLoopbackAddress())) {
                    s.setReuseAddress(true);
                } catch (IOException e) {
                    free = false;
                }
            }
            if (free) {
                return base;
            }
        }
        throw new IllegalStateException("no free port range of " + n);
    }

    /** The first port of the ephemeral range (Linux's ip_local_port_range; 32768 when unknown). */
    static int ephemeralPortStart() {
        try {
            String range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim();
            int start = Integer.parseInt(range.split("\\s+")[0]);
            return start > 12000 ? start : 32768;
        } catch (IOException | RuntimeException e) {
            return 32768;
        }
    }
}
