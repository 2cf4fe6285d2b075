package org.tributary.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.tributary.testkit.KafkaTools;

/** Kafka's command-line tools this module's tests run against real nodes (through {@link KafkaTools}). */
final class KafkaCli {
    private KafkaCli() {
    }

    /** {@code kafka-metadata-quorum} with these arguments. */
    static String metadataQuorum(String... args) {
        return KafkaTools.run("kafka-metadata-quorum", org.apache.kafka.tools.MetadataQuorumCommand::main, args);
    }

    /** {@code kafka-leader-election} with these arguments. */
    static String leaderElection(String... args) {
        return KafkaTools.run("kafka-leader-election", org.apache.kafka.tools.LeaderElectionCommand::main, args);
    }

    /**
     * {@code kafka-topics} with these arguments, in a JVM of its own as the shell script runs it:
     * its output (stdout and stderr) ending with "EXIT n", its exit status: the process's own, as a
     * user sees it ({@link KafkaTools} in this JVM reports the first exit of a tool, which 4.3.1's
     * {@code TopicCommand} follows with a second one from its catch-all).
     */
    static String topics(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "org.apache.kafka.tools.TopicCommand"));
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> {
                try {
                    return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    return "(output not read: " + e + ")";
                }
            });
            if (!p.waitFor(2, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                return out.getNow("") + "\nkafka-topics did not finish within 2 minutes\nEXIT -1";
            }
            String text = out.get(10, TimeUnit.SECONDS) + "EXIT " + p.exitValue();
            System.out.println("$ kafka-topics " + String.join(" ", args) + "\n" + text);
            return text;
        } catch (IOException | java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("cannot run " + cmd, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running kafka-topics", e);
        }
    }

    /** {@code kafka-configs} with these arguments. */
    static String configs(String... args) {
        return KafkaTools.run("kafka-configs", kafka.admin.ConfigCommand::main, args);
    }
}
