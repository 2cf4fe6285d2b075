package org.tributary.group;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.logging.Logger;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.protocol.Errors;

/**
 * The coordinator's writes to {@code __consumer_offsets} and what their failures mean: appends to
 * a group's partition with acks=all (plain, or in a producer's transaction), a group's metadata
 * record, and the translation of a failed append into the error a client is told, as Kafka's
 * group coordinator does it ({@link #clientError}). Separate so that every caller (membership,
 * offset commits, transactional commits, deletions, expiry, loads) writes and maps failures the
 * same single way.
 *
 * <p>Takes no lock of its own: callers hold the coordinator's. A write's outcome is taken up on
 * the coordinator's completion executor, never on the thread that moved the high watermark.
 */
final class OffsetsWriter {
    private static final Logger LOG = Logger.getLogger(OffsetsWriter.class.getName());

    private final GroupCoordinator c;

    /**
     * A write to the offsets topic: where it landed ({@code position}, -1 when the append itself
     * failed) and its acks=all outcome, the raw append error (NONE once replicated).
     */
    record Write(long position, CompletableFuture<Errors> replicated) {
    }

    OffsetsWriter(GroupCoordinator coordinator) {
        this.c = coordinator;
    }

    /** Writes the group's metadata record. */
    Write persist(ClassicGroup g) {
        return write(g.groupId, List.of(new CoordinatorLog.Entry(OffsetsTopicRecords.groupKey(g.groupId),
                OffsetsTopicRecords.groupValue(g.toStored()))));
    }

    /**
     * Appends to the group's partition with acks=all. The outcome is taken up on the completion
     * executor (callers then take the lock); a failed append completes at once, on the caller.
     */
    Write write(String groupId, List<CoordinatorLog.Entry> entries) {
        int partition = c.partitionFor(groupId);
        try {
            CoordinatorLog.Appended a = c.log.append(partition, entries);
            CompletableFuture<Errors> replicated = c.log.awaitCommitted(partition, a.nextOffset(), a.leaderEpoch(),
                    c.config.offsetCommitTimeoutMs()).handleAsync((e, ex) -> ex == null ? e : appendError(ex), c.completions);
            return new Write(a.baseOffset(), replicated);
        } catch (IOException | RuntimeException e) {
            LOG.warning("TRIB-GRP-002 cannot write group " + groupId + " to partition " + partition + " of __consumer_offsets: "
                    + e.getMessage());
            return new Write(-1L, CompletableFuture.completedFuture(appendError(e)));
        }
    }

    /**
     * As {@link #write}, in the transaction of {@code producerId} at {@code producerEpoch}
     * (TxnOffsetCommit), checked as {@code verification} says (KIP-890): a write refused because
     * the transaction ended since it was verified fails with INVALID_TXN_STATE.
     */
    Write writeTransactional(String groupId, List<CoordinatorLog.Entry> entries, long producerId, short producerEpoch,
            CoordinatorLog.TxnVerification verification) {
        int partition = c.partitionFor(groupId);
        try {
            CoordinatorLog.Appended a = c.log.appendTransactional(partition, entries, producerId, producerEpoch, verification);
            CompletableFuture<Errors> replicated = c.log.awaitCommitted(partition, a.nextOffset(), a.leaderEpoch(),
                    c.config.offsetCommitTimeoutMs()).handleAsync((e, ex) -> ex == null ? e : appendError(ex), c.completions);
            return new Write(a.baseOffset(), replicated);
        } catch (IOException | RuntimeException e) {
            // a fenced or stale producer is the client's business; anything else is worth a line
            java.util.logging.Level level = e instanceof ApiException || e instanceof java.util.concurrent.RejectedExecutionException
                    ? java.util.logging.Level.FINE : java.util.logging.Level.WARNING;
            LOG.log(level, "TRIB-GRP-009 cannot write transactional offsets of group " + groupId + " (producer " + producerId
                    + ") to partition " + partition + " of __consumer_offsets: " + e);
            return new Write(-1L, CompletableFuture.completedFuture(appendError(e)));
        }
    }

    /** The Kafka error of a failed append. */
    static Errors appendError(Throwable e) {
        Throwable t = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        if (t instanceof ApiException) {
            return Errors.forException(t);
        }
        if (t instanceof java.util.concurrent.RejectedExecutionException) {
            return Errors.NOT_LEADER_OR_FOLLOWER; // the broker is shutting down: the client finds the next coordinator
        }
        return t instanceof IOException || t instanceof UncheckedIOException ? Errors.KAFKA_STORAGE_ERROR : Errors.UNKNOWN_SERVER_ERROR;
    }

    /**
     * What a client is told when a write to the offsets topic failed, as Kafka's group coordinator
     * translates append errors (GroupCoordinatorService / GroupMetadataManager): retriable
     * replication trouble is COORDINATOR_NOT_AVAILABLE, a lost leadership or storage NOT_COORDINATOR.
     */
    static Errors clientError(Errors appendError) {
        return switch (appendError) {
            case UNKNOWN_TOPIC_OR_PARTITION, NOT_ENOUGH_REPLICAS, NOT_ENOUGH_REPLICAS_AFTER_APPEND, REQUEST_TIMED_OUT ->
                    Errors.COORDINATOR_NOT_AVAILABLE;
            case NOT_LEADER_OR_FOLLOWER, KAFKA_STORAGE_ERROR -> Errors.NOT_COORDINATOR;
            case MESSAGE_TOO_LARGE, RECORD_LIST_TOO_LARGE, INVALID_FETCH_SIZE -> Errors.UNKNOWN_SERVER_ERROR;
            default -> appendError;
        };
    }
}
