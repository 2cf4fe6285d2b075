package org.tributary.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Drives {@code server-config/payara-server/tributary-server} for a test: a Payara Server domain
 * with a deployment group of broker instances in its own directory, on ports that are free on this
 * machine. Knows where the logs are and can kill what the script leaves behind.
 */
final class PayaraServerCluster {
    private static final String DOMAIN = "tributary";
    private static final int SLOT_STEP = 200;

    private final Path script;
    private final Path dir;
    private final Path ear;
    private final String jvmOptions;
    private final int instances;
    private final int portBase;
    private final int instancePortBase;
    private final int kafkaPort;
    private final StringBuffer output = new StringBuffer();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    private final PrintStream console = System.out;

    /** Chooses the first set of default-shifted ports (14800/18000/19192 + k*200) that is free. */
    PayaraServerCluster(Path script, Path dir, Path ear, String jvmOptions, int instances) {
        this.script = script;
        this.dir = dir.toAbsolutePath().normalize();
        this.ear = ear;
        this.jvmOptions = jvmOptions;
        this.instances = instances;
        for (int k = 0; k < 5; k++) {
            int pb = 14800 + k * SLOT_STEP;
            int ipb = 18000 + k * SLOT_STEP;
            int kp = 19192 + k * SLOT_STEP;
            List<Integer> busy = busy(ports(pb, ipb, kp));
            if (busy.isEmpty()) {
                this.portBase = pb;
                this.instancePortBase = ipb;
                this.kafkaPort = kp;
                console.printf("[payara-server] ports: admin %d, instance HTTP %d.., Kafka %d..%n", pb + 48, ipb + 80, kp);
                return;
            }
            console.printf("[payara-server] ports %s are in use; trying the next set%n", busy);
        }
        throw new IllegalStateException("no free set of ports for the Payara Server domain (tried 14800/18000/19192 shifted by 0.." + 4 * SLOT_STEP
                + "); see what listens with: ss -ltnp");
    }

    private List<Integer> ports(int pb, int ipb, int kp) {
        List<Integer> p = new ArrayList<>(List.of(pb + 48, pb + 49, pb + 80, pb + 86));
        for (int i = 0; i < instances; i++) {
            int b = ipb + 100 * i;
            p.addAll(List.of(b + 37, b + 48, b + 59, b + 80, b + 81, b + 86, kp + i, kp + 100 + i)); // + 100: metadata quorum
        }
        return p;
    }

    private static List<Integer> busy(List<Integer> ports) {
        List<Integer> busy = new ArrayList<>();
        for (int port : ports) {
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(true);
                s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            } catch (IOException e) {
                busy.add(port);
            }
        }
        return busy;
    }

    Path dir() {
        return dir;
    }

    int httpPort(int i) {
        return instancePortBase + 100 * i + 80;
    }

    int kafkaPort(int i) {
        return kafkaPort + i;
    }

    int adminPort() {
        return portBase + 48;
    }

    Path instanceLog(int i) {
        return dir.resolve("payara6/glassfish/nodes/localhost-" + DOMAIN + "/tributary-" + i + "/logs/server.log");
    }

    /** Instance I's own directory (its {@code com.sun.aas.instanceRoot}). */
    Path instanceDir(int i) {
        return dir.resolve("payara6/glassfish/nodes/localhost-" + DOMAIN + "/tributary-" + i);
    }

    /** The pid of instance I while it runs. */
    Optional<Long> instancePid(int i) {
        try {
            long pid = Long.parseLong(Files.readString(instanceDir(i).resolve("config/pid")).trim());
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                    .filter(h -> h.info().commandLine().map(c -> c.contains(dir + "/")).orElse(false)).map(ProcessHandle::pid);
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Runs the domain's own {@code asadmin} against its admin port (the domain has no admin password). */
    Result asadmin(Duration timeout, String... args) {
        List<String> cmd = new ArrayList<>(List.of(dir.resolve("payara6/bin/asadmin").toString(), "--interactive=false", "--user", "admin",
                "--host", "127.0.0.1", "--port", Integer.toString(adminPort())));
        cmd.addAll(List.of(args));
        return exec(cmd, Map.of(), timeout, "asadmin " + String.join(" ", args));
    }

    Path domainLog() {
        return dir.resolve("domains/" + DOMAIN + "/logs/server.log");
    }

    private static void putIfSet(Map<String, String> env, String variable, String property) {
        String v = System.getProperty(property);
        if (v != null && !v.isBlank()) {
            env.put(variable, v);
        }
    }

    /** Runs one script command; the result holds its exit code and output (also echoed to the console). */
    Result run(Duration timeout, String... args) {
        List<String> cmd = new ArrayList<>(List.of("bash", script.toString()));
        cmd.addAll(List.of(args));
        Map<String, String> env = new java.util.HashMap<>();
        env.put("TRIBUTARY_SERVER_DIR", dir.toString());
        env.put("TRIBUTARY_EAR", ear.toString());
        env.put("TRIBUTARY_SERVER_PORTBASE", Integer.toString(portBase));
        env.put("TRIBUTARY_SERVER_INSTANCE_PORTBASE", Integer.toString(instancePortBase));
        env.put("TRIBUTARY_SERVER_KAFKA_PORT", Integer.toString(kafkaPort));
        env.put("TRIBUTARY_SERVER_INSTANCES", Integer.toString(instances));
        env.put("TRIBUTARY_SERVER_TIMEOUT", Long.toString(Math.max(60, timeout.toSeconds() - 60)));
        env.put("TRIBUTARY_ADMIN_PASSWORD", org.tributary.testkit.LocalCluster.ADMIN_PASSWORD);
        if (jvmOptions != null && !jvmOptions.isBlank()) {
            env.put("TRIBUTARY_SERVER_JVM_OPTS", jvmOptions);
        }
        // Payara Server as the build resolved it (ear/pom.xml), so the script starts no Maven of its own
        putIfSet(env, "TRIBUTARY_PAYARA_ZIP", "tributary.payara.zip");
        putIfSet(env, "TRIBUTARY_PAYARA_VERSION", "tributary.payara.version");
        return exec(cmd, env, timeout, "tributary-server " + String.join(" ", args));
    }

    private Result exec(List<String> cmd, Map<String, String> extraEnv, Duration timeout, String command) {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(extraEnv);
        long t0 = System.nanoTime();
        StringBuilder own = new StringBuilder();
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + cmd, e);
        }
        Thread pump = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    console.println("[payara-server] " + line);
                    own.append(line).append('\n');
                    output.append(line).append('\n');
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }, "payara-server-output");
        pump.setDaemon(true);
        pump.start();
        boolean done;
        try {
            done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            done = false;
        }
        if (!done) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        try {
            pump.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        synchronized (own) {
            return new Result(command, done ? p.exitValue() : -1, !done, own.toString(), took);
        }
    }

    /** One script run. */
    record Result(String command, int exitCode, boolean timedOut, String output, Duration took) {
        boolean ok() {
            return !timedOut && exitCode == 0;
        }

        String describe() {
            return "'" + command + "' " + (timedOut ? "did not finish in time" : "exited with " + exitCode)
                    + " after " + took.toSeconds() + " s; its last output:\n" + tail(output, 40);
        }
    }

    /** GET on 127.0.0.1 as the brokers' first admin; empty when nothing answers. */
    Optional<HttpResponse<String>> get(int port, String path) {
        return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", org.tributary.testkit.LocalCluster.basicAuthorization()).timeout(Duration.ofSeconds(5)).GET().build());
    }

    /** POST without a body on 127.0.0.1 (an application's endpoint: no credentials); empty when nothing answers. */
    Optional<HttpResponse<String>> post(int port, String path, Duration timeout) {
        return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(timeout)
                .POST(HttpRequest.BodyPublishers.noBody()).build());
    }

    private Optional<HttpResponse<String>> send(HttpRequest req) {
        try {
            return Optional.of(http.send(req, HttpResponse.BodyHandlers.ofString()));
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** The Payara processes of this directory that still run: pid files first, then command lines naming the directory. */
    Set<Long> livePids() {
        Set<Long> pids = new TreeSet<>();
        List<Path> pidFiles = new ArrayList<>();
        pidFiles.add(dir.resolve("domains/" + DOMAIN + "/config/pid"));
        Path nodes = dir.resolve("payara6/glassfish/nodes/localhost-" + DOMAIN);
        if (Files.isDirectory(nodes)) {
            try (Stream<Path> s = Files.list(nodes)) {
                s.forEach(d -> pidFiles.add(d.resolve("config/pid")));
            } catch (IOException ignored) {
                // nothing to add
            }
        }
        for (Path f : pidFiles) {
            try {
                String t = Files.readString(f).trim();
                if (!t.isEmpty()) {
                    long pid = Long.parseLong(t);
                    // a stale pid file may name a pid that another program has now
                    ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                            .filter(h -> h.info().commandLine().map(c -> c.contains(dir + "/")).orElse(false))
                            .ifPresent(h -> pids.add(h.pid()));
                }
            } catch (IOException | NumberFormatException ignored) {
                // no pid there
            }
        }
        String marker = dir + "/";
        ProcessHandle.allProcesses()
                .filter(h -> h.pid() != ProcessHandle.current().pid())
                .filter(h -> h.info().commandLine().map(c -> c.contains("java") && c.contains(marker) && c.contains("glassfish")).orElse(false))
                .forEach(h -> pids.add(h.pid()));
        return pids;
    }

    /** Kills the given processes (SIGTERM, then SIGKILL after 20 s); returns those still alive. */
    Set<Long> kill(Set<Long> pids) {
        pids.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline && pids.stream().anyMatch(PayaraServerCluster::alive)) {
            sleep(500);
        }
        pids.stream().filter(PayaraServerCluster::alive).forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
        sleep(1000);
        return pids.stream().filter(PayaraServerCluster::alive).collect(Collectors.toCollection(TreeSet::new));
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /** Everything the script printed so far. */
    String output() {
        return output.toString();
    }

    /** The last lines of a log file, for failure messages. */
    static String tailOf(Path log, int lines) {
        if (!Files.isRegularFile(log)) {
            return "(no log at " + log + ")";
        }
        try {
            return "--- last " + lines + " lines of " + log + " ---\n" + tail(Files.readString(log, StandardCharsets.UTF_8), lines);
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e.getMessage() + ")";
        }
    }

    static String tail(String text, int lines) {
        String[] all = text.split("\n", -1);
        int from = Math.max(0, all.length - lines);
        StringBuilder b = new StringBuilder();
        for (int i = from; i < all.length; i++) {
            String l = all[i];
            b.append(l.length() > 500 ? l.substring(0, 500) + "..." : l).append('\n');
        }
        return b.toString();
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
