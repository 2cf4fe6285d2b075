package org.tributary.ee;

/**
 * How to reset a group's committed offsets: to the earliest or latest offset, to the first offset
 * at or after a timestamp, or to an explicit offset. {@code topic} null means every topic the group
 * has committed; {@code partition} null means every partition of the topic.
 */
public record OffsetReset(Kind kind, long value, String topic, Integer partition) {

    public enum Kind { EARLIEST, LATEST, TIMESTAMP, OFFSET }
}
