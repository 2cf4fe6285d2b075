package org.tributary.log;

import java.io.IOException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Rolling the active segment: when the next append would pass {@code segment.bytes}, when
 * {@code segment.ms} (minus jitter) has passed since the segment's first batch timestamp (Kafka's rule:
 * measured with the incoming batch's timestamp; wall clock since creation if the segment has none),
 * when an index is full, or when offsets would no longer fit the index's relative offsets. The old
 * segment is trimmed and fsynced (on the scheduler when there is one) and the new one starts at the
 * first offset of the append; the log's {@link LogListener} hears of it (a producer-state
 * snapshot at the new base offset) and its work is fsynced with the old segment. Runs under the log's lock.
 */
final class LogRoll {
    private static final Logger LOG = Logger.getLogger(LogRoll.class.getName());

    private LogRoll() {
    }

    static LogSegment maybeRoll(PartitionLog log, int bytes, long maxTimestamp, long firstOffset, long lastOffset, long now) throws IOException {
        LogSegment seg = log.activeSegment();
        LogConfig c = log.config();
        boolean roll = (seg.size() > 0 && ((long) seg.size() + bytes > c.segmentBytes()
                || seg.timeWaitedForRoll(now, maxTimestamp) > c.segmentMs() - c.segmentJitterMs()
                || seg.indexFull()))
                // offsets must fit the index's 4-byte relative offsets (a follower may jump far ahead)
                || lastOffset - seg.baseOffset() > Integer.MAX_VALUE;
        return roll ? roll(log, firstOffset, now) : seg;
    }

    /**
     * Closes the active segment (trim, fsync) and starts a new one at {@code base}. Caller holds the lock.
     * With a scheduler the old segment is fsynced on it, as Kafka does, so appends do not wait for a
     * large fsync; the recovery point moves only once that fsync is done.
     */
    static LogSegment roll(PartitionLog log, long base, long now) throws IOException {
        LogSegment old = log.activeSegment();
        LogConfig config = log.config();
        boolean async = log.scheduler != null;
        old.onBecomeInactive(!async);
        LogSegment seg = LogSegment.open(log.dir, base, config, now, config.preallocate());
        log.segments.put(base, seg);
        CheckpointFile.fsyncDirectory(log.dir);
        LogListener.RollWork work = log.listener().onRoll(base);
        if (async) {
            long upTo = old.nextOffset();
            log.scheduler.execute(() -> flushRolled(log, old, upTo, work));
            return seg;
        }
        if (work != null) {
            work.run();
        }
        // every earlier segment was fsynced when it rolled (or on load/truncation)
        log.recoveryPoint = Math.max(log.recoveryPoint, old.nextOffset());
        // the checkpoint may lag (recovery then rescans a little more); it is rewritten at most once per
        // CHECKPOINT_INTERVAL_MS here, and always on flush, truncation and close
        if (now - log.lastStateWriteMs >= PartitionLog.CHECKPOINT_INTERVAL_MS) {
            log.writeState();
        }
        return seg;
    }

    /** The scheduler's half of a roll: fsync everything below {@code upTo}, then move the recovery point. */
    private static void flushRolled(PartitionLog log, LogSegment old, long upTo, LogListener.RollWork work) {
        if (log.isClosed() || log.isFailed()) {
            return; // close() fsyncs everything itself; a failed log is not flushed again
        }
        try {
            if (work != null) {
                work.run(); // e.g. the producer snapshot written at the roll, as Kafka fsyncs it with the segment
            }
            for (LogSegment s : log.segments.headMap(upTo).values()) {
                if (s.nextOffset() > log.recoveryPoint) {
                    try {
                        s.flush();
                    } catch (IOException | RuntimeException e) {
                        if (log.segments.get(s.baseOffset()) != s) {
                            return; // truncation, retention or compaction took it out (and closed it) meanwhile
                        }
                        throw e;
                    }
                }
            }
            log.lock.lock();
            try {
                // skip if the log was truncated or the segment replaced meanwhile
                if (!log.isClosed() && upTo > log.recoveryPoint && upTo <= log.logEndOffset
                        && log.segments.get(old.baseOffset()) == old) {
                    log.recoveryPoint = upTo;
                    if (log.time.milliseconds() - log.lastStateWriteMs >= PartitionLog.CHECKPOINT_INTERVAL_MS) {
                        log.writeState();
                    }
                }
            } finally {
                log.lock.unlock();
            }
        } catch (IOException | RuntimeException e) {
            log.reportIoFailure("flush after roll", e);
            LOG.log(Level.WARNING, "TRIB-LOG-005 flush after roll failed for " + log + "; recovery point stays at "
                    + log.recoveryPoint, e);
        }
    }
}
