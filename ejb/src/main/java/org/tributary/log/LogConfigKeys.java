package org.tributary.log;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

import org.apache.kafka.common.errors.InvalidConfigurationException;

/**
 * The topic configuration keys: topic name, the broker names that supply the default (first present
 * wins, each with a unit multiplier, e.g. {@code log.retention.hours} x 3600000), Kafka's default and
 * a parser that validates. Package-private: {@link LogConfig} is the public face.
 */
final class LogConfigKeys {
    private LogConfigKeys() {
    }

    /** One broker property feeding a topic key, scaled by {@code factor} (hours, minutes to ms). */
    record BrokerName(String name, long factor) {
    }

    record Key(String name, String defaultValue, List<BrokerName> brokerNames, Function<String, Object> parser) {
        Object parse(String value) {
            try {
                return parser.apply(value);
            } catch (InvalidConfigurationException e) {
                throw e;
            } catch (RuntimeException e) {
                throw invalid(name, value, e.getMessage());
            }
        }

        String brokerValue(Map<String, String> broker) {
            for (BrokerName b : brokerNames) {
                String v = broker.get(b.name());
                if (v != null && !v.isBlank()) {
                    v = v.trim();
                    if (b.factor() == 1) {
                        parseAs(b.name(), v);
                        return v;
                    }
                    long n = parseLongFor(b.name(), v);
                    return Long.toString(n < 0 ? n : Math.multiplyExact(n, b.factor()));
                }
            }
            return defaultValue;
        }

        private void parseAs(String brokerName, String v) {
            try {
                parser.apply(v);
            } catch (RuntimeException e) {
                throw invalid(brokerName, v, e.getMessage());
            }
        }
    }

    static final Map<String, Key> ALL;

    static InvalidConfigurationException invalid(String key, String value, String why) {
        return new InvalidConfigurationException("Invalid value " + value + " for configuration " + key + ": " + why);
    }

    private static long parseLongFor(String key, String v) {
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw invalid(key, v, "not a number");
        }
    }

    private static Function<String, Object> longAtLeast(long min) {
        return v -> {
            long n;
            try {
                n = Long.parseLong(v.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a valid long");
            }
            if (n < min) {
                throw new IllegalArgumentException("must be at least " + min);
            }
            return n;
        };
    }

    private static Function<String, Object> intBetween(int min, int max) {
        return v -> {
            int n;
            try {
                n = Integer.parseInt(v.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a valid int");
            }
            if (n < min || n > max) {
                throw new IllegalArgumentException("must be between " + min + " and " + max);
            }
            return n;
        };
    }

    private static Function<String, Object> oneOf(String... allowed) {
        return v -> {
            for (String a : allowed) {
                if (a.equals(v.trim())) {
                    return a;
                }
            }
            throw new IllegalArgumentException("must be one of " + Arrays.toString(allowed));
        };
    }

    private static final Function<String, Object> BOOL = v -> {
        String s = v.trim().toLowerCase(Locale.ROOT);
        if (!s.equals("true") && !s.equals("false")) {
            throw new IllegalArgumentException("must be true or false");
        }
        return Boolean.parseBoolean(s);
    };

    private static final Function<String, Object> RATIO = v -> {
        double d;
        try {
            d = Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a valid number");
        }
        if (!(d >= 0.0 && d <= 1.0)) {
            throw new IllegalArgumentException("must be between 0 and 1");
        }
        return d;
    };

    private static final Function<String, Object> POLICY = v -> {
        List<String> parts = Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        for (String p : parts) {
            if (!p.equals("compact") && !p.equals("delete")) {
                throw new IllegalArgumentException("each entry must be compact or delete");
            }
        }
        return parts;
    };

    private static final Function<String, Object> ANY = v -> v;

    /** Kafka's throttled-replicas list: empty, {@code *}, or {@code partition:broker,...}. */
    private static final Function<String, Object> THROTTLED_REPLICAS = v -> {
        if (!v.isBlank()) {
            org.tributary.util.ThrottledReplicas.parse(v);
        }
        return v;
    };

    private static BrokerName b(String name) {
        return new BrokerName(name, 1);
    }

    private static BrokerName b(String name, long factor) {
        return new BrokerName(name, factor);
    }

    private static void add(Map<String, Key> m, String name, String def, Function<String, Object> parser,
                            BrokerName... broker) {
        m.put(name, new Key(name, def, List.of(broker), parser));
    }

    static {
        final long hour = 3_600_000L;
        final long minute = 60_000L;
        String longMax = Long.toString(Long.MAX_VALUE);
        Map<String, Key> m = new LinkedHashMap<>();
        // segment.bytes: Kafka's minimum is 1 MiB for topics; smaller values are accepted here (down to
        // one v0 record overhead, Kafka's old floor) so that tests can roll segments cheaply.
        add(m, "segment.bytes", "1073741824", intBetween(14, Integer.MAX_VALUE), b("log.segment.bytes"));
        add(m, "segment.ms", "604800000", longAtLeast(1), b("log.roll.ms"), b("log.roll.hours", hour));
        add(m, "segment.jitter.ms", "0", longAtLeast(0), b("log.roll.jitter.ms"), b("log.roll.jitter.hours", hour));
        add(m, "segment.index.bytes", "10485760", intBetween(8, Integer.MAX_VALUE), b("log.index.size.max.bytes"));
        add(m, "index.interval.bytes", "4096", intBetween(0, Integer.MAX_VALUE), b("log.index.interval.bytes"));
        add(m, "retention.ms", "604800000", longAtLeast(-1), b("log.retention.ms"),
                b("log.retention.minutes", minute), b("log.retention.hours", hour));
        add(m, "retention.bytes", "-1", longAtLeast(-1), b("log.retention.bytes"));
        add(m, "cleanup.policy", "delete", POLICY, b("log.cleanup.policy"));
        add(m, "max.message.bytes", "1048588", intBetween(0, Integer.MAX_VALUE), b("message.max.bytes"));
        add(m, "message.timestamp.type", "CreateTime", oneOf("CreateTime", "LogAppendTime"),
                b("log.message.timestamp.type"));
        add(m, "message.timestamp.before.max.ms", longMax, longAtLeast(0), b("log.message.timestamp.before.max.ms"));
        add(m, "message.timestamp.after.max.ms", "3600000", longAtLeast(0), b("log.message.timestamp.after.max.ms"));
        add(m, "flush.messages", longMax, longAtLeast(1), b("log.flush.interval.messages"));
        add(m, "flush.ms", longMax, longAtLeast(0), b("log.flush.interval.ms"), b("log.flush.scheduler.interval.ms"));
        add(m, "delete.retention.ms", "86400000", longAtLeast(0), b("log.cleaner.delete.retention.ms"));
        add(m, "min.cleanable.dirty.ratio", "0.5", RATIO, b("log.cleaner.min.cleanable.ratio"));
        add(m, "min.compaction.lag.ms", "0", longAtLeast(0), b("log.cleaner.min.compaction.lag.ms"));
        add(m, "max.compaction.lag.ms", longMax, longAtLeast(1), b("log.cleaner.max.compaction.lag.ms"));
        add(m, "file.delete.delay.ms", "60000", longAtLeast(0), b("log.segment.delete.delay.ms"));
        add(m, "preallocate", "false", BOOL, b("log.preallocate"));
        add(m, "compression.type", "producer", oneOf("producer", "uncompressed", "gzip", "snappy", "lz4", "zstd"),
                b("compression.type"));
        add(m, "compression.gzip.level", "-1", intBetween(-1, 9), b("compression.gzip.level"));
        add(m, "compression.lz4.level", "9", intBetween(1, 17), b("compression.lz4.level"));
        add(m, "compression.zstd.level", "3", intBetween(-131072, 22), b("compression.zstd.level"));
        add(m, "min.insync.replicas", "1", intBetween(1, Integer.MAX_VALUE), b("min.insync.replicas"));
        add(m, "unclean.leader.election.enable", "false", BOOL, b("unclean.leader.election.enable"));
        add(m, "leader.replication.throttled.replicas", "", THROTTLED_REPLICAS);
        add(m, "follower.replication.throttled.replicas", "", THROTTLED_REPLICAS);
        add(m, "remote.storage.enable", "false", oneOf("false"));
        add(m, "local.retention.ms", "-2", longAtLeast(-2), b("log.local.retention.ms"));
        add(m, "local.retention.bytes", "-2", longAtLeast(-2), b("log.local.retention.bytes"));
        ALL = Collections.unmodifiableMap(m);
    }
}
