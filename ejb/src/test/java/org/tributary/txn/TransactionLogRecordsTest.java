package org.tributary.txn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.coordinator.transaction.generated.TransactionLogKey;
import org.apache.kafka.coordinator.transaction.generated.TransactionLogValue;
import org.junit.jupiter.api.Test;

/** Our {@code __transaction_state} records against Kafka's own generated record classes (test scope only). */
class TransactionLogRecordsTest {
    @Test
    void keyIsKafkasVersionZeroKey() {
        ByteBuffer b = ByteBuffer.wrap(TransactionLogRecords.key("my-txn-é"));
        assertEquals(0, b.getShort());
        assertEquals("my-txn-é", new TransactionLogKey(new ByteBufferAccessor(b), (short) 0).transactionalId());
        byte[] kafkas = MessageUtil.toVersionPrefixedBytes((short) 0, new TransactionLogKey().setTransactionalId("x"));
        assertEquals("x", TransactionLogRecords.transactionalId(kafkas));
    }

    @Test
    void kafkaReadsOurValue() {
        TxnSnapshot s = new TxnSnapshot(4242L, -1L, (short) 7, (short) -1, 60_000, TxnState.PREPARE_COMMIT,
                Set.of(new TopicPartition("a", 0), new TopicPartition("a", 3), new TopicPartition("b", 1)), 1000L, 2000L);
        ByteBuffer b = ByteBuffer.wrap(TransactionLogRecords.value(s));
        assertEquals(0, b.getShort());
        TransactionLogValue v = new TransactionLogValue(new ByteBufferAccessor(b), (short) 0);
        assertEquals(4242L, v.producerId());
        assertEquals(7, v.producerEpoch());
        assertEquals(60_000, v.transactionTimeoutMs());
        assertEquals(2, v.transactionStatus());
        assertEquals(2000L, v.transactionLastUpdateTimestampMs());
        assertEquals(1000L, v.transactionStartTimestampMs());
        assertEquals(2, v.transactionPartitions().size());
        assertEquals("a", v.transactionPartitions().get(0).topic());
        assertEquals(Set.of(0, 3), Set.copyOf(v.transactionPartitions().get(0).partitionIds()));
        assertEquals(List.of(1), v.transactionPartitions().get(1).partitionIds());
        assertEquals(s, TransactionLogRecords.parseValue(TransactionLogRecords.value(s)));
    }

    @Test
    void emptyStateHasNullPartitionsAsKafkaWrites() {
        TxnSnapshot s = new TxnSnapshot(1L, -1L, (short) 0, (short) -1, 1000, TxnState.EMPTY, Set.of(), -1L, 5L);
        ByteBuffer b = ByteBuffer.wrap(TransactionLogRecords.value(s));
        b.getShort();
        assertNull(new TransactionLogValue(new ByteBufferAccessor(b), (short) 0).transactionPartitions());
        assertEquals(s, TransactionLogRecords.parseValue(TransactionLogRecords.value(s)));
    }

    @Test
    void readsKafkasFlexibleVersionOne() {
        TransactionLogValue v = new TransactionLogValue().setProducerId(9L).setPreviousProducerId(8L).setNextProducerId(10L)
                .setProducerEpoch((short) 3).setTransactionTimeoutMs(1234).setTransactionStatus((byte) 1)
                .setTransactionPartitions(List.of(new TransactionLogValue.PartitionsSchema().setTopic("t").setPartitionIds(List.of(0, 2))))
                .setTransactionLastUpdateTimestampMs(77L).setTransactionStartTimestampMs(66L).setClientTransactionVersion((short) 2);
        TxnSnapshot s = TransactionLogRecords.parseValue(MessageUtil.toVersionPrefixedBytes((short) 1, v));
        assertEquals(new TxnSnapshot(9L, 8L, (short) 3, (short) -1, 1234, TxnState.ONGOING,
                Set.of(new TopicPartition("t", 0), new TopicPartition("t", 2)), 66L, 77L), s);
    }
}
