package org.tributary.log;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Segment and index file names are Kafka's: the base offset in 20 zero-padded digits, then the suffix. */
class SegmentFileNameTest {
    @Test
    void theBaseOffsetIsZeroPaddedToTwentyDigits() {
        assertEquals("00000000000000000000.log", LogSegment.fileName(0, ".log"));
        assertEquals("00000000000000000007.index", LogSegment.fileName(7, ".index"));
        assertEquals("00000000000001234567.timeindex", LogSegment.fileName(1_234_567, ".timeindex"));
        assertEquals("09223372036854775807.txnindex", LogSegment.fileName(Long.MAX_VALUE, ".txnindex"));
        for (long v = 1; v > 0 && v < Long.MAX_VALUE / 3; v = v * 3 + 1) {
            assertEquals(String.format("%020d", v) + ".log", LogSegment.fileName(v, ".log"));
        }
    }
}
