package org.tributary.log;

import org.apache.kafka.common.record.internal.Records;

/**
 * Result of a read: a zero-copy {@code FileRecords} slice (or {@code MemoryRecords.EMPTY}) holding whole
 * batches, starting at the batch that contains {@code fetchOffset}, plus the log's bounds at read time.
 */
public record FetchSlice(Records records, long fetchOffset, long logStartOffset, long logEndOffset) {
}
