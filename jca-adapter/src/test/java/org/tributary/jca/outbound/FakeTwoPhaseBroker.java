package org.tributary.jca.outbound;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * What a KIP-939 broker keeps per transactional id, for XA tests without a broker: the prepared
 * transaction that survives a producer's death, and the records committed.
 */
final class FakeTwoPhaseBroker {
    final Map<String, TwoPhase.State> prepared = new ConcurrentHashMap<>();
    final Map<String, Integer> committedTxns = new ConcurrentHashMap<>();
    final Map<String, Integer> abortedTxns = new ConcurrentHashMap<>();
    private final AtomicLong producerIds = new AtomicLong(1000);

    /** A producer on this broker; {@code fenced} makes its commit fail as if another producer took its id. */
    Producer producer(String tid) {
        return new Producer(tid);
    }

    final class Producer extends TxnProducer {
        final MockProducer<byte[], byte[]> mock;
        volatile boolean fenced;

        Producer(String tid) {
            this(tid, new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer()));
        }

        private Producer(String tid, MockProducer<byte[], byte[]> mock) {
            super(tid, mock);
            this.mock = mock;
        }

        @Override
        void init() {
            mock.initTransactions();
            if (prepared.remove(transactionalId()) != null) { // a plain init aborts what was kept
                abortedTxns.merge(transactionalId(), 1, Integer::sum);
            }
        }

        @Override
        TwoPhase.State initKeepingPrepared() {
            mock.initTransactions();
            TwoPhase.State s = prepared.get(transactionalId());
            if (s != null) {
                mock.beginTransaction(); // the kept transaction is this producer's now
            }
            return s;
        }

        @Override
        int initProducerIdVersion() {
            return 6;
        }

        @Override
        TwoPhase.State prepare() {
            mock.flush();
            TwoPhase.State s = new TwoPhase.State(producerIds.incrementAndGet(), (short) 0);
            prepared.put(transactionalId(), s);
            return s;
        }

        @Override
        void commit() {
            if (fenced) {
                throw new ProducerFencedException("fenced by a newer producer of " + transactionalId());
            }
            mock.commitTransaction();
            prepared.remove(transactionalId());
            committedTxns.merge(transactionalId(), 1, Integer::sum);
        }

        @Override
        void abort() {
            mock.abortTransaction();
            prepared.remove(transactionalId());
            abortedTxns.merge(transactionalId(), 1, Integer::sum);
        }

        @Override
        public void close() {
            mock.close();
        }
    }
}
