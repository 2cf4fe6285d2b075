package org.tributary.log;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The delete cleanup policy: whole segments are removed from the start of the log while they are
 * past {@code retention.ms} (judged by the segment's largest timestamp) or while the log exceeds
 * {@code retention.bytes}, and also when they lie wholly below the log start offset. The active
 * segment is never removed, nor a segment reaching the high watermark (as in Kafka). The log start offset then moves to the first remaining segment.
 * An I/O error fails the log ({@link PartitionLog#reportIoFailure}); a closed or failed log is skipped.
 */
final class Retention {
    private Retention() {
    }

    static int deleteExpiredSegments(PartitionLog log) throws IOException {
        log.lock.lock();
        try {
            if (log.isClosed() || log.isFailed()) {
                return 0;
            }
            LogConfig config = log.config();
            List<LogSegment> dead = new ArrayList<>();
            List<LogSegment> candidates = new ArrayList<>(log.segments.values());
            candidates.remove(candidates.size() - 1); // the active segment stays
            long now = log.time.milliseconds();
            long excess = config.retentionBytes() < 0 ? Long.MIN_VALUE : log.sizeInBytes() - config.retentionBytes();
            for (int i = 0; i < candidates.size(); i++) {
                LogSegment seg = candidates.get(i);
                long nextBase = i + 1 < candidates.size() ? candidates.get(i + 1).baseOffset() : log.activeSegment().baseOffset();
                boolean belowStart = nextBase <= log.logStartOffset();
                boolean expired = config.delete() && config.retentionMs() >= 0
                        && now - seg.largestTimestamp() > config.retentionMs();
                boolean oversize = config.delete() && excess != Long.MIN_VALUE && excess - seg.size() >= 0;
                if (!(belowStart || expired || oversize) || nextBase > log.highWatermark()) {
                    // only segments wholly below the high watermark go: above it records may still be truncated or not yet replicated
                    break;
                }
                dead.add(seg);
                if (excess != Long.MIN_VALUE) {
                    excess -= seg.size();
                }
            }
            if (dead.isEmpty()) {
                return 0;
            }
            LogTruncation.removeSegments(log, dead);
            LogTruncation.startOffsetAtLeast(log, log.segments.firstKey());
            return dead.size();
        } catch (IOException | RuntimeException e) {
            log.reportIoFailure("retention", e);
            throw e;
        } finally {
            log.lock.unlock();
        }
    }
}
