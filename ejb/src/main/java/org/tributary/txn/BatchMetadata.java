package org.tributary.txn;

/** Where one idempotent batch landed: its sequence range and offset range (inclusive). */
public record BatchMetadata(int firstSeq, int lastSeq, long firstOffset, long lastOffset, long timestamp) {
}
