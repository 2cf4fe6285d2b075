package org.tributary.ee;

import java.util.List;

/** One record read from a partition, key and value as raw bytes (null when absent). */
public record RecordInfo(String topic, int partition, long offset, long timestamp, String timestampType, byte[] key,
        byte[] value, List<Header> headers) {

    public record Header(String key, byte[] value) {
    }
}
