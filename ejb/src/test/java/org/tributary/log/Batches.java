package org.tributary.log;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;

/** Builders for record batches as clients send them (base offset 0). */
public final class Batches {
    private Batches() {
    }

    static byte[] bytes(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    /** {@code n} records "v0".."v(n-1)" padded to {@code valueSize}, all with timestamp {@code ts}. */
    public static MemoryRecords batch(int n, int valueSize, long ts) {
        return batch(Compression.NONE, n, valueSize, ts);
    }

    static MemoryRecords batch(Compression compression, int n, int valueSize, long ts) {
        MemoryRecordsBuilder b = MemoryRecords.builder(ByteBuffer.allocate(n * (valueSize + 64) + 256), compression,
                TimestampType.CREATE_TIME, 0L);
        for (int i = 0; i < n; i++) {
            byte[] v = new byte[valueSize];
            byte[] tag = bytes("v" + i);
            System.arraycopy(tag, 0, v, 0, Math.min(tag.length, v.length));
            b.append(ts, null, v);
        }
        return b.build();
    }

    /** One batch of keyed records; a null value is a tombstone. keysAndValues = k1, v1, k2, v2... */
    static MemoryRecords keyed(long ts, String... keysAndValues) {
        MemoryRecordsBuilder b = MemoryRecords.builder(ByteBuffer.allocate(1024 + keysAndValues.length * 64),
                Compression.NONE, TimestampType.CREATE_TIME, 0L);
        for (int i = 0; i < keysAndValues.length; i += 2) {
            b.append(ts, bytes(keysAndValues[i]), bytes(keysAndValues[i + 1]));
        }
        return b.build();
    }

    /** Records with the given timestamps, one batch. */
    static MemoryRecords timestamps(long... ts) {
        MemoryRecordsBuilder b = MemoryRecords.builder(ByteBuffer.allocate(1024 + ts.length * 64), Compression.NONE,
                TimestampType.CREATE_TIME, 0L);
        for (long t : ts) {
            b.append(t, null, bytes("t" + t));
        }
        return b.build();
    }

    /** An idempotent-producer batch. */
    static MemoryRecords idempotent(long producerId, short epoch, int baseSequence, long ts, String... keysAndValues) {
        MemoryRecordsBuilder b = MemoryRecords.builder(ByteBuffer.allocate(1024), RecordBatch.MAGIC_VALUE_V2,
                Compression.NONE, TimestampType.CREATE_TIME, 0L, RecordBatch.NO_TIMESTAMP, producerId, epoch,
                baseSequence, false, RecordBatch.NO_PARTITION_LEADER_EPOCH);
        for (int i = 0; i < keysAndValues.length; i += 2) {
            b.append(ts, bytes(keysAndValues[i]), bytes(keysAndValues[i + 1]));
        }
        return b.build();
    }

    /** Every record (offset, key, value) readable from the log, in order, starting at its start. */
    static List<String> dump(PartitionLog log) throws Exception {
        List<String> out = new ArrayList<>();
        if (log.logStartOffset() == log.logEndOffset()) {
            return out;
        }
        for (RecordBatch batch : log.batchesFrom(log.logStartOffset())) {
            for (Record r : batch) {
                if (r.offset() >= log.logStartOffset()) {
                    out.add(r.offset() + ":" + str(r.key()) + "=" + str(r.value()));
                }
            }
        }
        return out;
    }

    static List<Long> offsets(PartitionLog log) throws Exception {
        List<Long> out = new ArrayList<>();
        if (log.logStartOffset() == log.logEndOffset()) {
            return out;
        }
        for (RecordBatch batch : log.batchesFrom(log.logStartOffset())) {
            for (Record r : batch) {
                out.add(r.offset());
            }
        }
        return out;
    }

    static String str(ByteBuffer b) {
        if (b == null) {
            return "null";
        }
        byte[] a = new byte[b.remaining()];
        b.duplicate().get(a);
        String s = new String(a, StandardCharsets.UTF_8);
        int zero = s.indexOf('\0');
        return zero >= 0 ? s.substring(0, zero) : s;
    }

    /**
     * Marks everything in {@code log} as replicated (high watermark = log end), as a leader alone in
     * its ISR does after each append; retention and compaction work only below the high watermark.
     */
    static PartitionLog committed(PartitionLog log) {
        log.updateHighWatermark(log.logEndOffset());
        return log;
    }
}
