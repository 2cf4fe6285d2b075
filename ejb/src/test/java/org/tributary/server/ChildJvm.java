package org.tributary.server;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A class's {@code main} run in its own JVM on the test class path, so a test can kill it as a
 * crash would ({@link #kill()}: SIGKILL, no shutdown hook, no close) or stop it as a user would
 * ({@link #terminate()}: SIGTERM, shutdown hooks run). Each stdout line goes to a listener; stderr
 * goes to a file whose tail {@link #errorTail()} returns for failure messages.
 */
final class ChildJvm implements AutoCloseable {
    private final Process process;
    private final Path stderr;
    private final Thread reader;

    private ChildJvm(Process process, Path stderr, Consumer<String> lines) {
        this.process = process;
        this.stderr = stderr;
        this.reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    lines.accept(line);
                }
            } catch (IOException e) {
                // the process is gone
            }
        }, "child-stdout-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code mainClass} with {@code args}; {@code jvmFlags} come before the class path. */
    static ChildJvm start(String mainClass, List<String> jvmFlags, List<String> args, Consumer<String> lines) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-XX:+UseSerialGC");
        cmd.addAll(jvmFlags);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass);
        cmd.addAll(args);
        Path err = Files.createTempFile("child-jvm-", ".err");
        Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
        return new ChildJvm(p, err, lines);
    }

    boolean alive() {
        return process.isAlive();
    }

    /** The exit status once the process has ended and its stdout was read to the end; -1 while it runs. */
    int exitStatus() {
        if (process.isAlive() || reader.isAlive()) {
            return -1;
        }
        return process.exitValue();
    }

    /** SIGKILL: the process stops where it is, nothing closed or flushed. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
        reader.join(10_000);
    }

    /** SIGTERM: shutdown hooks run (clients close); waits for the exit, then kills what is left. */
    void terminate() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
        reader.join(10_000);
    }

    /** The last lines the process wrote to stderr. */
    String errorTail() {
        return errorTail("");
    }

    /** The last lines the process wrote to stderr that contain {@code text}, with the line before each (the JUL header). */
    String errorTail(String text) {
        try {
            List<String> lines = Files.readAllLines(stderr, StandardCharsets.UTF_8);
            List<String> all = new ArrayList<>();
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).contains(text)) {
                    if (i > 0 && !text.isEmpty()) {
                        all.add(lines.get(i - 1));
                    }
                    all.add(lines.get(i));
                }
            }
            return String.join("\n", all.subList(Math.max(0, all.size() - 40), all.size()));
        } catch (IOException e) {
            return "(no stderr: " + e + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
        try {
            Files.deleteIfExists(stderr);
        } catch (IOException e) {
            // a temp file
        }
    }
}
