package org.tributary.testkit;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import org.apache.kafka.common.utils.Exit;

/**
 * Runs one of Kafka's command-line tools (its main class, as the shell script would) in this JVM,
 * as a user would run it, and captures what it printed. A tool that calls {@code Exit} does not end
 * the test JVM: the status of its first exit is appended as "EXIT n". Calls are serialised: the tools print to
 * {@code System.out}, which is swapped while one runs.
 */
public final class KafkaTools {
    private KafkaTools() {
    }

    /**
     * Runs {@code main} with {@code args}; returns stdout and stderr together, ending with
     * "EXIT n" when the tool exited with a status. Also echoes the command and its output.
     */
    public static synchronized String run(String name, Consumer<String[]> main, String... args) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream out = System.out;
        PrintStream err = System.err;
        PrintStream capture = new PrintStream(buf, true, StandardCharsets.UTF_8);
        // The first exit is the status a real process would end with: some tools (4.3.1's
        // TopicCommand) call Exit inside a catch-all, which catches the exception standing in for
        // the exit and exits again with 1.
        int[] firstExit = {-1};
        Exit.setExitProcedure((status, message) -> {
            if (firstExit[0] < 0) {
                firstExit[0] = status;
            }
            throw new ToolExit();
        });
        System.setOut(capture);
        System.setErr(capture);
        try {
            main.accept(args);
        } catch (ToolExit e) {
            // reported below, as the first exit
        } finally {
            System.setOut(out);
            System.setErr(err);
            Exit.resetExitProcedure();
        }
        if (firstExit[0] >= 0) {
            capture.println("EXIT " + firstExit[0]);
        }
        String text = buf.toString(StandardCharsets.UTF_8);
        System.out.println("$ " + name + " " + String.join(" ", args) + "\n" + text);
        return text;
    }

    private static final class ToolExit extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ToolExit() {
            super(null, null, false, false);
        }
    }
}
