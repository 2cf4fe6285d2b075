package org.tributary.partition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tributary.log.AbortedTxn;
import org.tributary.log.LogConfig;
import org.tributary.log.PartitionLog;
import org.tributary.metadata.PartitionRegistration;
import org.tributary.testing.FakeTime;

/**
 * Compaction of a transactional topic, as Kafka's cleaner: aborted records go (and never shadow an
 * earlier committed value), committed ones follow the usual key rule, nothing at or past the last
 * stable offset is touched, and a marker stays while its transaction has data, then gets a delete
 * horizon and goes after {@code delete.retention.ms}.
 */
class TransactionCompactionTest {
    private static final long A = 11;
    private static final long B = 22;
    private static final long C = 33;

    @TempDir
    Path dir;
    private final FakeTime time = new FakeTime(50_000_000L);
    private PartitionLog log;

    @AfterEach
    void close() throws Exception {
        if (log != null) {
            log.close();
        }
    }

    private Partition open() throws Exception {
        log = PartitionLog.open(dir.resolve("c-0"), LogConfig.from(Map.of(), Map.of("cleanup.policy", "compact",
                "segment.bytes", "300", "min.cleanable.dirty.ratio", "0.01", "delete.retention.ms", "1000")), time);
        Partition p = Partition.open(new TopicPartition("c", 0), Uuid.randomUuid(), log, dir.resolve("c-0.snapshot"), 1, List.of(1));
        p.update(new PartitionRegistration(List.of(1), List.of(1), 1, 0, 0), time.milliseconds());
        return p;
    }

    private MemoryRecords txn(long pid, int seq, String key, String value) {
        return MemoryRecords.withTransactionalRecords(Compression.NONE, pid, (short) 0, seq,
                new SimpleRecord(time.milliseconds(), key.getBytes(), value.getBytes()));
    }

    private MemoryRecords plain(String key, String value) {
        return MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(time.milliseconds(), key.getBytes(), value.getBytes()));
    }

    private void fill(Partition p, int n) throws Exception {
        for (int i = 0; i < n; i++) {
            p.appendAsLeader(plain("filler" + (i % 3), "f" + i));
        }
    }

    /** Data records as key=value and markers as COMMIT/ABORT(pid), in offset order. */
    private List<String> dump() throws Exception {
        List<String> out = new ArrayList<>();
        for (RecordBatch b : log.batchesFrom(log.logStartOffset())) {
            for (Record r : b) {
                if (b.isControlBatch()) {
                    out.add((r.key().getShort(2) == 0 ? "ABORT" : "COMMIT") + "(" + b.producerId() + ")");
                } else if (!str(r.key()).startsWith("filler")) {
                    out.add(str(r.key()) + "=" + str(r.value()));
                }
            }
        }
        return out;
    }

    private static String str(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.duplicate().get(a);
        return new String(a, StandardCharsets.UTF_8);
    }

    @Test
    void abortedRecordsGoCommittedStayMarkersGoAfterTheirDataAndTheDeleteRetention() throws Exception {
        Partition p = open();
        p.appendAsLeader(plain("k1", "committed-before"));
        p.appendAsLeader(txn(A, 0, "k1", "aborted"));
        p.appendAsLeader(txn(B, 0, "k2", "committed"));
        p.appendTxnMarker(A, (short) 0, 1, false, 0, (short) 1, time.milliseconds());
        p.appendTxnMarker(B, (short) 0, 1, true, 0, (short) 1, time.milliseconds());
        // A's next transaction: its aborted batch is no longer its last one (a producer's last batch stays, emptied)
        p.appendAsLeader(txn(A, 1, "k4", "later"));
        p.appendTxnMarker(A, (short) 0, 1, true, 0, (short) 1, time.milliseconds());
        fill(p, 30);
        assertEquals(1, log.allAbortedTransactions().size());

        assertTrue(log.compact().segmentsCleaned() > 0);
        assertEquals(List.of("k1=committed-before", "k2=committed", "ABORT(11)", "COMMIT(22)", "k4=later", "COMMIT(11)"), dump(),
                "the aborted record is gone and did not shadow k1's committed value; both markers still have data");
        List<AbortedTxn> kept = log.allAbortedTransactions();
        assertEquals(1, kept.size(), "the kept abort marker keeps its index entry: " + kept);

        fill(p, 30);
        time.advance(10);
        log.compact();
        assertEquals(List.of("k1=committed-before", "k2=committed", "ABORT(11)", "COMMIT(22)", "k4=later", "COMMIT(11)"), dump(),
                "the abort marker's data is gone: it gets a delete horizon first");

        time.advance(2_000);
        fill(p, 30);
        log.compact();
        assertEquals(List.of("k1=committed-before", "k2=committed", "COMMIT(22)", "k4=later", "COMMIT(11)"), dump(),
                "past delete.retention.ms the abort marker goes; the commit marker stays while k2's record does");
    }

    @Test
    void nothingAtOrPastTheLastStableOffsetIsCleaned() throws Exception {
        Partition p = open();
        fill(p, 10);
        p.appendAsLeader(txn(C, 0, "k3", "open"));
        long open = log.logEndOffset() - 1;
        p.appendAsLeader(plain("k3", "newer"));
        fill(p, 40);
        assertEquals(open, p.lastStableOffset());
        log.compact();
        List<String> after = dump();
        assertTrue(after.contains("k3=open"), "the open transaction's record stays: " + after);
        p.appendTxnMarker(C, (short) 0, 1, true, 0, (short) 1, time.milliseconds());
        fill(p, 40);
        log.compact();
        after = dump();
        assertFalse(after.contains("k3=open"), "once committed, the newer value of k3 wins: " + after);
        assertTrue(after.contains("k3=newer"));
    }
}
