package org.tributary.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StorageFailuresTest {
    @TempDir
    Path dir;

    @Test
    void aFailedAppendMarksTheDirectoryFailedAndTellsTheListenersOnce() throws IOException {
        try (LogManager logs = LogManager.open(dir, Map.of(), Time.SYSTEM, null)) {
            AtomicInteger told = new AtomicInteger();
            logs.storageFailures().onFailure(told::incrementAndGet);
            PartitionLog a = logs.getOrCreate(new TopicPartition("a", 0), LogConfig.from(Map.of(), Map.of()));
            PartitionLog b = logs.getOrCreate(new TopicPartition("b", 0), LogConfig.from(Map.of(), Map.of()));
            a.appendAsLeader(Batches.batch(1, 10, 1L), 0);
            assertTrue(logs.storageFailures().failure().isEmpty(), "a working directory has no failure");

            LogFaults.breakWrites(a);
            assertThrows(IOException.class, () -> a.appendAsLeader(Batches.batch(1, 10, 2L), 0));
            assertEquals(1, told.get(), "the listeners hear of the first failure");
            assertTrue(logs.storageFailures().failure().orElseThrow().contains("a-0"), logs.storageFailures().failure().toString());

            LogFaults.breakWrites(b);
            assertThrows(IOException.class, () -> b.appendAsLeader(Batches.batch(1, 10, 3L), 0));
            assertEquals(1, told.get(), "a second failed log tells no one again");
            assertEquals(2, logs.storageFailures().count());

            AtomicInteger late = new AtomicInteger();
            logs.storageFailures().onFailure(late::incrementAndGet);
            assertEquals(1, late.get(), "a listener added after the failure hears of it at once");
        }
    }
}
