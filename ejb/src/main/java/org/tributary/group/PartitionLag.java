package org.tributary.group;

import org.apache.kafka.common.TopicPartition;

/** Lag of a group on a partition: log end offset minus committed offset (-1 fields when unknown). */
public record PartitionLag(TopicPartition partition, long committedOffset, long logEndOffset, long lag) {
}
