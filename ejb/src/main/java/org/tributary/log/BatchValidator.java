package org.tributary.log;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.DefaultRecordBatch;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.BufferSupplier;
import org.apache.kafka.common.utils.ByteBufferOutputStream;
import org.apache.kafka.common.utils.CloseableIterator;

/**
 * Validates produce and replication requests and, for leader appends, assigns offsets in place.
 *
 * <p>Rules: magic v2 only; each batch's CRC and structure are checked ({@code ensureValid}); batch
 * size {@code <= max.message.bytes}; for leader appends the record count must equal the offset delta
 * range (no empty batches, no control batches from clients, no negative base sequence for
 * idempotent batches). Validation of the whole request happens before anything is modified, so a
 * rejected request leaves the caller's buffer and the log untouched. Records are only iterated when
 * the rules need them: compacted topics (every record needs a key) and re-compression.
 *
 * <p>Stateless; safe to use from any thread.
 */
final class BatchValidator {
    private BatchValidator() {
    }

    /** What an append will write: the bytes and facts about them. */
    record Validated(MemoryRecords records, long firstOffset, long lastOffset, long maxTimestamp,
                     long offsetOfMaxTimestamp, long logAppendTime, int recordCount, List<long[]> epochStarts,
                     List<? extends RecordBatch> batches) {
        /** The batches of {@link #records()}, parsed once (re-parsed only after re-compression). */
        Iterable<? extends RecordBatch> batchesToIndex() {
            return batches != null ? batches : records.batches();
        }
    }

    static Validated forLeader(MemoryRecords records, long nextOffset, int leaderEpoch, LogConfig config,
                               long now, boolean allowControl) {
        List<MutableRecordBatch> batches = new ArrayList<>();
        int total = 0;
        boolean recompress = false;
        CompressionType target = targetCompression(config);
        for (MutableRecordBatch batch : records.batches()) {
            checkCommon(batch, config);
            long delta = batch.lastOffset() - batch.baseOffset();
            Integer count = batch.countOrNull();
            if (delta < 0 || delta > Integer.MAX_VALUE) {
                throw new InvalidRecordException("Batch has an invalid offset range [" + batch.baseOffset() + ", " + batch.lastOffset() + "]");
            }
            if (count == null || count <= 0) {
                throw new InvalidRecordException("Invalid record count " + count + " in batch at " + batch.baseOffset());
            }
            if (count != delta + 1) {
                throw new InvalidRecordException("Inconsistent batch offset range (" + (delta + 1) + ") and record count (" + count + ")");
            }
            if (batch.isControlBatch() && !allowControl) {
                throw new InvalidRecordException("Control batches cannot be produced by clients");
            }
            if (batch.hasProducerId() && batch.baseSequence() < 0 && !batch.isControlBatch()) {
                throw new InvalidRecordException("Invalid sequence number " + batch.baseSequence() + " for idempotent batch");
            }
            if (config.timestampType() == TimestampType.CREATE_TIME && batch.maxTimestamp() != RecordBatch.NO_TIMESTAMP
                    && batch.maxTimestamp() - now > config.messageTimestampAfterMaxMs()) {
                throw new InvalidTimestampException("Timestamp " + batch.maxTimestamp() + " of batch is more than "
                        + config.messageTimestampAfterMaxMs() + " ms ahead of the broker's time " + now);
            }
            if (config.timestampType() == TimestampType.CREATE_TIME && batch instanceof DefaultRecordBatch d
                    && d.baseTimestamp() != RecordBatch.NO_TIMESTAMP
                    && now - d.baseTimestamp() > config.messageTimestampBeforeMaxMs()) {
                // the first record's timestamp stands for the batch (records are not iterated for this)
                throw new InvalidTimestampException("Timestamp " + d.baseTimestamp() + " of batch is more than "
                        + config.messageTimestampBeforeMaxMs() + " ms behind the broker's time " + now);
            }
            if (config.compact() && !batch.isControlBatch()) {
                requireKeys(batch);
            }
            if (target != null && target != batch.compressionType() && !batch.isControlBatch()) {
                recompress = true;
            }
            total += batch.sizeInBytes();
            batches.add(batch);
        }
        checkWhole(records, batches, total);

        boolean logAppendTime = config.timestampType() == TimestampType.LOG_APPEND_TIME;
        long offset = nextOffset;
        long maxTs = RecordBatch.NO_TIMESTAMP;
        long offsetOfMaxTs = nextOffset;
        int recordCount = 0;
        ByteBufferOutputStream out = recompress ? new ByteBufferOutputStream(records.sizeInBytes()) : null;
        for (MutableRecordBatch batch : batches) {
            long delta = batch.lastOffset() - batch.baseOffset();
            long last = offset + delta;
            long batchMaxTs = logAppendTime ? now : batch.maxTimestamp();
            if (out != null && target != batch.compressionType() && !batch.isControlBatch()) {
                out.write(rebuild(batch, offset, leaderEpoch, config, target, logAppendTime ? now : RecordBatch.NO_TIMESTAMP).buffer());
                if (!logAppendTime) {
                    batchMaxTs = batch.maxTimestamp();
                }
            } else {
                batch.setLastOffset(last);
                batch.setPartitionLeaderEpoch(leaderEpoch);
                if (logAppendTime) {
                    batch.setMaxTimestamp(TimestampType.LOG_APPEND_TIME, now);
                } else {
                    batch.setMaxTimestamp(TimestampType.CREATE_TIME, batch.maxTimestamp());
                }
                if (out != null) {
                    batch.writeTo(out);
                }
            }
            if (batchMaxTs > maxTs) {
                maxTs = batchMaxTs;
                offsetOfMaxTs = logAppendTime ? nextOffset : last;
            }
            recordCount += (int) (delta + 1);
            offset = last + 1;
        }
        MemoryRecords result = records;
        if (out != null) {
            ByteBuffer buf = out.buffer();
            buf.flip();
            result = MemoryRecords.readableRecords(buf.slice());
        }
        List<long[]> epochs = List.of(new long[] {leaderEpoch, nextOffset});
        return new Validated(result, nextOffset, offset - 1, maxTs, offsetOfMaxTs,
                logAppendTime ? now : RecordBatch.NO_TIMESTAMP, recordCount, epochs, out == null ? batches : null);
    }

    /** Replicated batches: validated and stored as they are; offsets must start at or after {@code nextOffset}. */
    static Validated forFollower(MemoryRecords records, long nextOffset, LogConfig config) {
        List<MutableRecordBatch> batches = new ArrayList<>();
        int total = 0;
        long expectedMin = nextOffset;
        long maxTs = RecordBatch.NO_TIMESTAMP;
        long offsetOfMaxTs = nextOffset;
        int count = 0;
        List<long[]> epochs = new ArrayList<>();
        for (MutableRecordBatch batch : records.batches()) {
            checkCommon(batch, config);
            if (batch.baseOffset() < expectedMin || batch.lastOffset() < batch.baseOffset()) {
                throw new InvalidRecordException("Out of order offsets: batch [" + batch.baseOffset() + ", "
                        + batch.lastOffset() + "] but next expected offset is " + expectedMin);
            }
            if (batch.maxTimestamp() > maxTs) {
                maxTs = batch.maxTimestamp();
                offsetOfMaxTs = batch.lastOffset();
            }
            Integer c = batch.countOrNull();
            count += c == null ? 0 : c;
            epochs.add(new long[] {batch.partitionLeaderEpoch(), batch.baseOffset()});
            expectedMin = batch.lastOffset() + 1;
            total += batch.sizeInBytes();
            batches.add(batch);
        }
        checkWhole(records, batches, total);
        long first = batches.get(0).baseOffset();
        return new Validated(records, first, expectedMin - 1, maxTs, offsetOfMaxTs, RecordBatch.NO_TIMESTAMP, count, epochs,
                batches);
    }

    private static void checkCommon(RecordBatch batch, LogConfig config) {
        if (batch.magic() != RecordBatch.MAGIC_VALUE_V2) {
            throw new InvalidRecordException("Record batch magic " + batch.magic() + " is not supported; only v2 is accepted");
        }
        if (batch.sizeInBytes() > config.maxMessageBytes()) {
            throw new RecordTooLargeException("Record batch of " + batch.sizeInBytes()
                    + " bytes exceeds max.message.bytes " + config.maxMessageBytes());
        }
        batch.ensureValid();
    }

    private static void checkWhole(MemoryRecords records, List<MutableRecordBatch> batches, int total) {
        if (batches.isEmpty()) {
            throw new InvalidRecordException("Produce request contains no record batches");
        }
        if (total != records.sizeInBytes()) {
            throw new CorruptRecordException("Request holds " + records.sizeInBytes() + " bytes but only "
                    + total + " form complete record batches");
        }
    }

    private static void requireKeys(RecordBatch batch) {
        try (CloseableIterator<Record> it = batch.streamingIterator(BufferSupplier.NO_CACHING)) {
            while (it.hasNext()) {
                if (!it.next().hasKey()) {
                    throw new InvalidRecordException("Compacted topic cannot accept message without key");
                }
            }
        }
    }

    /** The codec a topic forces, or null for {@code producer} (keep what the client sent). */
    static CompressionType targetCompression(LogConfig config) {
        String c = config.compressionType();
        return switch (c) {
            case "producer" -> null;
            case "uncompressed" -> CompressionType.NONE;
            default -> CompressionType.forName(c);
        };
    }

    static Compression compression(CompressionType type, LogConfig config) {
        return switch (type) {
            case NONE -> Compression.NONE;
            case GZIP -> Compression.gzip().level(config.compressionLevel("gzip")).build();
            case SNAPPY -> Compression.snappy().build();
            case LZ4 -> Compression.lz4().level(config.compressionLevel("lz4")).build();
            case ZSTD -> Compression.zstd().level(config.compressionLevel("zstd")).build();
        };
    }

    private static MemoryRecords rebuild(RecordBatch batch, long baseOffset, int leaderEpoch, LogConfig config,
                                         CompressionType target, long logAppendTime) {
        ByteBuffer buf = ByteBuffer.allocate(Math.max(batch.sizeInBytes() * 2, 1024));
        TimestampType tsType = logAppendTime >= 0 ? TimestampType.LOG_APPEND_TIME : TimestampType.CREATE_TIME;
        MemoryRecordsBuilder b = MemoryRecords.builder(buf, RecordBatch.MAGIC_VALUE_V2, compression(target, config), tsType,
                baseOffset, logAppendTime, batch.producerId(), batch.producerEpoch(), batch.baseSequence(),
                batch.isTransactional(), leaderEpoch);
        try (CloseableIterator<Record> it = batch.streamingIterator(BufferSupplier.NO_CACHING)) {
            while (it.hasNext()) {
                Record r = it.next();
                b.appendWithOffset(baseOffset + (r.offset() - batch.baseOffset()), r.timestamp(), r.key(), r.value(), r.headers());
            }
        }
        return b.build();
    }
}
