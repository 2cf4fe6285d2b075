package org.tributary.partition;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.tributary.txn.ProducerEntry;
import org.tributary.txn.ProducerStateManager;

/**
 * One partition's transaction verification state (KIP-890 part 1, Kafka's VerificationStateEntry
 * and VerificationGuard). Before a leader appends the first batch of a producer's transaction, the
 * produce path asks the transaction coordinator whether the partition is in that ongoing
 * transaction. The guard handed out when verification starts must still be here when the verified
 * batch is appended: a marker of the producer (its transaction ended meanwhile) or an append of
 * its data removes it, so a late batch cannot open a transaction nobody will ever end (a hanging
 * transaction).
 *
 * <p>Per producer it also keeps the lowest sequence seen while verifying (per epoch): a higher
 * sequence is refused (OUT_OF_ORDER_SEQUENCE_NUMBER) until the lower one is written, so a retried
 * first batch is not overtaken.
 *
 * <p>Not thread-safe: guarded by the owning partition's lock.
 */
final class TxnVerificationGuards {
    /** A guard: identity is what counts. {@link #NONE}: no verification needed or done. */
    static final Object NONE = new Object();

    private final ProducerStateManager producers;
    private final Map<Long, Entry> entries = new HashMap<>();

    private static final class Entry {
        final Object guard = new Object();
        final long createdMs;
        int lowestSequence;
        short epoch;

        Entry(long createdMs, int sequence, short epoch) {
            this.createdMs = createdMs;
            this.lowestSequence = sequence;
            this.epoch = epoch;
        }

        void seen(int sequence, short incomingEpoch) {
            if (incomingEpoch == epoch && sequence < lowestSequence) {
                lowestSequence = sequence;
            } else if (incomingEpoch > epoch) {
                epoch = incomingEpoch;
                lowestSequence = sequence;
            }
        }
    }

    TxnVerificationGuards(ProducerStateManager producers) {
        this.producers = producers;
    }

    /** Whether {@code producerId} has a transaction open here at {@code epoch} (Kafka's hasOngoingTransaction). */
    boolean ongoing(long producerId, short epoch) {
        ProducerEntry e = producers.entry(producerId).orElse(null);
        return e != null && e.currentTxnFirstOffset() >= 0 && e.epoch() == epoch;
    }

    /** {@link #NONE} when the producer's transaction is already open here; else the guard the verified append must bring. */
    Object start(long producerId, int sequence, short epoch, long nowMs) {
        if (ongoing(producerId, epoch)) {
            return NONE;
        }
        Entry e = entries.computeIfAbsent(producerId, id -> new Entry(nowMs, sequence, epoch));
        e.seen(sequence, epoch);
        return e.guard;
    }

    /** As {@link #check(List, Object, boolean)} for a client's batches (sequences checked). */
    void check(List<? extends RecordBatch> batches, Object guard) {
        check(batches, guard, true);
    }

    /**
     * Checks the batches of one leader append brought {@code guard}: a transactional batch that
     * opens a transaction must bring the guard still held for its producer. {@code sequences}: also
     * hold back a higher sequence than the lowest being verified; false for a coordinator's writes
     * on behalf of a producer (TxnOffsetCommit), whose batches carry no sequence of the producer's
     * own (Kafka checks sequences for client appends only).
     *
     * @throws InvalidTxnStateException the batch was not verified to be part of an ongoing transaction
     * @throws OutOfOrderSequenceException a higher sequence than the lowest one being verified
     */
    void check(List<? extends RecordBatch> batches, Object guard, boolean sequences) {
        for (RecordBatch b : batches) {
            if (!b.hasProducerId()) {
                continue;
            }
            Entry e = entries.get(b.producerId());
            if (sequences && e != null && b.producerEpoch() == e.epoch && b.baseSequence() > e.lowestSequence) {
                throw new OutOfOrderSequenceException("Out of order sequence number for producer " + b.producerId() + ": "
                        + b.baseSequence() + " (incoming seq. number), " + e.lowestSequence + " (earliest seen sequence)");
            }
            if (b.isTransactional() && !ongoing(b.producerId(), b.producerEpoch()) && (e == null || e.guard != guard)) {
                throw new InvalidTxnStateException("Record was not part of an ongoing transaction");
            }
        }
    }

    /** Data of the producer's transaction was written, or a marker ended it: the guard is spent. */
    void clear(long producerId) {
        entries.remove(producerId);
    }

    /** Drops entries never used within {@code expirationMs} (Kafka: with producer.id.expiration.ms). */
    void expire(long nowMs, long expirationMs) {
        entries.values().removeIf(e -> nowMs - e.createdMs >= expirationMs);
    }

    int size() {
        return entries.size();
    }
}
