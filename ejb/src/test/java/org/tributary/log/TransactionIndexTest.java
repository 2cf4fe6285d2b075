package org.tributary.log;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tributary.testing.FakeTime;

/**
 * The {@code .txnindex} file: Kafka's layout byte for byte (checked against Kafka's own
 * {@code TransactionIndex} in both directions), truncation, a torn entry, and the search over
 * several segments that read_committed fetches use.
 */
class TransactionIndexTest {
    @TempDir
    Path tmp;

    @Test
    void entriesAreKafkasThirtyFourByteVersionZeroLayoutBothWays() throws Exception {
        Path ours = tmp.resolve("00000000000000000000.txnindex");
        TransactionIndex idx = new TransactionIndex(ours);
        assertFalse(Files.exists(ours), "no file until an entry is written");
        idx.append(new AbortedTxn(42L, 10L, 20L, 15L));
        idx.append(new AbortedTxn(43L, 11L, 30L, 31L));
        idx.close();
        byte[] written = Files.readAllBytes(ours);
        assertEquals(2 * 34, written.length);

        Path theirs = tmp.resolve("kafka.txnindex");
        try (org.apache.kafka.storage.internals.log.TransactionIndex k =
                new org.apache.kafka.storage.internals.log.TransactionIndex(0L, theirs.toFile())) {
            k.append(new org.apache.kafka.storage.internals.log.AbortedTxn(42L, 10L, 20L, 15L));
            k.append(new org.apache.kafka.storage.internals.log.AbortedTxn(43L, 11L, 30L, 31L));
            k.flush();
        }
        assertArrayEquals(Files.readAllBytes(theirs), written);

        try (org.apache.kafka.storage.internals.log.TransactionIndex k =
                new org.apache.kafka.storage.internals.log.TransactionIndex(0L, ours.toFile())) {
            List<org.apache.kafka.storage.internals.log.AbortedTxn> read = k.allAbortedTxns();
            assertEquals(2, read.size());
            assertEquals(42L, read.get(0).producerId());
            assertEquals(10L, read.get(0).firstOffset());
            assertEquals(20L, read.get(0).lastOffset());
            assertEquals(15L, read.get(0).lastStableOffset());
            assertEquals(0, read.get(0).version());
        }
        assertEquals(List.of(new AbortedTxn(42L, 10L, 20L, 15L), new AbortedTxn(43L, 11L, 30L, 31L)),
                new TransactionIndex(theirs).entries());
    }

    @Test
    void truncateTornEntryAndOrder() throws Exception {
        Path file = tmp.resolve("00000000000000000005.txnindex");
        TransactionIndex idx = new TransactionIndex(file);
        idx.append(new AbortedTxn(1, 5, 8, 9));
        idx.append(new AbortedTxn(2, 6, 12, 13));
        idx.append(new AbortedTxn(3, 9, 20, 21));
        assertThrows(IllegalArgumentException.class, () -> idx.append(new AbortedTxn(4, 10, 20, 21)), "markers only move forward");
        idx.truncateTo(12); // the marker at 12 goes with everything after it
        assertEquals(List.of(new AbortedTxn(1, 5, 8, 9)), idx.entries());
        assertEquals(34, Files.size(file));
        idx.append(new AbortedTxn(5, 10, 14, 15));
        idx.close();
        Files.write(file, new byte[] {0, 0, 0, 0, 0, 7}, StandardOpenOption.APPEND); // a torn write
        TransactionIndex reopened = new TransactionIndex(file);
        assertEquals(List.of(new AbortedTxn(1, 5, 8, 9), new AbortedTxn(5, 10, 14, 15)), reopened.entries());
        assertEquals(68, Files.size(file), "the partial entry is cut off");
        reopened.reset();
        assertTrue(reopened.entries().isEmpty());
        assertEquals(0, Files.size(file));
        reopened.close();
    }

    @Test
    void collectAbortedTransactionsSpansSegmentsAndStopsWhereComplete() throws Exception {
        FakeTime time = new FakeTime(1_000_000L);
        PartitionLog log = PartitionLog.open(tmp.resolve("t-0"), LogConfig.from(Map.of(), Map.of("segment.bytes", "300")), time);
        try {
            for (int i = 0; i < 40; i++) {
                log.appendAsLeader(MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(("value-" + i).getBytes())), 0);
            }
            assertTrue(log.segmentCount() >= 4, "segments: " + log.segmentCount());
            // markers (here: plain records standing for them) at 5, 17 and 33, in different segments
            AbortedTxn t1 = new AbortedTxn(1, 2, 5, 6);
            AbortedTxn t2 = new AbortedTxn(2, 3, 17, 18);
            AbortedTxn t3 = new AbortedTxn(3, 30, 33, 34);
            log.recordAbortedTxn(t1);
            log.recordAbortedTxn(t2);
            log.recordAbortedTxn(t3);
            log.recordAbortedTxn(t2); // a replay: already there
            assertEquals(List.of(t1, t2, t3), log.allAbortedTransactions());
            List<Long> holding = new ArrayList<>();
            for (long base : log.segmentBaseOffsets()) {
                if (Files.exists(LogSegment.txnIndexFile(log.dir, base))) {
                    holding.add(base);
                }
            }
            assertEquals(3, holding.size(), "each entry lives in its marker's segment: " + holding);

            assertEquals(List.of(t1, t2), LogQueries.collectAbortedTransactions(log, 0, 10));
            assertEquals(List.of(t2), LogQueries.collectAbortedTransactions(log, 6, 10), "t1 ended before the read");
            assertEquals(List.of(t2), LogQueries.collectAbortedTransactions(log, 17, 30), "t3 starts at the bound");
            assertEquals(List.of(t2, t3), LogQueries.collectAbortedTransactions(log, 17, 31));
            assertEquals(List.of(t1), LogQueries.collectAbortedTransactions(log, 0, 3), "t1's last stable offset passes 3: complete");
            assertEquals(List.of(), LogQueries.collectAbortedTransactions(log, 34, 40));

            log.truncateTo(17);
            assertEquals(List.of(t1), log.allAbortedTransactions(), "truncation removes entries whose marker went");
            log.close();
            log = PartitionLog.open(tmp.resolve("t-0"), LogConfig.from(Map.of(), Map.of("segment.bytes", "300")), time);
            assertEquals(List.of(t1), log.allAbortedTransactions(), "the index is durable");
        } finally {
            log.close();
        }
    }
}
