package org.tributary.log;

import org.tributary.testing.FakeTime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Random appends (random sizes, codecs, flushes), then a crash at a random byte at or after the last
 * fsynced position, optionally followed by garbage (zeros as from preallocation, or random bytes).
 * The reopened log must be a prefix of what was appended and hold every fsynced record.
 */
class RandomCrashTest {
    @TempDir
    Path tmp;

    static final Compression[] CODECS = {Compression.NONE, Compression.NONE, Compression.gzip().build(),
        Compression.lz4().build(), Compression.snappy().build(), Compression.zstd().build()};

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
    void recoveredLogIsAPrefixHoldingEveryFsyncedRecord(long seed) throws Exception {
        Random rnd = new Random(seed);
        FakeTime time = new FakeTime(50_000_000L);
        Map<String, String> cfg = Map.of("segment.bytes", Integer.toString(1500 + rnd.nextInt(4000)),
                "index.interval.bytes", Integer.toString(rnd.nextInt(400)),
                "preallocate", Boolean.toString(rnd.nextInt(4) == 0));
        LogConfig config = LogConfig.from(Map.of(), cfg);
        Path dir = tmp.resolve("random-" + seed);
        PartitionLog log = PartitionLog.open(dir, config, time);
        int batches = 10 + rnd.nextInt(40);
        for (int i = 0; i < batches; i++) {
            MemoryRecordsBuilder b = MemoryRecords.builder(ByteBuffer.allocate(4096), CODECS[rnd.nextInt(CODECS.length)],
                    TimestampType.CREATE_TIME, 0L);
            int n = 1 + rnd.nextInt(5);
            for (int r = 0; r < n; r++) {
                byte[] v = new byte[1 + rnd.nextInt(120)];
                rnd.nextBytes(v);
                byte[] tag = Batches.bytes("b" + i + "r" + r);
                System.arraycopy(tag, 0, v, 0, Math.min(tag.length, v.length));
                b.append(time.milliseconds(), null, v);
            }
            log.appendAsLeader(b.build(), 1);
            time.advance(rnd.nextInt(10));
            if (rnd.nextInt(6) == 0) {
                log.flush();
            }
        }
        List<String> appended = Batches.dump(log);
        long durable = log.recoveryPoint();
        List<Long> bases = log.segmentBaseOffsets();
        // where the durable prefix ends, as (segment index, byte position)
        int durableSeg = 0;
        for (int i = 0; i < bases.size(); i++) {
            if (bases.get(i) <= durable) {
                durableSeg = i;
            }
        }
        int durablePos = 0;
        for (FileChannelRecordBatch batch : log.segments.get(bases.get(durableSeg)).records().batches()) {
            if (batch.baseOffset() >= durable) {
                break;
            }
            durablePos += batch.sizeInBytes();
        }
        log.simulateCrash();

        int cutSeg = durableSeg + rnd.nextInt(bases.size() - durableSeg);
        Path cutFile = LogSegment.logFile(dir, bases.get(cutSeg));
        long size = log.segments.get(bases.get(cutSeg)).size(); // data bytes (a preallocated file is longer)
        long from = cutSeg == durableSeg ? durablePos : 0;
        long cut = from + (long) (rnd.nextDouble() * (size - from + 1));
        try (RandomAccessFile raf = new RandomAccessFile(cutFile.toFile(), "rw")) {
            raf.setLength(Math.min(cut, size));
            int garbage = rnd.nextInt(3);
            if (garbage > 0) {
                byte[] junk = new byte[rnd.nextInt(300)];
                if (garbage == 2) {
                    rnd.nextBytes(junk);
                }
                raf.seek(raf.length());
                raf.write(junk);
            }
        }
        for (int i = cutSeg + 1; i < bases.size(); i++) {
            Files.delete(LogSegment.logFile(dir, bases.get(i)));
        }

        PartitionLog reopened = PartitionLog.open(dir, config, time);
        List<String> recovered = Batches.dump(reopened);
        assertEquals(appended.subList(0, recovered.size()), recovered, "recovered log is a prefix of what was appended");
        long fsyncedRecords = appended.stream().filter(s -> Long.parseLong(s.substring(0, s.indexOf(':'))) < durable).count();
        assertTrue(recovered.size() >= fsyncedRecords, "lost fsynced records: recovered " + recovered.size()
                + " of " + fsyncedRecords + " fsynced");
        assertEquals(recovered.size(), reopened.logEndOffset());
        assertEquals(recovered.size(), reopened.appendAsLeader(Batches.batch(1, 10, time.milliseconds()), 2).firstOffset());
        reopened.close();
    }
}
