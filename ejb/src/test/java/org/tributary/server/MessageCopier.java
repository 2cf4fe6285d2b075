package org.tributary.server;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Kafka's {@code org.apache.kafka.tools.TransactionalMessageCopier} (the client of Kafka's
 * transactions system test) in a child JVM: copies one input partition to the same partition of
 * the output topic in transactions, committing its consumer offsets in each. It can be killed or
 * stopped and started again with the same transactional id, which fences the old instance.
 */
final class MessageCopier implements AutoCloseable {
    private static final Pattern REMAINING = Pattern.compile("\"remaining\":(\\d+)");
    private final List<String> args;
    private final long inputRecords;
    private final AtomicLong remaining = new AtomicLong(Long.MAX_VALUE);
    private ChildJvm jvm;
    private int starts;

    MessageCopier(String bootstrap, String input, int partition, String output, String group, int transactionSize,
            int transactionTimeoutMs, long inputRecords) {
        this.inputRecords = inputRecords;
        this.args = List.of("--broker-list", bootstrap, "--input-topic", input, "--input-partition", Integer.toString(partition),
                "--output-topic", output, "--consumer-group", group, "--transactional-id", "copier-" + partition,
                "--transaction-size", Integer.toString(transactionSize), "--transaction-timeout", Integer.toString(transactionTimeoutMs), "--use-group-metadata");
    }

    MessageCopier start() throws IOException {
        remaining.set(Long.MAX_VALUE);
        starts++;
        jvm = ChildJvm.start("org.apache.kafka.tools.TransactionalMessageCopier", List.of("-Xmx96m"), args, line -> {
            Matcher m = REMAINING.matcher(line);
            if (m.find()) {
                remaining.set(Long.parseLong(m.group(1)));
            }
        });
        return this;
    }

    /** Share of the input committed to the output, as the copier last reported it (0 before its first report). */
    double progress() {
        long r = remaining.get();
        return r == Long.MAX_VALUE ? 0 : 1.0 - (double) r / inputRecords;
    }

    /** The copier copied everything there was at its start and exited normally. */
    boolean done() {
        int status = jvm.exitStatus();
        if (status > 0) {
            throw new AssertionError("copier exited with " + status + ":\n" + jvm.errorTail());
        }
        return status == 0;
    }

    /** Hard bounce: SIGKILL mid-transaction, then the same transactional id again. */
    void killAndRestart() throws Exception {
        jvm.kill();
        jvm.close();
        start();
    }

    /** Clean bounce: SIGTERM (the copier closes its clients), then the same transactional id again. */
    void stopAndRestart() throws Exception {
        jvm.terminate();
        jvm.close();
        start();
    }

    int starts() {
        return starts;
    }

    @Override
    public void close() throws InterruptedException {
        if (jvm != null) {
            jvm.close();
        }
    }
}
