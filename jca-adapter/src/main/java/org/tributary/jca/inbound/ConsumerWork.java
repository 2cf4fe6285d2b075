package org.tributary.jca.inbound;

import jakarta.resource.spi.work.Work;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * One consumer of an endpoint's group, run on a WorkManager thread. The consumer is used by
 * that thread only (other threads merely call {@link Consumer#wakeup()}), so each partition it
 * owns is processed by one thread at a time. Offsets are committed after each delivery round,
 * before partitions are revoked, and when stopping.
 */
final class ConsumerWork implements Work {
    private static final Logger LOG = Logger.getLogger(ConsumerWork.class.getName());

    private final ConsumerSettings settings;
    private final DeliveryEngine engine;
    private final String name;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private static final long ERROR_PAUSE_MS = 5_000;

    private final CountDownLatch finished = new CountDownLatch(1);
    private final CountDownLatch stopSignal = new CountDownLatch(1);
    private volatile Consumer<byte[], byte[]> consumer;

    /** Told the consumer once it exists, on the consumer's thread (the deliveries read its group metadata). */
    private final java.util.function.Consumer<Consumer<byte[], byte[]>> onConsumer;

    ConsumerWork(String name, ConsumerSettings settings, DeliveryEngine engine) {
        this(name, settings, engine, c -> { });
    }

    ConsumerWork(String name, ConsumerSettings settings, DeliveryEngine engine, java.util.function.Consumer<Consumer<byte[], byte[]>> onConsumer) {
        this.name = name;
        this.settings = settings;
        this.engine = engine;
        this.onConsumer = onConsumer;
    }

    /** For tests: run with a given consumer (for example kafka-clients' MockConsumer). */
    void useConsumer(Consumer<byte[], byte[]> c) {
        this.consumer = c;
    }

    @Override
    public void run() {
        try {
            Consumer<byte[], byte[]> c = consumer != null ? consumer : newConsumer();
            consumer = c;
            if (stopping.get()) {
                c.close(CloseOptions.timeout(Duration.ZERO));
                return;
            }
            onConsumer.accept(c);
            c.subscribe(settings.topics(), new Rebalance(c));
            loop(c);
        } catch (RuntimeException | Error e) {
            LOG.severe("TRIB-JCA-030 consumer " + name + " stopped by an unexpected error: " + e);
            throw e;
        } finally {
            finished.countDown();
        }
    }

    private void loop(Consumer<byte[], byte[]> c) {
        try {
            while (!stopping.get()) {
                try {
                    round(c);
                } catch (WakeupException e) {
                    throw e;
                } catch (KafkaException e) {
                    // the cluster said no (unreachable, not authorised, no offset with autoOffsetReset=none, ...):
                    // keep the endpoint alive, say so, and try again after a pause that stop() cuts short
                    LOG.warning("TRIB-JCA-035 consumer " + name + " failed to poll, retrying in " + ERROR_PAUSE_MS + " ms: " + e);
                    stopSignal.await(ERROR_PAUSE_MS, TimeUnit.MILLISECONDS);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (WakeupException e) {
            if (!stopping.get()) {
                throw e;
            }
        } finally {
            shutdown(c);
        }
    }

    private void round(Consumer<byte[], byte[]> c) {
        long wait = Math.max(0, Math.min(settings.pollTimeoutMs(), engine.nextRetryAt() - System.currentTimeMillis()));
        ConsumerRecords<byte[], byte[]> records = c.poll(Duration.ofMillis(wait));
        engine.add(records);
        engine.deliverReady(stopping::get);
        commit(c, engine.takeCommits());
        pauseBacklogged(c);
    }

    private void pauseBacklogged(Consumer<byte[], byte[]> c) {
        Set<TopicPartition> backlog = engine.backlogged();
        backlog.retainAll(c.assignment());
        Set<TopicPartition> resume = new HashSet<>(c.paused());
        resume.removeAll(backlog);
        if (!resume.isEmpty()) {
            c.resume(resume);
        }
        if (!backlog.isEmpty()) {
            c.pause(backlog);
        }
    }

    private void commit(Consumer<byte[], byte[]> c, Map<TopicPartition, OffsetAndMetadata> offsets) {
        if (offsets.isEmpty()) {
            return;
        }
        for (int tries = 0; ; tries++) {
            try {
                c.commitSync(offsets);
                return;
            } catch (WakeupException e) {
                if (tries > 0) {
                    throw e; // wakeups are one-shot; a second one is not ours
                }
            } catch (RuntimeException e) {
                // the group moved on (rebalance): the new owner re-reads from the last commit
                LOG.warning("TRIB-JCA-031 consumer " + name + " could not commit " + offsets + ": " + e);
                return;
            }
        }
    }

    private void shutdown(Consumer<byte[], byte[]> c) {
        try {
            commit(c, engine.revoke(new HashSet<>(c.assignment())));
        } catch (RuntimeException e) {
            LOG.warning("TRIB-JCA-032 consumer " + name + " final commit failed: " + e);
        }
        try {
            c.close(CloseOptions.timeout(Duration.ofSeconds(10)));
        } catch (RuntimeException e) {
            LOG.warning("TRIB-JCA-033 consumer " + name + " close failed: " + e);
        }
    }

    /** Asks the loop to stop; the thread finishes its current delivery, commits and closes. */
    @Override
    public void release() {
        stopping.set(true);
        stopSignal.countDown();
        Consumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
    }

    boolean awaitFinished(long timeout, TimeUnit unit) throws InterruptedException {
        return finished.await(timeout, unit);
    }

    /** Marks the work finished when the WorkManager refused it and {@link #run()} never ran. */
    void notStarted() {
        finished.countDown();
    }

    private Consumer<byte[], byte[]> newConsumer() {
        Properties p = new Properties();
        p.putAll(settings.kafka());
        if (!p.containsKey("client.id")) {
            p.put("client.id", name);
        } else {
            p.put("client.id", p.get("client.id") + "-" + name.substring(name.lastIndexOf('-') + 1));
        }
        Thread t = Thread.currentThread();
        ClassLoader saved = t.getContextClassLoader();
        t.setContextClassLoader(ConsumerWork.class.getClassLoader());
        try {
            return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        } finally {
            t.setContextClassLoader(saved);
        }
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        private final Consumer<byte[], byte[]> c;

        Rebalance(Consumer<byte[], byte[]> c) {
            this.c = c;
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            commit(c, engine.revoke(partitions));
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            LOG.fine(() -> "TRIB-JCA-034 consumer " + name + " assigned " + partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            engine.revoke(partitions); // no longer ours: nothing may be committed for them
        }
    }
}
