package org.tributary.log;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.errors.OffsetOutOfRangeException;

/**
 * Cutting a {@link PartitionLog} at either end: {@link #truncateTo} removes the tail (replication
 * divergence), {@link #deleteRecordsBefore} and {@link #startOffsetAtLeast} move the head. Every
 * change is fsynced/checkpointed before the method returns. Runs under the log's lock.
 */
final class LogTruncation {
    private LogTruncation() {
    }

    /**
     * Removes every batch whose last offset is {@code >= offset} (a batch containing {@code offset} goes
     * entirely, so the new log end offset is at a batch boundary {@code <= offset}). Below the log start,
     * the log is emptied and restarts at {@code offset}.
     */
    static void truncateTo(PartitionLog log, long offset) throws IOException {
        log.lock.lock();
        try {
            log.checkOpen();
            if (offset >= log.logEndOffset) {
                return;
            }
            LogConfig config = log.config();
            long now = log.time.milliseconds();
            if (offset <= log.logStartOffset && offset <= log.segments.firstKey()) {
                log.removeSegments(new ArrayList<>(log.segments.values()));
                log.segments.put(offset, LogSegment.open(log.dir, offset, config, now, config.preallocate()));
                log.logStartOffset = offset;
            } else {
                log.removeSegments(new ArrayList<>(log.segments.tailMap(offset, false).values()));
                if (log.segments.isEmpty()) {
                    log.segments.put(offset, LogSegment.open(log.dir, offset, config, now, config.preallocate()));
                }
                log.activeSegment().truncateTo(offset);
            }
            LogSegment active = log.activeSegment();
            active.resizeIndexes(config.segmentIndexBytes());
            active.flush();
            CheckpointFile.fsyncDirectory(log.dir);
            log.logEndOffset = active.nextOffset();
            log.logStartOffset = Math.min(log.logStartOffset, log.logEndOffset);
            log.recoveryPoint = Math.min(log.recoveryPoint, log.logEndOffset);
            log.cleanerOffset = Math.min(log.cleanerOffset, log.logEndOffset);
            if (log.epochCache.truncateFromEnd(log.logEndOffset)) {
                log.epochCache.checkpoint();
            }
            log.writeState();
        } finally {
            log.lock.unlock();
        }
    }

    static long deleteRecordsBefore(PartitionLog log, long offset) throws IOException {
        log.lock.lock();
        try {
            log.checkOpen();
            if (offset > log.logEndOffset) {
                throw new OffsetOutOfRangeException("Cannot delete records before " + offset + ": log end offset is "
                        + log.logEndOffset);
            }
            if (offset > log.logStartOffset) {
                log.logStartOffset = offset;
                removeSegmentsBelowStart(log);
                if (log.epochCache.truncateFromStart(offset)) {
                    log.epochCache.checkpoint();
                }
                log.writeState();
            }
            return log.logStartOffset;
        } finally {
            log.lock.unlock();
        }
    }

    /** Drops non-active segments whose every offset is below the log start offset. Caller holds the lock. */
    static void removeSegmentsBelowStart(PartitionLog log) throws IOException {
        List<LogSegment> dead = new ArrayList<>();
        for (Map.Entry<Long, LogSegment> e : log.segments.entrySet()) {
            Long next = log.segments.higherKey(e.getKey());
            if (next == null || next > log.logStartOffset) {
                break;
            }
            dead.add(e.getValue());
        }
        log.removeSegments(dead);
    }

    /** Moves the log start offset up to {@code offset} (after retention removed segments). Caller holds the lock. */
    static void startOffsetAtLeast(PartitionLog log, long offset) throws IOException {
        if (offset > log.logStartOffset) {
            log.logStartOffset = Math.min(offset, log.logEndOffset);
            if (log.epochCache.truncateFromStart(log.logStartOffset)) {
                log.epochCache.checkpoint();
            }
        }
        log.cleanerOffset = Math.max(log.cleanerOffset, log.logStartOffset);
        log.writeState();
    }
}
