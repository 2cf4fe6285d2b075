package org.tributary.log;

import java.io.IOException;

/** For tests outside this package: a disk that stops taking writes under a live log. */
public final class LogFaults {
    private LogFaults() {
    }

    /**
     * Closes the file channel of the log's active segment under it, so its next append fails with
     * an I/O error ({@code ClosedChannelException}), as a write to a failed disk would.
     */
    public static void breakWrites(PartitionLog log) throws IOException {
        log.activeSegment().records().channel().close();
    }
}
