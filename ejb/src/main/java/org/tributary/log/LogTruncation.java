package org.tributary.log;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.common.errors.OffsetOutOfRangeException;

/**
 * Removing data from a {@link PartitionLog}: {@link #truncateTo} cuts the tail (replication
 * divergence), {@link #deleteRecordsBefore} and {@link #startOffsetAtLeast} move the head, and
 * {@link #removeSegments} takes whole segments out (their files renamed {@code .deleted}, then
 * deleted after {@code file.delete.delay.ms} when a scheduler exists, so readers holding them finish).
 * Every change is fsynced/checkpointed before the method returns; a log start that moves up is told
 * to the log's {@link LogListener} (its producer snapshots below it go). Runs under the log's lock. An
 * I/O error fails the log ({@link PartitionLog#reportIoFailure}).
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
                // nothing to remove, but an epoch may start at the log end with nothing in it (this
                // replica led briefly and appended nothing): as Kafka does, that entry goes, or a
                // follower would keep naming an epoch its leader never had and diverge forever
                if (log.epochCache.truncateFromEnd(log.logEndOffset)) {
                    log.epochCache.checkpoint();
                }
                return;
            }
            LogConfig config = log.config();
            long now = log.time.milliseconds();
            if (offset <= log.logStartOffset && offset <= log.segments.firstKey()) {
                removeSegments(log, new ArrayList<>(log.segments.values()));
                log.segments.put(offset, LogSegment.open(log.dir, offset, config, now, config.preallocate()));
                log.logStartOffset = offset;
            } else {
                removeSegments(log, new ArrayList<>(log.segments.tailMap(offset, false).values()));
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
            log.updateHighWatermark(log.highWatermark());
            if (log.epochCache.truncateFromEnd(log.logEndOffset)) {
                log.epochCache.checkpoint();
            }
            log.writeState();
        } catch (IOException | RuntimeException e) {
            log.reportIoFailure("truncation", e);
            throw e;
        } finally {
            log.lock.unlock();
        }
    }

    static void truncateFullyAndStartAt(PartitionLog log, long offset) throws IOException {
        log.lock.lock();
        try {
            log.checkOpen();
            LogConfig config = log.config();
            removeSegments(log, new ArrayList<>(log.segments.values()));
            LogSegment fresh = LogSegment.open(log.dir, offset, config, log.time.milliseconds(), config.preallocate());
            log.segments.put(offset, fresh);
            fresh.flush();
            CheckpointFile.fsyncDirectory(log.dir);
            log.logStartOffset = offset;
            log.logEndOffset = offset;
            log.recoveryPoint = offset;
            log.cleanerOffset = offset;
            log.highWatermark = offset;
            log.epochCache.clear();
            log.epochCache.checkpoint();
            log.writeState();
        } catch (IOException | RuntimeException e) {
            log.reportIoFailure("truncation", e);
            throw e;
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
                log.updateHighWatermark(log.highWatermark());
                removeSegmentsBelowStart(log);
                if (log.epochCache.truncateFromStart(offset)) {
                    log.epochCache.checkpoint();
                }
                log.writeState();
                log.listener().onLogStartIncremented(offset);
            }
            return log.logStartOffset;
        } catch (IOException | RuntimeException e) {
            log.reportIoFailure("DeleteRecords", e);
            throw e;
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
        removeSegments(log, dead);
    }

    /** Moves the log start offset up to {@code offset} (after retention removed segments). Caller holds the lock. */
    static void startOffsetAtLeast(PartitionLog log, long offset) throws IOException {
        if (offset > log.logStartOffset) {
            log.logStartOffset = Math.min(offset, log.logEndOffset);
            log.updateHighWatermark(log.highWatermark());
            if (log.epochCache.truncateFromStart(log.logStartOffset)) {
                log.epochCache.checkpoint();
            }
            log.cleanerOffset = Math.max(log.cleanerOffset, log.logStartOffset);
            log.writeState();
            log.listener().onLogStartIncremented(log.logStartOffset);
            return;
        }
        log.cleanerOffset = Math.max(log.cleanerOffset, log.logStartOffset);
        log.writeState();
    }

    /** Takes segments out of the log; their files are renamed {@code .deleted} and removed (later, if scheduled). */
    static void removeSegments(PartitionLog log, List<LogSegment> dead) throws IOException {
        for (LogSegment s : dead) {
            log.segments.remove(s.baseOffset(), s);
            s.addSuffix(LogLoader.DELETED_SUFFIX);
        }
        deleteLater(log, dead);
    }

    /** Deletes files of segments already out of the log, after {@code file.delete.delay.ms} if a scheduler exists. */
    static void deleteLater(PartitionLog log, List<LogSegment> dead) throws IOException {
        long delay = log.config().fileDeleteDelayMs();
        if (log.scheduler == null || delay == 0) {
            for (LogSegment s : dead) {
                s.deleteFiles();
            }
            return;
        }
        log.scheduler.schedule(() -> {
            for (LogSegment s : dead) {
                try {
                    s.deleteFiles();
                } catch (IOException e) {
                    // the loader removes leftover .deleted files on the next start; a log deleted or
                    // closed meanwhile is not reported
                    log.reportIoFailure("deletion of segment " + s.baseOffset(), e);
                    return;
                }
            }
        }, delay, TimeUnit.MILLISECONDS);
    }

}
