package org.tributary.log;

import java.io.IOException;

/** For tests outside this package: a process killed with its log open (see {@link PartitionLog#simulateCrash}). */
public final class LogCrash {
    private LogCrash() {
    }

    /** Drops the log's file handles as a kill -9 would: nothing flushed, trimmed or marked clean; reopen it to recover. */
    public static void crash(PartitionLog log) throws IOException {
        log.simulateCrash();
    }
}
