package org.tributary.log;

/**
 * Result of one append. Offsets are inclusive. {@code logAppendTime} is -1 unless the topic uses
 * LogAppendTime; {@code maxTimestamp}/{@code offsetOfMaxTimestamp} describe the appended batches.
 */
public record AppendInfo(long firstOffset, long lastOffset, long logAppendTime, long maxTimestamp,
                         long offsetOfMaxTimestamp, long logStartOffset, int recordCount, int validBytes) {
}
