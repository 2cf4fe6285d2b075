package org.tributary.log;

import org.tributary.testing.FakeTime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AppendValidationTest {
    @TempDir
    Path tmp;
    final FakeTime time = new FakeTime(5_000_000L);
    PartitionLog log;

    PartitionLog open(Map<String, String> overrides) throws Exception {
        log = PartitionLog.open(tmp.resolve("t-0"), LogConfig.from(Map.of(), overrides), time);
        return log;
    }

    @AfterEach
    void closeLog() throws Exception {
        if (log != null) {
            log.close();
        }
    }

    static byte[] array(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.duplicate().get(a);
        return a;
    }

    /** The stored bytes of the whole log. */
    byte[] storedBytes() throws Exception {
        FetchSlice s = log.read(0, Integer.MAX_VALUE, log.logEndOffset(), true);
        ByteBuffer buf = ByteBuffer.allocate(s.records().sizeInBytes());
        for (RecordBatch b : s.records().batches()) {
            b.writeTo(buf);
        }
        buf.flip();
        return array(buf);
    }

    static MemoryRecords concat(MemoryRecords... parts) {
        int size = Arrays.stream(parts).mapToInt(MemoryRecords::sizeInBytes).sum();
        ByteBuffer buf = ByteBuffer.allocate(size);
        for (MemoryRecords p : parts) {
            buf.put(p.buffer().duplicate());
        }
        buf.flip();
        return MemoryRecords.readableRecords(buf);
    }

    @Test
    void badCrcIsRejectedAsCorruptRecord() throws Exception {
        open(Map.of());
        MemoryRecords r = Batches.batch(3, 20, time.milliseconds());
        ByteBuffer b = r.buffer();
        b.put(b.limit() - 3, (byte) (b.get(b.limit() - 3) ^ 0x5a));
        assertThrows(CorruptRecordException.class, () -> log.appendAsLeader(r, 0));
        assertEquals(0, log.logEndOffset());
    }

    @Test
    void batchLargerThanMaxMessageBytesIsRejected() throws Exception {
        open(Map.of("max.message.bytes", "500"));
        assertThrows(RecordTooLargeException.class, () -> log.appendAsLeader(Batches.batch(5, 200, time.milliseconds()), 0));
        log.appendAsLeader(Batches.batch(1, 200, time.milliseconds()), 0);
        assertEquals(1, log.logEndOffset());
    }

    @ParameterizedTest
    @ValueSource(bytes = {RecordBatch.MAGIC_VALUE_V0, RecordBatch.MAGIC_VALUE_V1})
    void legacyMagicIsRejected(byte magic) throws Exception {
        open(Map.of());
        MemoryRecordsBuilder b = MemoryRecords.builder(ByteBuffer.allocate(512), magic, Compression.NONE,
                TimestampType.CREATE_TIME, 0L);
        b.append(time.milliseconds(), null, Batches.bytes("old"));
        assertThrows(InvalidRecordException.class, () -> log.appendAsLeader(b.build(), 0));
        assertEquals(0, log.logEndOffset());
    }

    @Test
    void oneBadBatchRejectsTheWholeRequestAndLeavesBytesUntouched() throws Exception {
        open(Map.of());
        MemoryRecords good = Batches.batch(2, 20, time.milliseconds());
        MemoryRecords bad = Batches.batch(2, 20, time.milliseconds());
        bad.buffer().put(bad.buffer().limit() - 2, (byte) 0x7f);
        MemoryRecords request = concat(good, bad);
        byte[] before = array(request.buffer());
        assertThrows(CorruptRecordException.class, () -> log.appendAsLeader(request, 9));
        assertEquals(0, log.logEndOffset());
        assertEquals(0, log.sizeInBytes());
        assertArrayEquals(before, array(request.buffer()));
    }

    @Test
    void trailingPartialBatchIsRejected() throws Exception {
        open(Map.of());
        MemoryRecords good = Batches.batch(2, 20, time.milliseconds());
        ByteBuffer buf = ByteBuffer.allocate(good.sizeInBytes() + 20);
        buf.put(good.buffer().duplicate());
        buf.put(good.buffer().duplicate().limit(20));
        buf.flip();
        assertThrows(CorruptRecordException.class, () -> log.appendAsLeader(MemoryRecords.readableRecords(buf), 0));
    }

    @Test
    void emptyRequestIsRejected() throws Exception {
        open(Map.of());
        assertThrows(InvalidRecordException.class, () -> log.appendAsLeader(MemoryRecords.EMPTY, 0));
    }

    @Test
    void compactedTopicRejectsRecordsWithoutKey() throws Exception {
        open(Map.of("cleanup.policy", "compact"));
        assertThrows(InvalidRecordException.class, () -> log.appendAsLeader(Batches.batch(1, 10, time.milliseconds()), 0));
        log.appendAsLeader(Batches.keyed(time.milliseconds(), "k", "v"), 0);
        assertEquals(1, log.logEndOffset());
    }

    @ParameterizedTest
    @EnumSource(CompressionType.class)
    void everyCodecIsStoredExactlyAsReceived(CompressionType type) throws Exception {
        open(Map.of());
        MemoryRecords r = Batches.batch(Compression.of(type).build(), 20, 30, time.milliseconds());
        byte[] sent = array(r.buffer());
        log.appendAsLeader(Batches.batch(1, 10, time.milliseconds()), 4); // so offsets really change
        log.appendAsLeader(r, 4);
        FetchSlice s = log.read(1, Integer.MAX_VALUE, log.logEndOffset(), true);
        RecordBatch stored = s.records().batches().iterator().next();
        assertEquals(type, stored.compressionType());
        assertEquals(1, stored.baseOffset());
        assertEquals(20, stored.lastOffset());
        assertEquals(4, stored.partitionLeaderEpoch());
        stored.ensureValid();
        ByteBuffer buf = ByteBuffer.allocate(stored.sizeInBytes());
        stored.writeTo(buf);
        byte[] kept = buf.array();
        // everything from magic on (magic, CRC, attributes, timestamps, producer fields, records) is untouched
        assertArrayEquals(Arrays.copyOfRange(sent, 16, sent.length), Arrays.copyOfRange(kept, 16, kept.length));
    }

    @Test
    void logAppendTimeRewritesHeaderTimestampAndCrcButNotRecords() throws Exception {
        open(Map.of("message.timestamp.type", "LogAppendTime"));
        MemoryRecords r = Batches.batch(3, 30, 42L);
        byte[] sent = array(r.buffer());
        AppendInfo info = log.appendAsLeader(r, 0);
        assertEquals(time.milliseconds(), info.logAppendTime());
        assertEquals(time.milliseconds(), info.maxTimestamp());
        RecordBatch stored = log.read(0, Integer.MAX_VALUE, 3, true).records().batches().iterator().next();
        stored.ensureValid();
        assertEquals(TimestampType.LOG_APPEND_TIME, stored.timestampType());
        assertEquals(time.milliseconds(), stored.maxTimestamp());
        for (Record rec : stored) {
            assertEquals(time.milliseconds(), rec.timestamp());
        }
        ByteBuffer buf = ByteBuffer.allocate(stored.sizeInBytes());
        stored.writeTo(buf);
        int header = 61; // v2 batch header size
        assertArrayEquals(Arrays.copyOfRange(sent, header, sent.length), Arrays.copyOfRange(buf.array(), header, sent.length));
    }

    @Test
    void timestampsTooFarFromBrokerTimeAreRejected() throws Exception {
        open(Map.of("message.timestamp.after.max.ms", "1000", "message.timestamp.before.max.ms", "5000"));
        long now = time.milliseconds();
        assertThrows(InvalidTimestampException.class, () -> log.appendAsLeader(Batches.timestamps(now, now + 1001), 0));
        assertThrows(InvalidTimestampException.class, () -> log.appendAsLeader(Batches.timestamps(now - 5001, now), 0));
        log.appendAsLeader(Batches.timestamps(now - 5000, now + 1000), 0);
        assertEquals(2, log.logEndOffset());
    }

    @Test
    void createTimeReportsBatchMaxTimestamp() throws Exception {
        open(Map.of());
        AppendInfo info = log.appendAsLeader(Batches.timestamps(time.milliseconds() - 5, time.milliseconds() - 1,
                time.milliseconds() - 3), 0);
        assertEquals(-1, info.logAppendTime());
        assertEquals(time.milliseconds() - 1, info.maxTimestamp());
    }

    @Test
    void concreteTopicCodecRecompressesOnlyWhenDifferent() throws Exception {
        open(Map.of("compression.type", "gzip"));
        log.appendAsLeader(Batches.batch(5, 100, time.milliseconds()), 2);
        MemoryRecords gz = Batches.batch(Compression.gzip().build(), 5, 100, time.milliseconds());
        byte[] sent = array(gz.buffer());
        log.appendAsLeader(gz, 2);
        List<RecordBatch> stored = new ArrayList<>();
        log.batchesFrom(0).forEach(stored::add);
        assertEquals(CompressionType.GZIP, stored.get(0).compressionType());
        assertEquals(0, stored.get(0).baseOffset());
        assertEquals(4, stored.get(0).lastOffset());
        assertEquals(List.of("0:null=v0", "1:null=v1", "2:null=v2", "3:null=v3", "4:null=v4",
                "5:null=v0", "6:null=v1", "7:null=v2", "8:null=v3", "9:null=v4"), Batches.dump(log));
        ByteBuffer buf = ByteBuffer.allocate(stored.get(1).sizeInBytes());
        stored.get(1).writeTo(buf);
        assertArrayEquals(Arrays.copyOfRange(sent, 16, sent.length), Arrays.copyOfRange(buf.array(), 16, sent.length));
        assertTrue(stored.get(0).isValid());
    }

    @Test
    void uncompressedTopicCodecDecompressesProducerBatches() throws Exception {
        open(Map.of("compression.type", "uncompressed"));
        log.appendAsLeader(Batches.batch(Compression.lz4().build(), 3, 10, time.milliseconds()), 0);
        RecordBatch stored = log.batchesFrom(0).iterator().next();
        assertEquals(CompressionType.NONE, stored.compressionType());
        assertEquals(3, Batches.offsets(log).size());
    }
}
