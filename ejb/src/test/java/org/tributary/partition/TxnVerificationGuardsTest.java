package org.tributary.partition;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;
import org.tributary.txn.ProducerStateManager;

/** The per-partition verification guards of KIP-890: who must verify, what spends a guard, the lowest sequence. */
class TxnVerificationGuardsTest {
    private static final long PID = 7L;
    private final ProducerStateManager producers = new ProducerStateManager();
    private final TxnVerificationGuards guards = new TxnVerificationGuards(producers);

    private static List<MutableRecordBatch> txnBatch(long pid, short epoch, int seq) {
        MemoryRecords r = MemoryRecords.withTransactionalRecords(Compression.NONE, pid, epoch, seq,
                new SimpleRecord(1L, "k".getBytes(StandardCharsets.UTF_8), "v".getBytes(StandardCharsets.UTF_8)));
        return List.of(r.batches().iterator().next());
    }

    @Test
    void aBatchOpeningATransactionNeedsTheGuardItsVerificationGot() {
        Object guard = guards.start(PID, 0, (short) 0, 1_000L);
        assertNotSame(TxnVerificationGuards.NONE, guard);
        assertThrows(InvalidTxnStateException.class, () -> guards.check(txnBatch(PID, (short) 0, 0), TxnVerificationGuards.NONE),
                "no verification: refused");
        assertThrows(InvalidTxnStateException.class, () -> guards.check(txnBatch(PID, (short) 0, 0), new Object()));
        assertDoesNotThrow(() -> guards.check(txnBatch(PID, (short) 0, 0), guard));
    }

    @Test
    void aMarkerOrAnAppendSpendsTheGuard() {
        Object guard = guards.start(PID, 0, (short) 0, 1_000L);
        assertSame(guard, guards.start(PID, 0, (short) 0, 1_001L), "a retry shares the waiting verification");
        guards.clear(PID); // the transaction ended (marker) while the verified batch was on its way
        assertThrows(InvalidTxnStateException.class, () -> guards.check(txnBatch(PID, (short) 0, 0), guard));
    }

    @Test
    void anOpenTransactionNeedsNoVerification() {
        producers.record(txnBatch(PID, (short) 3, 0).get(0), 0L, 0L);
        assertSame(TxnVerificationGuards.NONE, guards.start(PID, 1, (short) 3, 1_000L));
        assertDoesNotThrow(() -> guards.check(txnBatch(PID, (short) 3, 1), TxnVerificationGuards.NONE));
        assertNotSame(TxnVerificationGuards.NONE, guards.start(PID, 0, (short) 4, 1_000L), "a new epoch is another transaction");
    }

    @Test
    void aHigherSequenceWaitsForTheLowestOneBeingVerified() {
        Object guard = guards.start(PID, 5, (short) 0, 1_000L);
        guards.start(PID, 3, (short) 0, 1_000L);
        assertThrows(OutOfOrderSequenceException.class, () -> guards.check(txnBatch(PID, (short) 0, 5), guard));
        assertDoesNotThrow(() -> guards.check(txnBatch(PID, (short) 0, 3), guard));
        guards.start(PID, 9, (short) 1, 1_000L); // a bumped epoch starts over
        assertDoesNotThrow(() -> guards.check(txnBatch(PID, (short) 1, 9), guard));
    }

    @Test
    void unusedGuardsExpireWithTheProducerExpiration() {
        assertNotNull(guards.start(PID, 0, (short) 0, 1_000L));
        guards.expire(1_500L, 1_000L);
        assertEquals(1, guards.size());
        guards.expire(2_000L, 1_000L);
        assertEquals(0, guards.size());
    }
}
