package org.tributary.partition;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongPredicate;
import java.util.function.LongSupplier;

import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * Closes the gap Kafka's sequence check leaves for a producer the partition holds no state for
 * (KAFKA-14359). Since KIP-360 a broker accepts any first sequence from such a producer. So when
 * an idempotent producer's first batch here is refused before it is written (NOT_ENOUGH_REPLICAS
 * just after a restart, say) and its next batch, already in flight, is accepted a moment later,
 * every retry of the first batch is OUT_OF_ORDER_SEQUENCE_NUMBER. The Java client keeps retrying it
 * without an epoch bump, waiting for the gap to fill, until {@code delivery.timeout.ms} fails
 * those records, with later ones already written after the gap.
 *
 * <p>Two rules, each answering OUT_OF_ORDER_SEQUENCE_NUMBER, which the client retries behind the
 * lower batch:
 * <ul>
 *   <li>Kafka 4.5's (KAFKA-15591): on a log that has never held a record, a producer without state
 *       must start at sequence 0.</li>
 *   <li>Beyond Kafka: the leader remembers the lowest first sequence of a refused batch of a producer
 *       without state. A later batch of that producer and epoch that starts above it is refused until
 *       the refused batch is written (the producer then has state and the usual check applies), the
 *       producer moves to a newer epoch (as the Java client does when it gives up on a batch), or
 *       {@link #MEMORY_MS} pass. At most {@link #MAX_PRODUCERS} producers are remembered, oldest
 *       forgotten first.</li>
 * </ul>
 *
 * <p>Not thread-safe: used under the owning partition's lock.
 */
final class FirstSequenceGuard {
    /** The Java producer's default {@code delivery.timeout.ms}: after it, the client has given up on the batch. */
    static final long MEMORY_MS = 120_000L;
    static final int MAX_PRODUCERS = 1_000;

    private record Refused(short epoch, int firstSeq, long atMs) {
    }

    private final LongSupplier clock;
    /** Producer id -> its lowest refused first sequence; insertion order, so the oldest goes first. */
    private final Map<Long, Refused> refused = new LinkedHashMap<>();

    FirstSequenceGuard(LongSupplier clockMs) {
        this.clock = clockMs;
    }

    /**
     * Checks an append's producer batches; {@code known} tells whether the partition holds state for
     * a producer id, {@code neverWritten} whether its log has never held a record.
     */
    void check(List<? extends RecordBatch> batches, LongPredicate known, boolean neverWritten) {
        long now = clock.getAsLong();
        for (RecordBatch b : batches) {
            if (!b.hasProducerId() || known.test(b.producerId())) {
                continue;
            }
            if (neverWritten && b.baseSequence() != 0) {
                throw new OutOfOrderSequenceException("Out of order sequence number for producer " + b.producerId()
                        + ": " + b.baseSequence() + " (incoming seq. number); this partition has never held a record, so a"
                        + " producer's first batch must start at sequence 0");
            }
            Refused r = refused.get(b.producerId());
            if (r == null) {
                continue;
            }
            if (now - r.atMs() >= MEMORY_MS || b.producerEpoch() > r.epoch()) {
                refused.remove(b.producerId());
            } else if (b.producerEpoch() == r.epoch() && b.baseSequence() > r.firstSeq()) {
                throw new OutOfOrderSequenceException("Out of order sequence number for producer " + b.producerId()
                        + " at epoch " + b.producerEpoch() + ": " + b.baseSequence() + " (incoming seq. number); its batch from"
                        + " sequence " + r.firstSeq() + " was refused here and is not written yet");
            }
        }
    }

    /** An append of these batches was refused before anything was written. */
    void refused(List<? extends RecordBatch> batches, LongPredicate known) {
        long now = clock.getAsLong();
        for (RecordBatch b : batches) {
            if (!b.hasProducerId() || known.test(b.producerId())) {
                continue;
            }
            Refused prior = refused.get(b.producerId());
            if (prior == null || b.producerEpoch() > prior.epoch()
                    || (b.producerEpoch() == prior.epoch() && b.baseSequence() < prior.firstSeq())
                    || now - prior.atMs() >= MEMORY_MS) {
                refused.remove(b.producerId());
                refused.put(b.producerId(), new Refused(b.producerEpoch(), b.baseSequence(), now));
            }
        }
        Iterator<Long> oldest = refused.keySet().iterator();
        while (refused.size() > MAX_PRODUCERS) {
            oldest.next();
            oldest.remove();
        }
    }

    /** These batches were written: their producers now have state here. */
    void written(List<? extends RecordBatch> batches) {
        if (refused.isEmpty()) {
            return;
        }
        for (RecordBatch b : batches) {
            if (b.hasProducerId()) {
                refused.remove(b.producerId());
            }
        }
    }

    /** Leadership changed: what this leader refused says nothing about the next term. */
    void clear() {
        refused.clear();
    }

    int remembered() {
        return refused.size();
    }
}
