package org.tributary.txn;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

/**
 * What one partition remembers about one producer id: its current epoch, the metadata of its
 * last {@value #MAX_CACHED_BATCHES} batches (so a retried batch is recognized as a duplicate), the
 * epoch of the transaction coordinator that wrote its last marker, the first offset of its open
 * transaction (-1 when none) and the timestamp of its last write.
 * Not thread-safe: guarded by the partition's append lock.
 */
public final class ProducerEntry {
    /** kafka-clients allows at most 5 in-flight requests per connection with idempotence. */
    public static final int MAX_CACHED_BATCHES = 5;

    private final long producerId;
    private short epoch;
    private final Deque<BatchMetadata> batches = new ArrayDeque<>();
    private int coordinatorEpoch = -1;
    private long currentTxnFirstOffset = -1L;
    private long lastTimestamp = -1L;

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

    /** The epoch of the coordinator that wrote this producer's last marker, -1 when none. */
    public int coordinatorEpoch() {
        return coordinatorEpoch;
    }

    /** The first offset of the producer's open transaction in this partition, -1 when none is open. */
    public long currentTxnFirstOffset() {
        return currentTxnFirstOffset;
    }

    /** The timestamp of the producer's last batch or marker, -1 when unknown. */
    public long lastTimestamp() {
        return lastTimestamp;
    }

    void beginTxn(long firstOffset) {
        currentTxnFirstOffset = firstOffset;
    }

    /** A marker ends the open transaction; its epoch becomes the current one (a bump forgets old batches). */
    void onMarker(short markerEpoch, int markerCoordinatorEpoch, long timestamp) {
        if (markerEpoch != epoch) {
            epoch = markerEpoch;
            batches.clear();
        }
        coordinatorEpoch = markerCoordinatorEpoch;
        currentTxnFirstOffset = -1L;
        lastTimestamp = Math.max(lastTimestamp, timestamp);
    }

    void restore(int coordinatorEpoch, long currentTxnFirstOffset, long lastTimestamp) {
        this.coordinatorEpoch = coordinatorEpoch;
        this.currentTxnFirstOffset = currentTxnFirstOffset;
        this.lastTimestamp = lastTimestamp;
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
        lastTimestamp = Math.max(lastTimestamp, batch.timestamp());
        while (batches.size() > MAX_CACHED_BATCHES) {
            batches.removeFirst();
        }
    }

    ProducerEntry copy() {
        ProducerEntry e = new ProducerEntry(producerId, epoch);
        e.batches.addAll(batches);
        e.restore(coordinatorEpoch, currentTxnFirstOffset, lastTimestamp);
        return e;
    }
}
