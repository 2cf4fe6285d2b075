package org.tributary.log;

import java.io.IOException;

/**
 * Flushing a {@link PartitionLog}: deciding when its appended data is fsynced and doing it. A flush
 * fsyncs every segment from the one holding the recovery point to the active one and only then
 * moves the recovery point to the log end offset and writes the state checkpoint, keeping the log's
 * invariant that every offset below the recovery point is fsynced. It happens after an append once {@code flush.messages} offsets are not flushed, on an explicit
 * {@link PartitionLog#flush}, on close, and from the flush scheduler ({@link #flushIfDue}) once
 * {@code flush.ms} has passed since the last flush; the scheduler also rewrites a checkpoint that
 * lags what is in memory once {@link PartitionLog#CHECKPOINT_INTERVAL_MS} has passed since the last
 * state write. An I/O error fails the log ({@link PartitionLog#reportIoFailure}), except in
 * {@link #flushToDisk}, whose failure a close throws to the one stopping the log.
 *
 * <p>{@link #flush} and {@link #flushIfDue} take the log's lock themselves ({@code flushIfDue} reads
 * only volatile fields before it); every other method runs with the log's lock held by the caller.
 */
final class LogFlush {
    private LogFlush() {
    }

    /** After an append: flushes once {@code flush.messages} offsets are not flushed. Caller holds the lock. */
    static void afterAppend(PartitionLog log) throws IOException {
        if (log.logEndOffset - log.recoveryPoint >= log.config().flushMessages()) {
            flushLocked(log); // flush.messages
        }
    }

    /** See {@link PartitionLog#flush}. */
    static void flush(PartitionLog log) throws IOException {
        log.lock.lock();
        try {
            log.checkOpen();
            flushLocked(log);
        } finally {
            log.lock.unlock();
        }
    }

    /** See {@link PartitionLog#flushIfDue}. */
    static void flushIfDue(PartitionLog log) throws IOException {
        if (log.isClosed() || log.isFailed()) {
            return; // a failed log was reported once; the flusher skips it until it is reopened
        }
        long now = log.time.milliseconds();
        if (log.logEndOffset > log.recoveryPoint && now - log.lastFlushMs >= log.config().flushMs()) {
            flush(log);
        } else if (now - log.lastStateWriteMs >= PartitionLog.CHECKPOINT_INTERVAL_MS) {
            log.lock.lock();
            try {
                if (!log.isClosed() && !log.isFailed() && !log.currentState().equals(log.stateOnDisk)) {
                    log.writeState();
                } else {
                    log.lastStateWriteMs = now;
                }
            } catch (IOException | RuntimeException e) {
                log.reportIoFailure("checkpoint write (recovery point, high watermark)", e);
                throw e;
            } finally {
                log.lock.unlock();
            }
        }
    }

    /** Caller holds the lock; a failure is reported (see {@link PartitionLog#reportIoFailure}). */
    static void flushLocked(PartitionLog log) throws IOException {
        try {
            flushToDisk(log);
        } catch (IOException | RuntimeException e) {
            log.reportIoFailure("flush", e);
            throw e;
        }
    }

    /** As {@link #flushLocked} without reporting a failure: {@link PartitionLog#close} throws it to the one stopping the log. */
    static void flushToDisk(PartitionLog log) throws IOException {
        if (log.epochCache.checkpointDeferred()) {
            log.epochCache.checkpoint();
        }
        long leo = log.logEndOffset;
        if (leo > log.recoveryPoint) {
            Long from = log.segments.floorKey(log.recoveryPoint);
            for (LogSegment s : (from == null ? log.segments : log.segments.tailMap(from)).values()) {
                s.flush();
            }
            log.recoveryPoint = leo;
            log.writeState();
        }
        log.lastFlushMs = log.time.milliseconds();
    }
}
