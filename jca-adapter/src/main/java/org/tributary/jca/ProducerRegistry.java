package org.tributary.jca;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.logging.Logger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * One shared, thread-safe producer per distinct configuration, owned by the resource adapter and
 * closed (after flushing) when the adapter stops. Pooled connections and the dead-letter writer
 * all borrow from here; none of them closes a producer.
 */
public final class ProducerRegistry {
    private static final Logger LOG = Logger.getLogger(ProducerRegistry.class.getName());

    private final Function<Map<String, String>, Producer<byte[], byte[]>> factory;
    private final Map<Map<String, String>, Producer<byte[], byte[]>> producers = new HashMap<>();
    private boolean closed;

    public ProducerRegistry() {
        this(ProducerRegistry::newProducer);
    }

    public ProducerRegistry(Function<Map<String, String>, Producer<byte[], byte[]>> factory) {
        this.factory = factory;
    }

    public synchronized Producer<byte[], byte[]> producer(Map<String, String> config) {
        if (closed) {
            throw new IllegalStateException("the Tributary resource adapter is stopped");
        }
        return producers.computeIfAbsent(new TreeMap<>(config), factory);
    }

    public synchronized void close() {
        closed = true;
        for (Producer<byte[], byte[]> p : producers.values()) {
            try {
                p.close(Duration.ofSeconds(30));
            } catch (RuntimeException e) {
                LOG.warning("TRIB-JCA-010 closing a producer failed: " + e);
            }
        }
        producers.clear();
    }

    /** A new producer of its own for {@code config} (the caller closes it): transactional connections own theirs. */
    public static Producer<byte[], byte[]> newProducer(Map<String, String> config) {
        Properties p = new Properties();
        p.putAll(config);
        Thread t = Thread.currentThread();
        ClassLoader saved = t.getContextClassLoader();
        t.setContextClassLoader(ProducerRegistry.class.getClassLoader());
        try {
            return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
        } finally {
            t.setContextClassLoader(saved);
        }
    }
}
