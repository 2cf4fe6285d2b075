package org.tributary.jca;

import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The consumed position of the record an MDB is handling on this thread, offered to the Kafka
 * transaction the container runs the delivery in (KIP-447's consume-transform-produce loop in
 * Jakarta EE form). The inbound side opens it around one endpoint call; the first local
 * transaction the <em>container</em> begins on a transactional connection of this adapter during
 * the call claims it, commits the position with {@code sendOffsetsToTransaction(offsets,
 * groupMetadata)} in the same Kafka transaction as the records the MDB sent, and reports the
 * outcome here. So what an MDB sends and the input it consumed become visible together or not at
 * all, and the consumer group's generation in the metadata fences a consumer that lost its
 * partitions (the commit then fails and the delivery is redelivered by the new owner).
 *
 * <p>Bound to the delivering thread: the container calls the endpoint, begins and completes its
 * transaction on the thread the adapter delivers on. An application's own local transaction never
 * claims it, and nothing claims it outside an endpoint call.
 */
public final class ConsumedInTransaction {
    private static final ThreadLocal<ConsumedInTransaction> CURRENT = new ThreadLocal<>();

    /** What happened to the position by the time the endpoint call returned. */
    public enum Outcome {
        /** No container transaction on a transactional connection took it: commit it as usual. */
        NOT_CLAIMED,
        /** Committed in the Kafka transaction with what the MDB sent. */
        COMMITTED,
        /** Claimed, and the transaction was rolled back or has not completed: the record was not processed. */
        NOT_COMMITTED
    }

    private final Map<TopicPartition, OffsetAndMetadata> offsets;
    private final ConsumerGroupMetadata group;
    private volatile boolean claimed;
    private volatile boolean committed;

    private ConsumedInTransaction(Map<TopicPartition, OffsetAndMetadata> offsets, ConsumerGroupMetadata group) {
        this.offsets = Map.copyOf(offsets);
        this.group = group;
    }

    /**
     * Opens the position of one delivery on this thread: after the record at {@code offset} of
     * {@code tp}, the group reads from {@code offset + 1}. Close it when the endpoint call returns.
     */
    public static ConsumedInTransaction open(TopicPartition tp, long offset, ConsumerGroupMetadata group) {
        if (CURRENT.get() != null) {
            throw new IllegalStateException("a delivery is already open on this thread");
        }
        ConsumedInTransaction c = new ConsumedInTransaction(Map.of(tp, new OffsetAndMetadata(offset + 1)), group);
        CURRENT.set(c);
        return c;
    }

    /**
     * For a local transaction the container begins on this thread: the open delivery's position,
     * which from now on belongs to that transaction, or {@code null} when there is no delivery or
     * another transaction took it.
     */
    public static ConsumedInTransaction claim() {
        ConsumedInTransaction c = CURRENT.get();
        if (c == null || c.claimed) {
            return null;
        }
        c.claimed = true;
        return c;
    }

    public Map<TopicPartition, OffsetAndMetadata> offsets() {
        return offsets;
    }

    public ConsumerGroupMetadata groupMetadata() {
        return group;
    }

    /** The claiming transaction committed, with the position in it. */
    public void committed() {
        committed = true;
    }

    public Outcome outcome() {
        return !claimed ? Outcome.NOT_CLAIMED : committed ? Outcome.COMMITTED : Outcome.NOT_COMMITTED;
    }

    /** Ends the delivery on this thread; returns its outcome. */
    public Outcome close() {
        if (CURRENT.get() == this) {
            CURRENT.remove();
        }
        return outcome();
    }
}
