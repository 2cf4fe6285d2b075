package org.tributary.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A throwaway PostgreSQL server for tests (the console database's tests in {@code ejb} and {@code web}): its own cluster in a temp directory (initdb), on
 * 127.0.0.1 at a free port, password authentication (SCRAM), stopped by {@link #close()}. The
 * binaries come from the Debian package ({@code /usr/lib/postgresql/<version>/bin}). PostgreSQL
 * refuses to run as root, so as root the server runs as {@code nobody} (through {@code runuser})
 * in a directory owned by it. Without the binaries a test is skipped with the reason, except in CI
 * ({@code CI=true}), where that is a failure.
 */
public final class LocalPostgres implements AutoCloseable {
    public static final String USER = "tributary";
    public static final String PASSWORD = "pg-test-password-1";

    private final Path bin;
    private final Path dir;
    private final int port;
    private final boolean asNobody;
    private final Thread stopAtExit = new Thread(this::stopQuietly, "local-postgres-stop");

    private LocalPostgres(Path bin, Path dir, int port, boolean asNobody) {
        this.bin = bin;
        this.dir = dir;
        this.port = port;
        this.asNobody = asNobody;
    }

    public static Optional<Path> binaries() {
        Path root = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(root)) {
            return Optional.empty();
        }
        try (Stream<Path> versions = Files.list(root)) {
            return versions.map(v -> v.resolve("bin"))
                    .filter(b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("pg_ctl")))
                    .max(Comparator.comparingInt(b -> version(b.getParent().getFileName().toString())));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static int version(String s) {
        try {
            return Integer.parseInt(s.replaceAll("[^0-9].*", ""));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Starts a server, or skips (fails in CI) when PostgreSQL is not installed. */
    public static LocalPostgres start() throws Exception {
        Optional<Path> bin = binaries();
        if (bin.isEmpty()) {
            String why = "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb; Debian package 'postgresql', "
                    + "which server-config/bin/run-tests installs as root)";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new AssertionError(why);
            }
            Assumptions.abort(why);
        }
        boolean root = "root".equals(System.getProperty("user.name"));
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "tributary-pg");
        LocalPostgres pg = new LocalPostgres(bin.get(), dir, freePort(), root);
        try {
            pg.init();
            return pg;
        } catch (Exception | AssertionError e) {
            pg.close();
            throw e;
        }
    }

    private void stopQuietly() {
        try {
            run(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "immediate", "-w", "stop"), asNobody);
        } catch (Exception | AssertionError ignored) {
            // best effort at JVM exit
        }
    }

    private void init() throws Exception {
        Runtime.getRuntime().addShutdownHook(stopAtExit);
        Path pwfile = dir.resolve("pwfile");
        Files.writeString(pwfile, PASSWORD + "\n");
        if (asNobody) {
            run(List.of("chown", "-R", "nobody:nogroup", dir.toString()), false);
        }
        run(List.of(bin.resolve("initdb").toString(), "-D", dir.resolve("data").toString(), "-U", USER, "--pwfile=" + pwfile,
                "--auth=scram-sha-256", "--no-sync", "-E", "UTF8", "--locale=C"), asNobody);
        run(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-l", dir.resolve("server.log").toString(),
                "-w", "-t", "60", "-o", "-p " + port + " -c listen_addresses=127.0.0.1 -c unix_socket_directories=" + dir
                        + " -c fsync=off", "start"), asNobody);
    }

    private void run(List<String> command, boolean nobody) throws Exception {
        List<String> cmd = new ArrayList<>();
        if (nobody) {
            cmd.addAll(List.of("runuser", "-u", "nobody", "--"));
        }
        cmd.addAll(command);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).directory(dir.toFile());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            String log = Files.exists(dir.resolve("server.log")) ? Files.readString(dir.resolve("server.log")) : "";
            throw new AssertionError(String.join(" ", cmd) + " failed: " + out + log);
        }
    }

    private static int freePort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    @Override
    public void close() throws Exception {
        try {
            Runtime.getRuntime().removeShutdownHook(stopAtExit);
        } catch (IllegalStateException shuttingDown) {
            // the hook stops the server itself
        }
        try {
            if (Files.exists(dir.resolve("data").resolve("postmaster.pid"))) {
                run(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "immediate", "-w", "stop"),
                        asNobody);
            }
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }
}
