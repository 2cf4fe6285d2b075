package org.tributary.jca.inbound;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The at-least-once delivery state machine of one consumer: fetched records wait per partition,
 * are delivered in offset order, and a partition's offset advances only past records whose
 * delivery returned normally (or that went to the dead-letter topic).
 *
 * <p>Per partition the states are: <em>idle</em> (nothing pending), <em>ready</em> (pending,
 * deliver now), <em>backing off</em> (the head record failed {@code n < maxDeliveryAttempts}
 * times; nothing of this partition is delivered before {@code retryAt}) and <em>dead-lettering</em>
 * (the head record failed {@code maxDeliveryAttempts} times; one back-off later it is written to
 * the dead-letter topic, and only that write is retried until it succeeds). A partition never runs
 * ahead of its failing head record.
 *
 * <p>Not thread-safe: one consumer thread owns an engine. Time comes from the injected clock.
 */
public final class DeliveryEngine {
    private static final Logger LOG = Logger.getLogger(DeliveryEngine.class.getName());

    /** Delivers one record; returning normally means processed. */
    public interface Delivery {
        void deliver(ConsumerRecord<byte[], byte[]> record, int attempt) throws Exception;
    }

    /** Writes a record that exhausted its attempts to the dead-letter topic, durably. */
    public interface DeadLetters {
        void write(ConsumerRecord<byte[], byte[]> record, int attempts, Throwable cause) throws Exception;
    }

    /** Thrown by a {@link Delivery} when the endpoint cannot be reached right now (undeploying): not an attempt. */
    public static final class NotDelivered extends Exception {
        public NotDelivered(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static final class PartitionState {
        final ArrayDeque<ConsumerRecord<byte[], byte[]>> pending = new ArrayDeque<>();
        int failures;
        long retryAt;
        Throwable lastError;
        boolean deadLettering;
    }

    private final int maxAttempts;
    private final long backoffMs;
    private final LongSupplier clock;
    private final Delivery delivery;
    private final DeadLetters deadLetters;
    private final Map<TopicPartition, PartitionState> partitions = new LinkedHashMap<>();
    private final Map<TopicPartition, OffsetAndMetadata> toCommit = new HashMap<>();

    public DeliveryEngine(int maxAttempts, long backoffMs, LongSupplier clock, Delivery delivery, DeadLetters deadLetters) {
        this.maxAttempts = maxAttempts;
        this.backoffMs = backoffMs;
        this.clock = clock;
        this.delivery = delivery;
        this.deadLetters = deadLetters;
    }

    public void add(ConsumerRecords<byte[], byte[]> records) {
        for (TopicPartition tp : records.partitions()) {
            add(tp, records.records(tp));
        }
    }

    public void add(TopicPartition tp, List<ConsumerRecord<byte[], byte[]>> records) {
        if (!records.isEmpty()) {
            partitions.computeIfAbsent(tp, k -> new PartitionState()).pending.addAll(records);
        }
    }

    /**
     * Delivers every record that may be delivered now, partition by partition, until each
     * partition is idle or backing off, or {@code stop} says to stop (checked between records; a
     * delivery in progress always completes).
     */
    public void deliverReady(BooleanSupplier stop) {
        for (Map.Entry<TopicPartition, PartitionState> e : partitions.entrySet()) {
            PartitionState s = e.getValue();
            while (!s.pending.isEmpty() && clock.getAsLong() >= s.retryAt) {
                if (stop.getAsBoolean()) {
                    return;
                }
                if (!step(e.getKey(), s)) {
                    break;
                }
            }
        }
    }

    /** One attempt at the head record; true when the partition moved on. */
    private boolean step(TopicPartition tp, PartitionState s) {
        ConsumerRecord<byte[], byte[]> head = s.pending.peek();
        if (!s.deadLettering) {
            try {
                delivery.deliver(head, s.failures + 1);
                advance(tp, s);
                return true;
            } catch (NotDelivered nd) {
                s.retryAt = clock.getAsLong() + Math.max(backoffMs, 100);
                return false;
            } catch (Exception | Error ex) {
                s.failures++;
                s.lastError = ex;
                if (s.failures < maxAttempts) {
                    s.retryAt = clock.getAsLong() + backoffMs;
                    LOG.log(Level.FINE, "TRIB-JCA-020 delivery of {0} failed (attempt {1}), redelivering in {2} ms: {3}",
                            new Object[] {head, s.failures, backoffMs, ex});
                    return false;
                }
                // the dead letter is written one back-off later: when an application is undeployed its
                // resources can vanish before its endpoint is deactivated, and a record must not be
                // dead-lettered for that; a stop within the back-off leaves it uncommitted instead
                s.deadLettering = true;
                s.retryAt = clock.getAsLong() + backoffMs;
                if (backoffMs > 0) {
                    return false;
                }
            }
        }
        try {
            deadLetters.write(head, s.failures, s.lastError);
            LOG.warning("TRIB-JCA-021 " + tp + " offset " + head.offset() + " failed " + s.failures
                    + " deliveries; written to the dead-letter topic. Last error: " + s.lastError);
            advance(tp, s);
            return true;
        } catch (Exception ex) {
            LOG.warning("TRIB-JCA-022 writing " + tp + " offset " + head.offset() + " to the dead-letter topic failed, retrying: " + ex);
            s.retryAt = clock.getAsLong() + Math.max(backoffMs, 100);
            return false;
        }
    }

    private void advance(TopicPartition tp, PartitionState s) {
        ConsumerRecord<byte[], byte[]> done = s.pending.poll();
        s.failures = 0;
        s.retryAt = 0;
        s.lastError = null;
        s.deadLettering = false;
        toCommit.put(tp, new OffsetAndMetadata(done.offset() + 1));
    }

    /** Offsets processed since the last call (the next offset to read, per partition). */
    public Map<TopicPartition, OffsetAndMetadata> takeCommits() {
        Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>(toCommit);
        toCommit.clear();
        return out;
    }

    /** Partitions with undelivered records: the consumer pauses them so it does not fetch ahead. */
    public Set<TopicPartition> backlogged() {
        Set<TopicPartition> out = new HashSet<>();
        partitions.forEach((tp, s) -> {
            if (!s.pending.isEmpty()) {
                out.add(tp);
            }
        });
        return out;
    }

    /** The earliest time a backing-off partition may be retried, or {@code Long.MAX_VALUE}. */
    public long nextRetryAt() {
        long next = Long.MAX_VALUE;
        for (PartitionState s : partitions.values()) {
            if (!s.pending.isEmpty()) {
                next = Math.min(next, s.retryAt);
            }
        }
        return next;
    }

    /**
     * The partitions leave this consumer (rebalance or shutdown): returns the offsets processed
     * for them and not yet taken, and forgets their undelivered records (the next owner reads
     * them again from the committed offset).
     */
    public Map<TopicPartition, OffsetAndMetadata> revoke(Collection<TopicPartition> revoked) {
        Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
        for (TopicPartition tp : revoked) {
            OffsetAndMetadata o = toCommit.remove(tp);
            if (o != null) {
                out.put(tp, o);
            }
            partitions.remove(tp);
        }
        return out;
    }

    /** Attempts made so far on the head record of a partition (0 when none failed). */
    public int failures(TopicPartition tp) {
        PartitionState s = partitions.get(tp);
        return s == null ? 0 : s.failures;
    }
}
