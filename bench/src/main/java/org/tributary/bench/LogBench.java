package org.tributary.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.Time;
import org.tributary.log.FetchSlice;
import org.tributary.log.LogConfig;
import org.tributary.log.PartitionLog;

/**
 * Append and sequential-read throughput of {@link PartitionLog} next to a raw {@link FileChannel}
 * writing and reading the same bytes in the same directory. 1 KiB records in 16 KiB and 64 KiB
 * batches. Neither side fsyncs while writing (the log's default flush policy leaves it to the OS);
 * reads are from the page cache on both sides. Each case alternates raw and log runs and reports
 * the best of the rounds and the median of the per-round ratios (rounds alternate which side runs first).
 *
 * <p>Usage: {@code LogBench <dataDir> [MiB per run] [rounds]}
 */
public final class LogBench {
    private static final int RECORD = 1024;
    private static final java.lang.management.ThreadMXBean CPU = java.lang.management.ManagementFactory.getThreadMXBean();

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "bench/target/data");
        int mib = args.length > 1 ? Integer.parseInt(args[1]) : 256;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        long total = (long) mib << 20;
        System.out.printf("Tributary log benchmark: %d MiB per run, %d rounds, dir %s%n", mib, rounds, dir.toAbsolutePath());
        warmUp(dir);
        System.out.printf("%-26s %12s %12s %8s %8s%n", "case", "raw MiB/s", "log MiB/s", "ratio", "median");
        for (int perBatch : new int[] {16, 64}) {
            MemoryRecords batch = batch(perBatch);
            long batches = total / batch.sizeInBytes();
            double bestRawW = 0, bestLogW = 0, bestRawR = 0, bestLogR = 0;
            double[] ratiosW = new double[rounds];
            double[] ratiosR = new double[rounds];
            double[] ratiosCpu = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                double[] res = new double[6];
                runPair(dir, batch, batches, res, r % 2 == 1);
                if (System.getenv("BENCH_VERBOSE") != null) {
                    System.out.printf("  round %d (%s first): write raw %.0f log %.0f (per CPU s: %.0f / %.0f), "
                            + "read raw %.0f log %.0f%n", r, r % 2 == 1 ? "log" : "raw", res[0], res[1], res[4], res[5],
                            res[2], res[3]);
                }
                ratiosW[r] = res[1] / res[0];
                ratiosCpu[r] = res[5] / res[4];
                ratiosR[r] = res[3] / res[2];
                bestRawW = Math.max(bestRawW, res[0]);
                bestLogW = Math.max(bestLogW, res[1]);
                bestRawR = Math.max(bestRawR, res[2]);
                bestLogR = Math.max(bestLogR, res[3]);
            }
            String name = perBatch + " KiB batches";
            System.out.printf("%-26s %12.1f %12.1f %8.2f %8.2f%n", "append, " + name, bestRawW, bestLogW,
                    bestLogW / bestRawW, median(ratiosW));
            System.out.printf("%-26s %12s %12s %8s %8.2f%n", "  (append, per CPU second)", "", "", "",
                    median(ratiosCpu));
            System.out.printf("%-26s %12.1f %12.1f %8.2f %8.2f%n", "read, " + name, bestRawR, bestLogR,
                    bestLogR / bestRawR, median(ratiosR));
        }
        deleteTree(dir);
    }

    static double median(double[] xs) {
        double[] s = xs.clone();
        java.util.Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /** Runs the append, read and raw paths often enough for the JIT to compile them before anything is timed. */
    static void warmUp(Path dir) throws IOException {
        MemoryRecords small = batch(1);
        for (int i = 0; i < 3; i++) {
            runPair(dir, small, 20_000, null, i % 2 == 1);
        }
    }

    static MemoryRecords batch(int records) {
        Random rnd = new Random(42);
        MemoryRecordsBuilder b = MemoryRecords.builder(ByteBuffer.allocate(records * (RECORD + 64) + 128),
                Compression.NONE, TimestampType.CREATE_TIME, 0L);
        byte[] value = new byte[RECORD];
        for (int i = 0; i < records; i++) {
            rnd.nextBytes(value);
            b.append(System.currentTimeMillis(), null, value);
        }
        return b.build();
    }

    /**
     * res: raw write, log write, raw read, log read in MiB/s (null for a warm-up). Raw and log work is
     * interleaved in chunks (about 2 MiB), alternating which side goes first, so that changes in machine
     * load affect both sides alike; each side's time is summed separately.
     */
    static void runPair(Path dir, MemoryRecords batch, long batches, double[] res, boolean logFirst) throws IOException {
        deleteTree(dir);
        Files.createDirectories(dir);
        Path rawFile = dir.resolve("raw.bin");
        double mib = (double) batches * batch.sizeInBytes() / (1 << 20);
        int chunk = Math.max(1, (2 << 20) / batch.sizeInBytes());
        LogConfig config = LogConfig.from(Map.of(), Map.of("segment.bytes", Integer.toString(1 << 30)));
        PartitionLog log = PartitionLog.open(dir.resolve("bench-0"), config, Time.SYSTEM);
        long rawNs = 0;
        long logNs = 0;
        long rawCpu = 0;
        long logCpu = 0;
        try (FileChannel raw = FileChannel.open(rawFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.READ)) {
            ByteBuffer buf = batch.buffer();
            boolean logTurn = logFirst;
            for (long done = 0; done < batches; done += chunk) {
                long n = Math.min(chunk, batches - done);
                for (int side = 0; side < 2; side++, logTurn = !logTurn) {
                    long c0 = CPU.getCurrentThreadCpuTime();
                    long t0 = System.nanoTime();
                    if (logTurn) {
                        for (long i = 0; i < n; i++) {
                            log.appendAsLeader(batch, 0);
                        }
                        logNs += System.nanoTime() - t0;
                        logCpu += CPU.getCurrentThreadCpuTime() - c0;
                    } else {
                        for (long i = 0; i < n; i++) {
                            ByteBuffer b = buf.duplicate();
                            while (b.hasRemaining()) {
                                raw.write(b);
                            }
                        }
                        rawNs += System.nanoTime() - t0;
                        rawCpu += CPU.getCurrentThreadCpuTime() - c0;
                    }
                }
                logTurn = !logTurn;
            }
            double rawW = mib / (rawNs / 1e9);
            double logW = mib / (logNs / 1e9);
            double rawWCpu = mib / (rawCpu / 1e9);
            double logWCpu = mib / (logCpu / 1e9);
            raw.force(true);
            log.flush();

            ByteBuffer readBuf = ByteBuffer.allocateDirect(1 << 20);
            rawNs = 0;
            logNs = 0;
            long rawPos = 0;
            long rawRead = 0;
            long next = log.logStartOffset();
            long end = log.logEndOffset();
            long rawSize = raw.size();
            long logRead = 0;
            logTurn = logFirst;
            while (next < end || rawPos < rawSize) {
                for (int side = 0; side < 2; side++, logTurn = !logTurn) {
                    long t0 = System.nanoTime();
                    if (logTurn && next < end) {
                        // consumer-style: fetch up to 1 MiB, copy it out, find the next offset from the batches
                        FetchSlice slice = log.read(next, 1 << 20, end, true);
                        FileRecords fr = (FileRecords) slice.records();
                        readBuf.clear().limit(fr.sizeInBytes());
                        fr.readInto(readBuf, 0);
                        logRead += fr.sizeInBytes();
                        for (RecordBatch b : MemoryRecords.readableRecords(readBuf).batches()) {
                            next = b.nextOffset();
                        }
                        logNs += System.nanoTime() - t0;
                    } else if (!logTurn && rawPos < rawSize) {
                        int r = raw.read(readBuf.clear(), rawPos);
                        rawPos += r;
                        rawRead += r;
                        rawNs += System.nanoTime() - t0;
                    }
                }
                logTurn = !logTurn;
            }
            if (res != null) {
                res[4] = rawWCpu;
                res[5] = logWCpu;
                res[0] = rawW;
                res[1] = logW;
                res[2] = rawRead / (double) (1 << 20) / (rawNs / 1e9);
                res[3] = logRead / (double) (1 << 20) / (logNs / 1e9);
            }
        }
        log.close();
        deleteTree(dir);
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        List<Path> all = new ArrayList<>();
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(all::add);
        }
        for (Path p : all) {
            Files.deleteIfExists(p);
        }
    }
}
