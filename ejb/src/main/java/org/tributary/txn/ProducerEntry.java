package org.tributary.txn;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

/**
 * What one partition remembers about one producer id: its current epoch and the metadata of its
 * last {@value #MAX_CACHED_BATCHES} batches (so a retried batch is recognized as a duplicate).
 * Not thread-safe: guarded by the partition's append lock.
 */
public final class ProducerEntry {
    /** kafka-clients allows at most 5 in-flight requests per connection with idempotence. */
    public static final int MAX_CACHED_BATCHES = 5;

    private final long producerId;
    private short epoch;
    private final Deque<BatchMetadata> batches = new ArrayDeque<>();

    public ProducerEntry(long producerId, short epoch) {
        this.producerId = producerId;
        this.epoch = epoch;
    }

    public long producerId() {
        return producerId;
    }

    public short epoch() {
        return epoch;
    }

    public List<BatchMetadata> batches() {
        return List.copyOf(batches);
    }

    /** The last sequence number written, or -1 when no batch is known for the current epoch. */
    public int lastSeq() {
        return batches.isEmpty() ? -1 : batches.peekLast().lastSeq();
    }

    public Optional<BatchMetadata> findDuplicate(short batchEpoch, int firstSeq, int lastSeq) {
        if (batchEpoch != epoch) {
            return Optional.empty();
        }
        for (BatchMetadata b : batches) {
            if (b.firstSeq() == firstSeq && b.lastSeq() == lastSeq) {
                return Optional.of(b);
            }
        }
        return Optional.empty();
    }

    /** Records a written batch; a new epoch forgets the batches of the old one. */
    public void add(short batchEpoch, BatchMetadata batch) {
        if (batchEpoch != epoch) {
            epoch = batchEpoch;
            batches.clear();
        }
        batches.addLast(batch);
        while (batches.size() > MAX_CACHED_BATCHES) {
            batches.removeFirst();
        }
    }

    ProducerEntry copy() {
        ProducerEntry e = new ProducerEntry(producerId, epoch);
        e.batches.addAll(batches);
        return e;
    }
}
