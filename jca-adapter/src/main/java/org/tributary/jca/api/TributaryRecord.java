package org.tributary.jca.api;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** One record as an MDB sees it. Immutable. */
public final class TributaryRecord {
    private final String topic;
    private final int partition;
    private final long offset;
    private final long timestamp;
    private final byte[] key;
    private final byte[] value;
    private final Map<String, String> headers;
    private final int deliveryAttempt;

    public TributaryRecord(String topic, int partition, long offset, long timestamp, byte[] key, byte[] value,
            Map<String, String> headers, int deliveryAttempt) {
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
        this.timestamp = timestamp;
        this.key = key;
        this.value = value;
        this.headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
        this.deliveryAttempt = deliveryAttempt;
    }

    public String topic() { return topic; }

    public int partition() { return partition; }

    public long offset() { return offset; }

    public long timestamp() { return timestamp; }

    public byte[] key() { return key == null ? null : key.clone(); }

    public byte[] value() { return value == null ? null : value.clone(); }

    public String keyAsString() { return Bytes.string(key); }

    public String valueAsString() { return Bytes.string(value); }

    /** Record headers decoded as UTF-8; for a repeated name the last value wins. */
    public Map<String, String> headers() { return headers; }

    /** 1 for the first delivery, 2 for the first redelivery, ... */
    public int deliveryAttempt() { return deliveryAttempt; }

    @Override
    public String toString() {
        return topic + "-" + partition + "@" + offset;
    }
}
