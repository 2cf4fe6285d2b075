package org.tributary.log;

import java.io.IOException;
import java.nio.file.Files;

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

    /**
     * Puts a directory where the log's checkpoints ({@code log-state-checkpoint}: log start,
     * recovery point, cleaner offset and high watermark; {@code leader-epoch-checkpoint}) write their
     * temporary files, so every later checkpoint write of the log fails with an I/O error while its
     * segments still take records.
     */
    public static void breakCheckpoints(PartitionLog log) throws IOException {
        Files.createDirectories(log.dir().resolve(LogState.FILE_NAME + CheckpointFile.TMP_SUFFIX));
        Files.createDirectories(log.dir().resolve(LeaderEpochCache.FILE_NAME + CheckpointFile.TMP_SUFFIX));
    }
}
