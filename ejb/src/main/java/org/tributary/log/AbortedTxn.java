package org.tributary.log;

import java.nio.ByteBuffer;

/**
 * One aborted transaction of a partition, as Kafka's {@code .txnindex} stores it: the producer, the
 * offset of its first record in this partition, the offset of its ABORT marker, and the partition's
 * last stable offset once the marker was written (the first offset of the next transaction still
 * open then, or one past the marker). A read_committed consumer drops the producer's records from
 * {@code firstOffset} until it meets the marker at {@code lastOffset}.
 */
public record AbortedTxn(long producerId, long firstOffset, long lastOffset, long lastStableOffset) {
    /** The on-disk entry version Kafka writes (0). */
    static final short VERSION = 0;
    /** version (2) + producer id (8) + first offset (8) + last offset (8) + last stable offset (8). */
    static final int ENTRY_SIZE = 34;

    void writeTo(ByteBuffer buf) {
        buf.putShort(VERSION).putLong(producerId).putLong(firstOffset).putLong(lastOffset).putLong(lastStableOffset);
    }

    static AbortedTxn readFrom(ByteBuffer buf) {
        short version = buf.getShort();
        if (version != VERSION) {
            throw new IllegalStateException("unknown transaction index entry version " + version);
        }
        return new AbortedTxn(buf.getLong(), buf.getLong(), buf.getLong(), buf.getLong());
    }
}
