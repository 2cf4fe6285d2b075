package org.tributary.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LeaderEpochCacheTest {
    @TempDir
    Path dir;

    @Test
    void checkpointIfChangedWritesOnlyEntriesTheFileDoesNotHold() throws Exception {
        Path file = dir.resolve(LeaderEpochCache.FILE_NAME);
        LeaderEpochCache cache = new LeaderEpochCache(dir);
        cache.checkpointIfChanged();
        assertFalse(Files.exists(file), "nothing to write for an empty cache without a file");

        cache.assign(2, 0);
        cache.checkpointIfChanged();
        assertEquals(List.of("0", "1", "2 0"), Files.readAllLines(file));

        Files.delete(file); // a write would bring it back
        cache.checkpointIfChanged();
        assertFalse(Files.exists(file), "unchanged entries were written again");

        cache.assign(4, 10);
        cache.checkpointIfChanged();
        assertEquals(List.of("0", "2", "2 0", "4 10"), Files.readAllLines(file));

        LeaderEpochCache reread = new LeaderEpochCache(dir);
        Files.delete(file);
        reread.checkpointIfChanged();
        assertFalse(Files.exists(file), "entries just read from the file count as written");

        reread.deferCheckpoint();
        reread.checkpointIfChanged();
        assertEquals(List.of("0", "2", "2 0", "4 10"), Files.readAllLines(file), "a deferred checkpoint is always written");
    }
}
