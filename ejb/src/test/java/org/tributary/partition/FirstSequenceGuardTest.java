package org.tributary.partition;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tributary.log.LogConfig;
import org.tributary.log.PartitionLog;
import org.tributary.metadata.PartitionRegistration;
import org.tributary.testing.FakeTime;

/**
 * An idempotent producer's first batch on a partition is refused before it is written
 * (NOT_ENOUGH_REPLICAS) and its next batch arrives once the ISR has grown: the leader must not
 * write the later batch ahead of the refused one, or every retry of the refused batch is
 * OUT_OF_ORDER_SEQUENCE_NUMBER until the client gives up on it (KAFKA-14359; seen here after every
 * broker of a cluster restarted at once, with a new producer writing straight away).
 */
class FirstSequenceGuardTest {
    private static final TopicPartition TP = new TopicPartition("t", 0);
    private static final long PID = 4_000L;

    @TempDir
    Path dir;
    private final FakeTime time = new FakeTime(1_000_000L);
    private PartitionLog log;
    private Partition leader;

    @BeforeEach
    void open() throws Exception {
        log = PartitionLog.open(dir.resolve("t-0"), LogConfig.from(Map.of(), Map.of("min.insync.replicas", "2")), time);
        leader = Partition.open(TP, Uuid.randomUuid(), log, dir.resolve("t-0.snapshot"), 1, List.of(1, 2, 3));
        leader.update(new PartitionRegistration(List.of(1, 2, 3), List.of(1), 1, 0, 0), time.milliseconds());
    }

    @AfterEach
    void close() throws Exception {
        log.close();
    }

    private static MemoryRecords batch(long pid, short epoch, int firstSeq, int count) {
        SimpleRecord[] r = new SimpleRecord[count];
        for (int i = 0; i < count; i++) {
            r[i] = new SimpleRecord(0L, null, ("s" + (firstSeq + i)).getBytes());
        }
        return MemoryRecords.withIdempotentRecords(Compression.NONE, pid, epoch, firstSeq, r);
    }

    private void isrGrowsToTwo() throws Exception {
        leader.update(new PartitionRegistration(List.of(1, 2, 3), List.of(1, 2), 1, 0, 1), time.milliseconds());
    }

    @Test
    void aLaterBatchWaitsForTheRefusedFirstBatchOfAProducerWithoutState() throws Exception {
        leader.appendAsLeader(batch(999L, (short) 0, 0, 2), (short) 1); // the partition has held records
        assertThrows(NotEnoughReplicasException.class, () -> leader.appendAsLeader(batch(PID, (short) 0, 0, 3), (short) -1));
        isrGrowsToTwo();
        assertThrows(OutOfOrderSequenceException.class, () -> leader.appendAsLeader(batch(PID, (short) 0, 3, 2), (short) -1),
                "the batch in flight behind the refused one is refused too, so the client retries it after that one");
        assertEquals(2, log.logEndOffset(), "nothing written ahead of the refused batch");

        Partition.AppendResult first = leader.appendAsLeader(batch(PID, (short) 0, 0, 3), (short) -1);
        Partition.AppendResult second = leader.appendAsLeader(batch(PID, (short) 0, 3, 2), (short) -1);
        assertEquals(2, first.firstOffset());
        assertEquals(5, second.firstOffset(), "the producer's records in sequence order");
        assertThrows(OutOfOrderSequenceException.class, () -> leader.appendAsLeader(batch(PID, (short) 0, 9, 1), (short) -1),
                "with state, the usual sequence check applies");
    }

    @Test
    void aProducerThatMovesToANewEpochIsNotHeldBackByItsOldRefusedBatch() throws Exception {
        leader.appendAsLeader(batch(999L, (short) 0, 0, 1), (short) 1);
        assertThrows(NotEnoughReplicasException.class, () -> leader.appendAsLeader(batch(PID, (short) 0, 0, 3), (short) -1));
        isrGrowsToTwo();
        assertDoesNotThrow(() -> leader.appendAsLeader(batch(PID, (short) 1, 0, 1), (short) -1),
                "the client gave up on the batch and bumped its epoch: it starts again at 0");
    }

    @Test
    void onALogThatNeverHeldARecordAProducerWithoutStateStartsAtSequenceZero() throws Exception {
        isrGrowsToTwo();
        assertThrows(OutOfOrderSequenceException.class, () -> leader.appendAsLeader(batch(PID, (short) 0, 17, 2), (short) -1),
                "Kafka 4.5's rule (KAFKA-15591)");
        assertEquals(0, leader.appendAsLeader(batch(PID, (short) 0, 0, 17), (short) -1).firstOffset());
        assertEquals(17, leader.appendAsLeader(batch(PID, (short) 0, 17, 2), (short) -1).firstOffset());
        assertEquals(19, leader.appendAsLeader(batch(777L, (short) 0, 40, 1), (short) -1).firstOffset(),
                "once the log has held records, an unknown producer may start anywhere (KIP-360: its state may have expired)");
    }

    @Test
    void aNewLeaderTermForgetsRefusalsOfTheLastOne() throws Exception {
        leader.appendAsLeader(batch(999L, (short) 0, 0, 1), (short) 1);
        assertThrows(NotEnoughReplicasException.class, () -> leader.appendAsLeader(batch(PID, (short) 0, 0, 3), (short) -1));
        leader.update(new PartitionRegistration(List.of(1, 2, 3), List.of(1, 2), 1, 1, 1), time.milliseconds());
        assertDoesNotThrow(() -> leader.appendAsLeader(batch(PID, (short) 0, 3, 1), (short) -1),
                "as in Kafka, a leader of a new term accepts any first sequence from a producer it holds no state for");
    }

    @Test
    void refusalsAreForgottenAfterTheClientsDeliveryTimeoutAndBeyondTheCap() {
        AtomicLong now = new AtomicLong(0);
        FirstSequenceGuard g = new FirstSequenceGuard(now::get);
        List<RecordBatch> refused = batches(batch(PID, (short) 0, 0, 3));
        List<RecordBatch> later = batches(batch(PID, (short) 0, 3, 1));
        g.refused(refused, pid -> false);
        assertThrows(OutOfOrderSequenceException.class, () -> g.check(later, pid -> false, false));
        now.addAndGet(FirstSequenceGuard.MEMORY_MS);
        assertDoesNotThrow(() -> g.check(later, pid -> false, false));

        for (long pid = 0; pid < FirstSequenceGuard.MAX_PRODUCERS + 10; pid++) {
            g.refused(batches(batch(pid, (short) 0, 0, 1)), p -> false);
        }
        assertEquals(FirstSequenceGuard.MAX_PRODUCERS, g.remembered());
        assertDoesNotThrow(() -> g.check(batches(batch(0L, (short) 0, 5, 1)), p -> false, false), "the oldest was forgotten");
        long newest = FirstSequenceGuard.MAX_PRODUCERS + 9;
        assertThrows(OutOfOrderSequenceException.class, () -> g.check(batches(batch(newest, (short) 0, 5, 1)), p -> false, false));
    }

    private static List<RecordBatch> batches(MemoryRecords records) {
        List<RecordBatch> out = new ArrayList<>();
        records.batches().forEach(out::add);
        return out;
    }
}
