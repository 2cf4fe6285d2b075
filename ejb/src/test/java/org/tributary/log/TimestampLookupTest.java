package org.tributary.log;

import org.tributary.testing.FakeTime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TimestampLookupTest {
    @TempDir
    Path tmp;
    final FakeTime time = new FakeTime(40_000_000L);
    PartitionLog log;

    @AfterEach
    void closeLog() throws Exception {
        if (log != null && !log.isClosed()) {
            log.close();
        }
    }

    /** Offsets 0..11 in 4 batches over several segments; timestamps 100,110,...,210 except offset 10 at 300. */
    void fill() throws Exception {
        log = PartitionLog.open(tmp.resolve("ts-0"), LogConfig.from(Map.of(),
                Map.of("segment.bytes", "200", "index.interval.bytes", "1")), time);
        log.appendAsLeader(Batches.timestamps(100, 110, 120), 2);
        log.appendAsLeader(Batches.timestamps(130, 140, 150), 2);
        log.appendAsLeader(Batches.timestamps(160, 170, 180), 3);
        log.appendAsLeader(Batches.timestamps(190, 300, 210), 3);
    }

    long offsetFor(long ts) throws Exception {
        return log.offsetForTimestamp(ts).map(TimestampOffset::offset).orElse(-1L);
    }

    @Test
    void offsetForTimestampFindsTheFirstRecordAtOrAfterIt() throws Exception {
        fill();
        assertEquals(0, offsetFor(0));
        assertEquals(0, offsetFor(100));
        assertEquals(1, offsetFor(101));
        assertEquals(3, offsetFor(130));
        assertEquals(5, offsetFor(141));
        assertEquals(6, offsetFor(151));     // first record of the next segment
        assertEquals(9, offsetFor(190));
        assertEquals(10, offsetFor(200));    // 300 at offset 10 comes before 210 at offset 11
        assertEquals(10, offsetFor(300));
        assertEquals(-1, offsetFor(301));
        assertEquals(Optional.of(3), log.offsetForTimestamp(200).flatMap(TimestampOffset::leaderEpoch));
        assertEquals(new TimestampOffset(140, 4, Optional.of(2)), log.offsetForTimestamp(135).orElseThrow());
    }

    @Test
    void offsetForTimestampWorksAfterReopenFromRebuiltIndexes() throws Exception {
        fill();
        log.simulateCrash();
        log = PartitionLog.open(tmp.resolve("ts-0"), LogConfig.from(Map.of(),
                Map.of("segment.bytes", "200", "index.interval.bytes", "1")), time);
        assertEquals(5, offsetFor(141));
        assertEquals(9, offsetFor(190));
        assertEquals(10, offsetFor(250));
    }

    @Test
    void maxTimestampReportsTheExactRecord() throws Exception {
        fill();
        assertEquals(new TimestampOffset(300, 10, Optional.of(3)), log.maxTimestampAndOffset().orElseThrow());
    }

    @Test
    void emptyLogHasNoTimestamps() throws Exception {
        log = PartitionLog.open(tmp.resolve("ts-1"), LogConfig.defaults(), time);
        assertEquals(Optional.empty(), log.offsetForTimestamp(0));
        assertEquals(Optional.empty(), log.maxTimestampAndOffset());
    }
}
