package org.tributary.log;

import java.io.IOException;

/**
 * What a partition log tells the owner of its producer state (set with
 * {@link PartitionLog#setListener}), to keep one snapshot per segment as Kafka does. Both calls run
 * under the log's lock: keep them to the write or delete of a small file.
 */
public interface LogListener {
    LogListener NONE = new LogListener() {
        @Override
        public RollWork onRoll(long baseOffset) {
            return null;
        }

        @Override
        public void onLogStartIncremented(long logStartOffset) {
        }
    };

    /**
     * The active segment rolled: a new one starts at {@code baseOffset}, and every batch below it
     * was appended (the append that rolled is not written yet). Returns work (an fsync) to run
     * before the rolled segment counts as flushed, off the lock when a scheduler flushes it; null
     * for none. Called on the appending thread.
     */
    RollWork onRoll(long baseOffset);

    /** The log start offset moved up to {@code logStartOffset} (retention, DeleteRecords, the leader's log start). */
    void onLogStartIncremented(long logStartOffset);

    /** Work a {@link #onRoll} leaves for the flush of the rolled segment. */
    @FunctionalInterface
    interface RollWork {
        void run() throws IOException;
    }
}
