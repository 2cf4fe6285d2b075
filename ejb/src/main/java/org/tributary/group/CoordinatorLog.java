package org.tributary.group;

import java.io.IOException;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.BiConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Where the coordinator keeps its state: the partitions of {@code __consumer_offsets} (keyed
 * records, a null value is a tombstone), plus the log end offsets of user partitions for lag.
 * Implemented over the broker's partitions in the protocol layer, in memory in tests.
 */
public interface CoordinatorLog {
    /** A key and value (value null: tombstone). */
    record Entry(byte[] key, byte[] value) {
    }

    /**
     * Partitions of the offsets topic: the existing topic's count, else the configured one (a
     * changed {@code offsets.topic.num.partitions} must not move existing groups).
     */
    int partitionCount();

    /** Whether this broker leads {@code __consumer_offsets} partition {@code partition} (creating the topic on first use). */
    boolean isLocalLeader(int partition);

    /** Partitions of the offsets topic this broker leads now (none if the topic does not exist yet). */
    List<Integer> localPartitions();

    /** Appends durably to the offsets topic partition; throws when the write fails. */
    void append(int partition, List<Entry> entries) throws IOException;

    /** Reads the partition from its start, oldest first. */
    void replay(int partition, BiConsumer<byte[], byte[]> consumer) throws IOException;

    /** The log end offset (high watermark) of a user partition, if this broker holds it. */
    OptionalLong endOffset(TopicPartition tp);
}
