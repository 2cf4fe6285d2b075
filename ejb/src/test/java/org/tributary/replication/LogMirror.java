package org.tributary.replication;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.tributary.log.PartitionLog;

/**
 * One replica's log as the checker last read it: every record with its offset, the leader epoch
 * of its batch, its value and its producer id and sequence. Re-read in full after anything that
 * may truncate (a fetch answer, a restart), from the old end after an append. Also checks that
 * offsets are contiguous and that no value is in the log twice (every value the simulation
 * writes is unique, and an idempotent retry carries its first attempt's values).
 */
final class LogMirror {
    /** One record: producer id -1 for a batch without one. */
    record Rec(long offset, int epoch, String value, long producerId, int sequence) {
        @Override
        public String toString() {
            return offset + ":" + value + "@e" + epoch;
        }
    }

    private final List<Rec> recs = new ArrayList<>();
    private final Map<String, Long> offsetOfValue = new HashMap<>();
    private long start;
    private long end;
    private long version;

    /** Reads the whole log again. */
    void reload(PartitionLog log) throws IOException {
        recs.clear();
        offsetOfValue.clear();
        start = log.logStartOffset();
        end = start;
        readFrom(log, start);
        version++;
    }

    /** Reads what was appended since the last read (the log must not have been truncated meanwhile). */
    void readTail(PartitionLog log) throws IOException {
        if (log.logEndOffset() < end || log.logStartOffset() != start) {
            throw new IllegalStateException("log " + log + " shrank or moved its start without a reload: mirror " + start + ".." + end);
        }
        if (log.logEndOffset() > end) {
            readFrom(log, end);
            version++;
        }
    }

    private void readFrom(PartitionLog log, long from) throws IOException {
        long leo = log.logEndOffset();
        if (from < leo) {
            for (RecordBatch b : log.batchesFrom(from)) {
                for (Record r : b) {
                    if (r.offset() < from || r.offset() >= leo) {
                        continue;
                    }
                    long expected = start + recs.size();
                    if (r.offset() != expected) {
                        throw new AssertionError("log " + log + " has offset " + r.offset() + " where " + expected + " was expected");
                    }
                    String value = str(r.value());
                    Long earlier = offsetOfValue.put(value, r.offset());
                    if (earlier != null) {
                        throw new AssertionError("value " + value + " is in log " + log + " twice, at " + earlier + " and " + r.offset()
                                + " (a double write)");
                    }
                    int seq = b.hasProducerId() ? b.baseSequence() + (int) (r.offset() - b.baseOffset()) : -1;
                    recs.add(new Rec(r.offset(), b.partitionLeaderEpoch(), value, b.hasProducerId() ? b.producerId() : -1L, seq));
                }
            }
        }
        end = leo;
    }

    private static String str(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.duplicate().get(a);
        return new String(a, StandardCharsets.UTF_8);
    }

    long start() {
        return start;
    }

    long end() {
        return end;
    }

    /** Changes whenever the content read changes. */
    long version() {
        return version;
    }

    /** The record at {@code offset}, or null outside the log. */
    Rec at(long offset) {
        if (offset < start || offset >= end) {
            return null;
        }
        return recs.get((int) (offset - start));
    }

    /** Where {@code value} is in this log, or null. */
    Long offsetOf(String value) {
        return offsetOfValue.get(value);
    }

    List<Rec> records() {
        return List.copyOf(recs);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("[");
        int from = Math.max(0, recs.size() - 12);
        if (from > 0) {
            s.append("...").append(from).append(" more, ");
        }
        for (int i = from; i < recs.size(); i++) {
            s.append(i > from ? " " : "").append(recs.get(i));
        }
        return s.append("]").toString();
    }
}
