package org.tributary.jca.api;

/** Where a record was written: its topic, partition and offset, and the timestamp the broker kept. */
public record SendResult(String topic, int partition, long offset, long timestamp) {
}
