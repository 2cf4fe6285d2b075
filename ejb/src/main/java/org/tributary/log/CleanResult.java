package org.tributary.log;

/**
 * Outcome of one compaction pass over a log.
 *
 * @param segmentsCleaned segments rewritten (0 when nothing was cleanable)
 * @param bytesRead bytes of the segments read
 * @param bytesWritten bytes of the cleaned segments written
 * @param recordsDiscarded records dropped (superseded values and expired tombstones)
 * @param cleanedUpTo offset (exclusive) up to which the log is now clean
 */
public record CleanResult(int segmentsCleaned, long bytesRead, long bytesWritten, long recordsDiscarded,
                          long cleanedUpTo) {
    public static CleanResult nothing(long cleanedUpTo) {
        return new CleanResult(0, 0L, 0L, 0L, cleanedUpTo);
    }
}
