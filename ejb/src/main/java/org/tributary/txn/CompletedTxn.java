package org.tributary.txn;

/**
 * A transaction a marker ended in one partition: the producer, the offset of its first record here,
 * the marker's offset, and whether it was aborted.
 */
public record CompletedTxn(long producerId, long firstOffset, long lastOffset, boolean aborted) {
}
