package org.tributary.log;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Logger;

/**
 * Failures of one data directory's storage, as Kafka's log-directory failure channel reports
 * them: the first log whose files fail an I/O operation (an append, a flush, a checkpoint, retention,
 * compaction, truncation, an index or producer snapshot write; see
 * {@link PartitionLog#reportIoFailure}) marks the directory failed (a failed write may have left
 * bytes no index accounts for, so the log stops taking writes until it is reopened), logs one
 * SEVERE line and tells the listeners once, so the broker can give up its partitions (it asks the
 * controller to fence it) instead of answering every produce with KAFKA_STORAGE_ERROR. Later
 * failures are counted, not logged. Thread-safe.
 */
public final class StorageFailures {
    private static final Logger LOG = Logger.getLogger(StorageFailures.class.getName());
    private final Path dir;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private volatile String failure;
    private volatile int count;

    public StorageFailures(Path dir) {
        this.dir = dir;
    }

    /**
     * Reports that {@code operation} (an append, a flush...) failed on the files of {@code log};
     * the first report of this directory notifies the listeners.
     */
    public void report(String log, String operation, Throwable cause) {
        synchronized (this) {
            count++;
            if (failure != null) {
                return;
            }
            failure = "log directory " + dir + " failed: " + operation + " failed for " + log + " (" + cause + ")";
        }
        LOG.severe(() -> "TRIB-LOG-020 " + failure + ". This broker asks the controller to fence it, so its partitions are led by"
                + " their other in-sync replicas; check the disk (space, errors in the system log), then restart the node.");
        listeners.forEach(Runnable::run);
    }

    /** What failed first, empty while the directory works. */
    public Optional<String> failure() {
        return Optional.ofNullable(failure);
    }

    /** Operations that failed so far. */
    public int count() {
        return count;
    }

    /** Runs {@code listener} at the first failure (at once if the directory has failed already). */
    public void onFailure(Runnable listener) {
        listeners.add(listener);
        if (failure != null) {
            listener.run();
        }
    }
}
