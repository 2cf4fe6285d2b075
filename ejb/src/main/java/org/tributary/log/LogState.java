package org.tributary.log;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The partition's small durable state, checkpointed atomically in {@code log-state-checkpoint}:
 * log start offset, recovery point (every batch below it was fsynced), and the cleaner's offset
 * (everything below it has been compacted), and the high watermark last reported by the partition
 * layer. Missing file or line: zero.
 */
record LogState(long logStartOffset, long recoveryPoint, long cleanerOffset, long highWatermark) {
    static final String FILE_NAME = "log-state-checkpoint";

    static LogState read(Path dir) throws IOException {
        List<String> lines = new CheckpointFile(dir.resolve(FILE_NAME)).read().orElse(List.of());
        long lso = 0;
        long rp = 0;
        long co = 0;
        long hw = 0;
        for (String line : lines) {
            String[] kv = line.trim().split("\\s+");
            if (kv.length != 2) {
                continue;
            }
            long v = Long.parseLong(kv[1]);
            switch (kv[0]) {
                case "log-start-offset" -> lso = v;
                case "recovery-point" -> rp = v;
                case "cleaner-offset" -> co = v;
                case "high-watermark" -> hw = v;
                default -> { }
            }
        }
        return new LogState(lso, rp, co, hw);
    }

    void write(Path dir) throws IOException {
        new CheckpointFile(dir.resolve(FILE_NAME)).write(List.of("log-start-offset " + logStartOffset,
                "recovery-point " + recoveryPoint, "cleaner-offset " + cleanerOffset, "high-watermark " + highWatermark));
    }
}
