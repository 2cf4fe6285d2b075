package org.tributary.group;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/** What a group's client is told when a write to {@code __consumer_offsets} failed. */
class WriteErrorMappingTest {

    private static Errors told(Throwable failure) {
        return OffsetsWriter.clientError(OffsetsWriter.appendError(failure));
    }

    @Test
    void aWriteRefusedBecauseTheBrokerIsStoppingSendsTheClientToTheNextCoordinator() {
        assertEquals(Errors.NOT_COORDINATOR, told(new RejectedExecutionException("pool stopped")));
        assertEquals(Errors.NOT_COORDINATOR, told(new CompletionException(new RejectedExecutionException("pool stopped"))));
    }

    @Test
    void otherFailuresKeepKafkasMapping() {
        assertEquals(Errors.NOT_COORDINATOR, told(new IOException("disk")));
        assertEquals(Errors.COORDINATOR_NOT_AVAILABLE, told(new NotEnoughReplicasException("isr")));
        assertEquals(Errors.UNKNOWN_SERVER_ERROR, told(new IllegalStateException("unexpected")));
    }

    @Test
    void aTransactionalWriteRefusedByVerificationIsPassedOnAsInvalidTxnState() {
        // Kafka's CoordinatorOperationExceptionHelper leaves INVALID_TXN_STATE as it is, whatever the version
        assertEquals(Errors.INVALID_TXN_STATE, told(new InvalidTxnStateException("Record was not part of an ongoing transaction")));
        assertEquals(Errors.INVALID_PRODUCER_EPOCH, told(new InvalidProducerEpochException("old epoch")));
    }
}
