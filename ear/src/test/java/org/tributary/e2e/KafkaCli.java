package org.tributary.e2e;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import org.apache.kafka.common.utils.Exit;

/**
 * Runs one of Kafka's command-line tools (its main class, as the shell script would) in this JVM
 * against real nodes, and captures what it printed. A tool that calls {@code Exit} does not end the
 * test JVM: the status is appended as "EXIT n".
 */
final class KafkaCli {
    private KafkaCli() {
    }

    /** {@code kafka-metadata-quorum} with these arguments. */
    static String metadataQuorum(String... args) {
        return run("kafka-metadata-quorum", org.apache.kafka.tools.MetadataQuorumCommand::main, args);
    }

    /** {@code kafka-configs} with these arguments. */
    static String configs(String... args) {
        return run("kafka-configs", kafka.admin.ConfigCommand::main, args);
    }

    static synchronized String run(String name, Consumer<String[]> main, String... args) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream out = System.out;
        PrintStream err = System.err;
        PrintStream capture = new PrintStream(buf, true, StandardCharsets.UTF_8);
        Exit.setExitProcedure((status, message) -> {
            throw new ToolExit(status);
        });
        System.setOut(capture);
        System.setErr(capture);
        try {
            main.accept(args);
        } catch (ToolExit e) {
            capture.println("EXIT " + e.status);
        } finally {
            System.setOut(out);
            System.setErr(err);
            Exit.resetExitProcedure();
        }
        String text = buf.toString(StandardCharsets.UTF_8);
        System.out.println("$ " + name + " " + String.join(" ", args) + "\n" + text);
        return text;
    }

    private static final class ToolExit extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int status;

        ToolExit(int status) {
            super(null, null, false, false);
            this.status = status;
        }
    }
}
