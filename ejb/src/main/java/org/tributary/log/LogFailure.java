package org.tributary.log;

import java.io.IOException;
import java.nio.channels.ClosedByInterruptException;

/**
 * Whether one {@link PartitionLog} failed, and where it reports it: Kafka's
 * {@code maybeHandleIOException} for one log. An I/O error in a write to the log's files (an
 * append, a flush, a checkpoint, retention, compaction, truncation, an index or producer snapshot
 * write) fails the log: it takes no more writes, its background tasks skip it, it closes without
 * flush (the next open recovers it), and its directory's {@link StorageFailures} hears of it.
 *
 * <p>Not reported, because not the disk's: an exception that is not an I/O error (nothing changes),
 * an error on a log closed meanwhile (shutdown, deletion, moved aside; nothing changes), and a
 * channel closed by an interrupt of the thread using it (a background task stopped at shutdown:
 * the log fails, its file being closed, but the directory is fine).
 *
 * <p>Thread-safe; {@link #report} takes the log's lock, so a close in progress finishes first.
 */
final class LogFailure {
    private final PartitionLog log;
    private volatile boolean failed;
    private volatile StorageFailures failures;

    LogFailure(PartitionLog log) {
        this.log = log;
    }

    /** Where the failure of this log is reported (its log directory's failures). */
    void reportTo(StorageFailures f) {
        failures = f;
    }

    boolean failed() {
        return failed;
    }

    /**
     * The append path: any exception of a write (it may have left bytes the log does not account
     * for) fails the log and is reported.
     */
    void appendFailed(Throwable cause) {
        failed = true;
        StorageFailures f = failures;
        if (f != null) {
            f.report(log.dir().getFileName().toString(), "append", cause);
        }
    }

    /** {@code cause}, met by {@code operation}, fails the log if it is an I/O error (see the class comment). */
    void report(String operation, Throwable cause) {
        if (!(cause instanceof IOException || cause.getCause() instanceof IOException)) {
            return;
        }
        log.lock.lock();
        try {
            if (log.isClosed()) {
                return;
            }
            failed = true;
        } finally {
            log.lock.unlock();
        }
        StorageFailures f = failures;
        boolean interrupted = cause instanceof ClosedByInterruptException || cause.getCause() instanceof ClosedByInterruptException;
        if (f != null && !interrupted) {
            f.report(log.dir().getFileName().toString(), operation, cause);
        }
    }
}
