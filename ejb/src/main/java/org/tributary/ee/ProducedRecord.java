package org.tributary.ee;

/** Where a record produced through the admin API landed. */
public record ProducedRecord(String topic, int partition, long offset, long timestamp) {
}
