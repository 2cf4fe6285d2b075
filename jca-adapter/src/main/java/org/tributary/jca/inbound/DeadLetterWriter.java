package org.tributary.jca.inbound;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Writes a record that exhausted its delivery attempts to its dead-letter topic: same key, value
 * and headers, plus headers naming where it came from and why it failed. Waits for the
 * acknowledgement, so the source offset is committed only after the dead letter is stored.
 */
public final class DeadLetterWriter implements DeliveryEngine.DeadLetters {
    public static final String ORIGINAL_TOPIC = "tributary.dlt.original.topic";
    public static final String ORIGINAL_PARTITION = "tributary.dlt.original.partition";
    public static final String ORIGINAL_OFFSET = "tributary.dlt.original.offset";
    public static final String ORIGINAL_TIMESTAMP = "tributary.dlt.original.timestamp";
    public static final String ATTEMPTS = "tributary.dlt.delivery.attempts";
    public static final String EXCEPTION_CLASS = "tributary.dlt.exception.class";
    public static final String EXCEPTION_MESSAGE = "tributary.dlt.exception.message";
    public static final String EXCEPTION_STACKTRACE = "tributary.dlt.exception.stacktrace";

    private final Producer<byte[], byte[]> producer;
    private final ConsumerSettings settings;

    public DeadLetterWriter(Producer<byte[], byte[]> producer, ConsumerSettings settings) {
        this.producer = producer;
        this.settings = settings;
    }

    @Override
    public void write(ConsumerRecord<byte[], byte[]> r, int attempts, Throwable cause) throws Exception {
        producer.send(deadLetter(settings.deadLetterTopicFor(r.topic()), r, attempts, cause)).get(60, TimeUnit.SECONDS);
    }

    static ProducerRecord<byte[], byte[]> deadLetter(String topic, ConsumerRecord<byte[], byte[]> r, int attempts, Throwable cause) {
        RecordHeaders h = new RecordHeaders();
        for (Header header : r.headers()) {
            h.add(header);
        }
        Throwable root = unwrap(cause);
        h.add(ORIGINAL_TOPIC, utf8(r.topic()));
        h.add(ORIGINAL_PARTITION, utf8(Integer.toString(r.partition())));
        h.add(ORIGINAL_OFFSET, utf8(Long.toString(r.offset())));
        h.add(ORIGINAL_TIMESTAMP, utf8(Long.toString(r.timestamp())));
        h.add(ATTEMPTS, utf8(Integer.toString(attempts)));
        h.add(EXCEPTION_CLASS, utf8(root == null ? "" : root.getClass().getName()));
        h.add(EXCEPTION_MESSAGE, utf8(root == null || root.getMessage() == null ? "" : root.getMessage()));
        h.add(EXCEPTION_STACKTRACE, utf8(stackTrace(root)));
        return new ProducerRecord<>(topic, null, r.key(), r.value(), h);
    }

    /** The application's exception, without the container's wrappers (EJBException and the like). */
    static Throwable unwrap(Throwable t) {
        Throwable cur = t;
        while (cur != null && cur.getCause() != null && cur.getCause() != cur
                && (cur.getClass().getName().startsWith("jakarta.") || cur.getClass().getName().startsWith("java.lang.reflect.")
                        || cur.getClass().getName().startsWith("com.sun.") || cur.getClass().getName().startsWith("org.glassfish."))) {
            cur = cur.getCause();
        }
        return cur;
    }

    private static String stackTrace(Throwable t) {
        if (t == null) {
            return "";
        }
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        String s = w.toString();
        return s.length() > 8_000 ? s.substring(0, 8_000) : s;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
