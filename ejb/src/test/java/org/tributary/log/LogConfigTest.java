package org.tributary.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class LogConfigTest {
    @Test
    void defaultsAreKafkas() {
        LogConfig c = LogConfig.defaults();
        assertEquals(1073741824, c.segmentBytes());
        assertEquals(604800000L, c.segmentMs());
        assertEquals(604800000L, c.retentionMs());
        assertEquals(-1L, c.retentionBytes());
        assertEquals(1048588, c.maxMessageBytes());
        assertEquals(4096, c.indexIntervalBytes());
        assertEquals(10485760, c.segmentIndexBytes());
        assertEquals(Long.MAX_VALUE, c.flushMessages());
        assertEquals(Long.MAX_VALUE, c.flushMs());
        assertTrue(c.delete());
        assertFalse(c.compact());
        assertEquals(86400000L, c.deleteRetentionMs());
        assertEquals(0.5, c.minCleanableDirtyRatio());
        assertEquals(0L, c.minCompactionLagMs());
        assertEquals(TimestampType.CREATE_TIME, c.timestampType());
        assertEquals("producer", c.compressionType());
        assertEquals(1, c.minInsyncReplicas());
        assertFalse(c.uncleanLeaderElectionEnable());
        assertEquals(LogConfig.topicConfigNames(), c.values().keySet());
        assertTrue(c.overrides().isEmpty());
    }

    @Test
    void brokerNamesSupplyDefaultsWithUnitsAndPrecedence() {
        LogConfig c = LogConfig.from(Map.of("log.retention.hours", "2", "log.roll.hours", "1",
                "log.segment.bytes", "2048", "log.cleanup.policy", "compact", "message.max.bytes", "999",
                "log.message.timestamp.type", "LogAppendTime", "log.cleaner.min.cleanable.ratio", "0.2",
                "min.insync.replicas", "2", "unclean.leader.election.enable", "true", "unrelated.broker.key", "x"), Map.of());
        assertEquals(7_200_000L, c.retentionMs());
        assertEquals(3_600_000L, c.segmentMs());
        assertEquals(2048, c.segmentBytes());
        assertTrue(c.compact());
        assertFalse(c.delete());
        assertEquals(999, c.maxMessageBytes());
        assertEquals(TimestampType.LOG_APPEND_TIME, c.timestampType());
        assertEquals(0.2, c.minCleanableDirtyRatio());
        assertEquals(2, c.minInsyncReplicas());
        assertTrue(c.uncleanLeaderElectionEnable());
        LogConfig ms = LogConfig.from(Map.of("log.retention.hours", "2", "log.retention.minutes", "3",
                "log.retention.ms", "5"), Map.of());
        assertEquals(5L, ms.retentionMs(), "ms wins over minutes and hours");
        assertEquals(180_000L, LogConfig.from(Map.of("log.retention.hours", "2", "log.retention.minutes", "3"),
                Map.of()).retentionMs());
        assertEquals(-1L, LogConfig.from(Map.of("log.retention.hours", "-1"), Map.of()).retentionMs());
    }

    @Test
    void topicOverridesWinAndAreReported() {
        LogConfig c = LogConfig.from(Map.of("log.retention.ms", "100"),
                Map.of("retention.ms", "200", "cleanup.policy", "compact,delete"));
        assertEquals(200L, c.retentionMs());
        assertTrue(c.compact() && c.delete());
        assertEquals(Map.of("retention.ms", "200", "cleanup.policy", "compact,delete"), c.overrides());
        assertEquals("200", c.values().get("retention.ms"));
    }

    @Test
    void unknownTopicKeyIsRejectedNamingIt() {
        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
                () -> LogConfig.from(Map.of(), Map.of("retention.msec", "5")));
        assertTrue(e.getMessage().contains("retention.msec"), e.getMessage());
    }

    @Test
    void badValuesAreRejectedNamingKeyValueAndReason() {
        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
                () -> LogConfig.from(Map.of(), Map.of("segment.bytes", "lots")));
        assertTrue(e.getMessage().contains("segment.bytes") && e.getMessage().contains("lots")
                && e.getMessage().contains("not a valid int"), e.getMessage());
        e = assertThrows(InvalidConfigurationException.class,
                () -> LogConfig.from(Map.of(), Map.of("min.cleanable.dirty.ratio", "1.5")));
        assertTrue(e.getMessage().contains("between 0 and 1"), e.getMessage());
        e = assertThrows(InvalidConfigurationException.class,
                () -> LogConfig.from(Map.of(), Map.of("cleanup.policy", "forever")));
        assertTrue(e.getMessage().contains("cleanup.policy"), e.getMessage());
        e = assertThrows(InvalidConfigurationException.class,
                () -> LogConfig.from(Map.of(), Map.of("compression.type", "brotli")));
        assertTrue(e.getMessage().contains("compression.type") && e.getMessage().contains("brotli"), e.getMessage());
        e = assertThrows(InvalidConfigurationException.class,
                () -> LogConfig.from(Map.of(), Map.of("retention.ms", "-2")));
        assertTrue(e.getMessage().contains("at least -1"), e.getMessage());
        e = assertThrows(InvalidConfigurationException.class,
                () -> LogConfig.from(Map.of("log.segment.bytes", "x"), Map.of()));
        assertTrue(e.getMessage().contains("log.segment.bytes"), e.getMessage());
    }
}
