package org.tributary.coordinator;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.protocol.Errors;

/**
 * Where a coordinator keeps its state: the partitions of one compacted internal topic
 * ({@code __consumer_offsets}, {@code __transaction_state}) holding keyed records, a null value
 * being a tombstone. Implemented over the broker's partitions in the protocol layer, in memory in
 * tests.
 *
 * <p>Writes are acks=all: {@link #append} writes locally as leader (refused while the ISR is
 * below {@code min.insync.replicas}), {@link #awaitCommitted} says when the high watermark covers
 * the write. Only then is it committed: a write above the high watermark can still be truncated
 * away if the leadership moves.
 */
public interface CoordinatorLog {
    /** A key and value (value null: tombstone). */
    record Entry(byte[] key, byte[] value) {
    }

    /** Where an append landed: its first offset, the offset after it, and the leader epoch it was written in. */
    record Appended(long baseOffset, long nextOffset, int leaderEpoch) {
    }

    /**
     * Transaction verification (KIP-890) of a write in a producer's transaction: {@link #UNCHECKED}
     * when verification is off; else {@code checked}, and the write must find the producer's
     * transaction still open on the partition or bring {@code guard}, the one the partition handed
     * out when verification started (null: the transaction was already open then). A marker in
     * between refuses the write (INVALID_TXN_STATE) instead of letting it open a transaction no
     * marker would end.
     */
    record TxnVerification(boolean checked, Object guard) {
        public static final TxnVerification UNCHECKED = new TxnVerification(false, null);

        /** Checked, with the partition's guard (null when none was needed). */
        public static TxnVerification withGuard(Object guard) {
            return new TxnVerification(true, guard);
        }
    }

    /** Receives a replayed partition: first where it starts to be uncommitted, then each record, oldest first. */
    interface Replay {
        /** Before any record: records at or above {@code highWatermark} were not yet committed when the replay began. */
        void begin(long highWatermark, int leaderEpoch);

        void record(long offset, byte[] key, byte[] value);

        /**
         * A record with its batch's producer: {@code producerId} -1 for a plain write, else the
         * producer that wrote it, {@code transactional} when it belongs to a transaction (visible
         * only once a COMMIT marker of that producer follows). Defaults to {@link #record(long, byte[], byte[])}.
         */
        default void record(long offset, byte[] key, byte[] value, long producerId, boolean transactional) {
            record(offset, key, value);
        }

        /** A transaction marker (control batch) of {@code producerId} at {@code offset}; ignored by default. */
        default void marker(long offset, long producerId, boolean commit) {
        }
    }

    /**
     * Partitions of the internal topic: the existing topic's count, else the configured one (a
     * changed partition count setting must not move existing keys).
     */
    int partitionCount();

    /** Creates the internal topic if it does not exist yet (FindCoordinator's first use). */
    void createIfMissing();

    /** The leader epoch of partition {@code partition} if this broker leads it now, else -1. Cheap. */
    int leaderEpoch(int partition);

    /** Appends to the partition as leader; throws when the write fails or is refused (not leader, too few in-sync replicas). */
    Appended append(int partition, List<Entry> entries) throws IOException;

    /**
     * Appends to the partition as leader in the transaction of {@code producerId} at
     * {@code producerEpoch} (KIP-98 TxnOffsetCommit): a transactional batch, checked for the
     * producer's epoch only, which opens the producer's transaction on the partition so that its
     * marker closes it. Throws as {@link #append}; unsupported by default.
     */
    default Appended appendTransactional(int partition, List<Entry> entries, long producerId, short producerEpoch) throws IOException {
        throw new UnsupportedOperationException("transactional writes are not supported by this log");
    }

    /**
     * As {@link #appendTransactional(int, List, long, short)}, checked as {@code verification}
     * says. By default only unchecked writes are supported.
     *
     * @throws org.apache.kafka.common.errors.InvalidTxnStateException a checked write whose
     *         producer has no transaction open on the partition and brings no current guard
     */
    default Appended appendTransactional(int partition, List<Entry> entries, long producerId, short producerEpoch,
            TxnVerification verification) throws IOException {
        if (verification.checked()) {
            throw new UnsupportedOperationException("verified transactional writes are not supported by this log");
        }
        return appendTransactional(partition, entries, producerId, producerEpoch);
    }

    /**
     * Completes once the partition's high watermark reaches {@code offset} in leader epoch
     * {@code leaderEpoch} (NONE, or NOT_ENOUGH_REPLICAS_AFTER_APPEND when the ISR shrank below
     * {@code min.insync.replicas} meanwhile), with NOT_LEADER_OR_FOLLOWER when the leadership moved,
     * or REQUEST_TIMED_OUT after {@code timeoutMs}. Never blocks; may complete on any thread.
     */
    CompletableFuture<Errors> awaitCommitted(int partition, long offset, int leaderEpoch, long timeoutMs);

    /**
     * Reads the partition this broker leads from its start up to its log end; returns the end
     * offset read (exclusive). Throws when this broker does not lead the partition.
     */
    long replay(int partition, Replay replay) throws IOException;

    /** Kafka's {@code Utils.abs(key.hashCode()) % partitions}: the partition a coordinator key belongs to. */
    static int partitionFor(String key, int partitions) {
        int h = key.hashCode();
        return (h == Integer.MIN_VALUE ? 0 : Math.abs(h)) % partitions;
    }
}
