package org.tributary.log;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.record.TimestampType;

/**
 * Topic-level log configuration under Kafka's topic config names, with Kafka's defaults. Values come
 * from broker defaults (Kafka broker names such as {@code log.segment.bytes}) overlaid by topic
 * overrides (topic names such as {@code segment.bytes}). Every value is validated when the config is
 * built; a bad value or unknown topic key raises {@link InvalidConfigurationException} naming the key,
 * the value and the reason.
 *
 * <p>Immutable and thread-safe.
 */
public final class LogConfig {
    private final Map<String, String> values;     // every topic config name -> effective value
    private final Map<String, String> overrides;  // topic-level overrides only
    private final Map<String, Object> parsed;
    // values read on every append, resolved once
    private final int segmentBytes;
    private final long segmentMs;
    private final long segmentJitterMs;
    private final int maxMessageBytes;
    private final long flushMessages;
    private final long beforeMaxMs;
    private final long afterMaxMs;
    private final boolean compact;
    private final boolean delete;
    private final TimestampType timestampType;
    private final String compressionType;

    private LogConfig(Map<String, String> values, Map<String, String> overrides) {
        this.values = Collections.unmodifiableMap(new TreeMap<>(values));
        this.overrides = Collections.unmodifiableMap(new TreeMap<>(overrides));
        Map<String, Object> p = new LinkedHashMap<>();
        for (LogConfigKeys.Key key : LogConfigKeys.ALL.values()) {
            p.put(key.name(), key.parse(values.get(key.name())));
        }
        this.parsed = p;
        this.segmentBytes = i("segment.bytes");
        this.segmentMs = l("segment.ms");
        this.segmentJitterMs = l("segment.jitter.ms");
        this.maxMessageBytes = i("max.message.bytes");
        this.flushMessages = l("flush.messages");
        this.beforeMaxMs = l("message.timestamp.before.max.ms");
        this.afterMaxMs = l("message.timestamp.after.max.ms");
        this.compact = cleanupPolicy().contains("compact");
        this.delete = cleanupPolicy().contains("delete");
        this.timestampType = "LogAppendTime".equals(this.values.get("message.timestamp.type"))
                ? TimestampType.LOG_APPEND_TIME : TimestampType.CREATE_TIME;
        this.compressionType = this.values.get("compression.type");
    }

    /** Kafka's defaults, no overrides. */
    public static LogConfig defaults() {
        return from(Map.of(), Map.of());
    }

    /**
     * Broker defaults (Kafka broker names; unknown broker keys are ignored, they belong to other
     * subsystems) overlaid by topic overrides (topic names; unknown keys are rejected).
     */
    public static LogConfig from(Map<String, String> brokerDefaults, Map<String, String> topicOverrides) {
        Map<String, String> values = new TreeMap<>();
        for (LogConfigKeys.Key key : LogConfigKeys.ALL.values()) {
            values.put(key.name(), key.brokerValue(brokerDefaults));
        }
        Map<String, String> ov = new TreeMap<>();
        for (Map.Entry<String, String> e : topicOverrides.entrySet()) {
            if (!LogConfigKeys.ALL.containsKey(e.getKey())) {
                throw new InvalidConfigurationException("Invalid value " + e.getValue() + " for configuration "
                        + e.getKey() + ": unknown topic configuration");
            }
            String v = e.getValue() == null ? "" : e.getValue().trim();
            values.put(e.getKey(), v);
            ov.put(e.getKey(), v);
        }
        LogConfig config = new LogConfig(values, ov);
        config.crossCheck();
        return config;
    }

    /** Every topic config name this log accepts. */
    public static Set<String> topicConfigNames() {
        return LogConfigKeys.ALL.keySet();
    }

    /** A copy with more topic overrides applied (for incremental alter-configs). */
    public LogConfig withOverrides(Map<String, String> more, Map<String, String> brokerDefaults) {
        Map<String, String> ov = new TreeMap<>(overrides);
        ov.putAll(more);
        return from(brokerDefaults, ov);
    }

    private void crossCheck() {
        if (minCompactionLagMs() > maxCompactionLagMs()) {
            throw new InvalidConfigurationException("Invalid value " + maxCompactionLagMs()
                    + " for configuration max.compaction.lag.ms: must not be less than min.compaction.lag.ms ("
                    + minCompactionLagMs() + ")");
        }
    }

    public Map<String, String> values() {
        return values;
    }

    public Map<String, String> overrides() {
        return overrides;
    }

    private long l(String k) {
        return (Long) parsed.get(k);
    }

    private int i(String k) {
        return (Integer) parsed.get(k);
    }

    public int segmentBytes() {
        return segmentBytes;
    }

    public long segmentMs() {
        return segmentMs;
    }

    public long segmentJitterMs() {
        return segmentJitterMs;
    }

    public long retentionMs() {
        return l("retention.ms");
    }

    public long retentionBytes() {
        return l("retention.bytes");
    }

    public int maxMessageBytes() {
        return maxMessageBytes;
    }

    public int indexIntervalBytes() {
        return i("index.interval.bytes");
    }

    public int segmentIndexBytes() {
        return i("segment.index.bytes");
    }

    public long flushMessages() {
        return flushMessages;
    }

    public long flushMs() {
        return l("flush.ms");
    }

    @SuppressWarnings("unchecked")
    private java.util.List<String> cleanupPolicy() {
        return (java.util.List<String>) parsed.get("cleanup.policy");
    }

    public boolean compact() {
        return compact;
    }

    public boolean delete() {
        return delete;
    }

    public long deleteRetentionMs() {
        return l("delete.retention.ms");
    }

    public double minCleanableDirtyRatio() {
        return (Double) parsed.get("min.cleanable.dirty.ratio");
    }

    public long minCompactionLagMs() {
        return l("min.compaction.lag.ms");
    }

    public long maxCompactionLagMs() {
        return l("max.compaction.lag.ms");
    }

    public long fileDeleteDelayMs() {
        return l("file.delete.delay.ms");
    }

    public boolean preallocate() {
        return (Boolean) parsed.get("preallocate");
    }

    public TimestampType timestampType() {
        return timestampType;
    }

    public long messageTimestampBeforeMaxMs() {
        return beforeMaxMs;
    }

    public long messageTimestampAfterMaxMs() {
        return afterMaxMs;
    }

    /** {@code producer}, {@code uncompressed}, {@code gzip}, {@code snappy}, {@code lz4} or {@code zstd}. */
    public String compressionType() {
        return compressionType;
    }

    public int compressionLevel(String codec) {
        String key = "compression." + codec + ".level";
        return parsed.containsKey(key) ? i(key) : Integer.MIN_VALUE;
    }

    public int minInsyncReplicas() {
        return i("min.insync.replicas");
    }

    public boolean uncleanLeaderElectionEnable() {
        return (Boolean) parsed.get("unclean.leader.election.enable");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LogConfig c && c.values.equals(values) && c.overrides.equals(overrides);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    @Override
    public String toString() {
        return "LogConfig" + overrides;
    }
}
