package org.tributary.jca.outbound;

import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.TopicPartition;

/**
 * The transactional producer one managed connection owns (never shared: a Kafka producer runs one
 * transaction at a time), with its stable transactional id. The two-phase calls go through
 * {@link TwoPhase}; tests override them to drive the XA state machine without a broker.
 */
class TxnProducer implements AutoCloseable {
    private final String transactionalId;
    private final Producer<byte[], byte[]> producer;

    TxnProducer(String transactionalId, Producer<byte[], byte[]> producer) {
        this.transactionalId = transactionalId;
        this.producer = producer;
    }

    String transactionalId() {
        return transactionalId;
    }

    Producer<byte[], byte[]> producer() {
        return producer;
    }

    /** Plain {@code initTransactions()}: fences older producers and aborts what they left open. */
    void init() {
        producer.initTransactions();
    }

    /** KIP-939 {@code initTransactions(true)}: the kept transaction's state, or {@code null}. */
    TwoPhase.State initKeepingPrepared() {
        return TwoPhase.initKeepingPrepared(producer);
    }

    /** The InitProducerId version this producer and its transaction coordinator agreed on; call after init. */
    int initProducerIdVersion() {
        return TwoPhase.initProducerIdVersion(producer);
    }

    void begin() {
        producer.beginTransaction();
    }

    /** KIP-447: a consumer group's offsets in the running transaction, fenced by the group's generation. */
    void sendOffsets(Map<TopicPartition, OffsetAndMetadata> offsets, ConsumerGroupMetadata group) {
        producer.sendOffsetsToTransaction(offsets, group);
    }

    TwoPhase.State prepare() {
        return TwoPhase.prepare(producer);
    }

    void commit() {
        producer.commitTransaction();
    }

    void abort() {
        producer.abortTransaction();
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
