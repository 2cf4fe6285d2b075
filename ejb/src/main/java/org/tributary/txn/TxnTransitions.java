package org.tributary.txn;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * The transaction coordinator's rules as pure functions of (current state, request, time): each
 * returns a {@link Decision}: an error to answer at once, or the snapshot to write to
 * {@code __transaction_state} (and what follows once it is durable). No I/O, no locks: the
 * {@link TransactionCoordinator} applies decisions. Follows Kafka's TransactionCoordinator and
 * TransactionMetadata (transaction version 1: the epoch is bumped by InitProducerId and by a
 * coordinator abort, not by every EndTxn).
 */
final class TxnTransitions {
    /** The last epochs usable before the producer id must change (Kafka: {@code Short.MAX_VALUE - 1}). */
    static final short MAX_EPOCH = Short.MAX_VALUE - 1;

    /** What to do once {@link Decision#next} is durable. */
    enum Then {
        /** Answer the request with the decision's error (NONE) and the new state. */
        ANSWER,
        /** Answer (NONE), then write the markers of the prepared transaction. */
        ANSWER_THEN_MARKERS,
        /** Write the markers of the prepared (fencing) abort; the client is answered CONCURRENT_TRANSACTIONS. */
        MARKERS_ANSWER_CONCURRENT
    }

    /** An error with nothing to write ({@code next} null), or a snapshot to write then {@code then}. */
    record Decision(Errors error, TxnSnapshot next, Then then) {
        static Decision error(Errors e) {
            return new Decision(e, null, Then.ANSWER);
        }

        static Decision write(TxnSnapshot next, Then then) {
            return new Decision(Errors.NONE, next, then);
        }

        boolean writes() {
            return next != null;
        }
    }

    private TxnTransitions() {
    }

    static boolean exhausted(short epoch) {
        return epoch >= MAX_EPOCH;
    }

    /**
     * InitProducerId for a transactional id ({@code current} null: unknown so far).
     * {@code expectedProducerId} -1 when the request carries none (KIP-360 recovery otherwise).
     */
    static Decision initProducerId(TxnSnapshot current, boolean pending, int timeoutMs, long expectedProducerId, short expectedEpoch,
            long now, LongSupplier newProducerId) {
        boolean expected = expectedProducerId != RecordBatch.NO_PRODUCER_ID;
        if (current == null) {
            current = new TxnSnapshot(newProducerId.getAsLong(), -1L, RecordBatch.NO_PRODUCER_EPOCH, RecordBatch.NO_PRODUCER_EPOCH,
                    timeoutMs, TxnState.EMPTY, Set.of(), -1L, now);
        } else if (pending) {
            return Decision.error(Errors.CONCURRENT_TRANSACTIONS);
        }
        if (expected && !validProducerId(current, expectedProducerId, expectedEpoch)) {
            return Decision.error(Errors.PRODUCER_FENCED);
        }
        switch (current.state()) {
            case PREPARE_COMMIT, PREPARE_ABORT -> {
                return Decision.error(Errors.CONCURRENT_TRANSACTIONS);
            }
            case ONGOING -> {
                // abort the previous epoch's transaction first; this epoch is never returned to a client
                return Decision.write(fenceAndAbort(current, now), Then.MARKERS_ANSWER_CONCURRENT);
            }
            case EMPTY, COMPLETE_COMMIT, COMPLETE_ABORT -> {
                if (exhausted(current.epoch()) && (!expected || expectedEpoch == current.epoch())) {
                    short last = expected ? current.epoch() : RecordBatch.NO_PRODUCER_EPOCH;
                    return Decision.write(new TxnSnapshot(newProducerId.getAsLong(), current.producerId(), (short) 0, last, timeoutMs,
                            TxnState.EMPTY, Set.of(), -1L, now), Then.ANSWER);
                }
                short bumped = (short) (current.epoch() + 1);
                short epoch;
                short last;
                if (!expected) {
                    epoch = bumped;
                    last = RecordBatch.NO_PRODUCER_EPOCH;
                } else if (expectedEpoch == RecordBatch.NO_PRODUCER_EPOCH || expectedEpoch == current.epoch()) {
                    epoch = bumped;
                    last = current.epoch();
                } else if (current.lastEpoch() != RecordBatch.NO_PRODUCER_EPOCH && expectedEpoch == current.lastEpoch()) {
                    epoch = current.epoch(); // a retry of a bump whose answer was lost
                    last = current.lastEpoch();
                } else {
                    return Decision.error(Errors.PRODUCER_FENCED);
                }
                return Decision.write(new TxnSnapshot(current.producerId(), current.previousProducerId(), epoch, last, timeoutMs,
                        TxnState.EMPTY, Set.of(), -1L, now), Then.ANSWER);
            }
            default -> {
                return Decision.error(Errors.UNKNOWN_SERVER_ERROR);
            }
        }
    }

    /**
     * Kafka's check of a producer id and epoch sent by a recovering producer: valid when the
     * transactional id is new (epoch -1), the id is the current one, or it is the previous one and
     * its epoch was exhausted (a retry of the rotation).
     */
    private static boolean validProducerId(TxnSnapshot t, long producerId, short epoch) {
        return t.epoch() == RecordBatch.NO_PRODUCER_EPOCH || producerId == t.producerId()
                || (producerId == t.previousProducerId() && exhausted(epoch));
    }

    /** The ongoing transaction aborted by the coordinator with the epoch bumped, so its producer is fenced. */
    static TxnSnapshot fenceAndAbort(TxnSnapshot t, long now) {
        short epoch = t.epoch() < Short.MAX_VALUE ? (short) (t.epoch() + 1) : t.epoch();
        return t.withEpoch(epoch, t.epoch()).to(TxnState.PREPARE_ABORT, t.partitions(), t.startMs(), now);
    }

    /** Checks shared by AddPartitionsToTxn, AddOffsetsToTxn and EndTxn: the producer id and epoch, and no write in flight. */
    private static Errors checkProducer(TxnSnapshot current, boolean pending, long producerId, short epoch) {
        if (current == null || current.producerId() != producerId) {
            return Errors.INVALID_PRODUCER_ID_MAPPING;
        }
        if (current.epoch() != epoch) {
            return Errors.PRODUCER_FENCED;
        }
        return pending ? Errors.CONCURRENT_TRANSACTIONS : Errors.NONE;
    }

    /** AddPartitionsToTxn (and AddOffsetsToTxn with the group's offsets partition). */
    static Decision addPartitions(TxnSnapshot current, boolean pending, long producerId, short epoch, Set<TopicPartition> partitions,
            long now) {
        Errors e = checkProducer(current, pending, producerId, epoch);
        if (e != Errors.NONE) {
            return Decision.error(e);
        }
        if (current.state().preparing()) {
            return Decision.error(Errors.CONCURRENT_TRANSACTIONS);
        }
        if (current.state() == TxnState.ONGOING) {
            if (current.partitions().containsAll(partitions)) {
                return Decision.error(Errors.NONE); // nothing new to write
            }
            Set<TopicPartition> all = new HashSet<>(current.partitions());
            all.addAll(partitions);
            return Decision.write(current.to(TxnState.ONGOING, all, current.startMs(), now), Then.ANSWER);
        }
        if (current.state().idle()) {
            return Decision.write(current.to(TxnState.ONGOING, partitions, now, now), Then.ANSWER);
        }
        return Decision.error(Errors.INVALID_TXN_STATE);
    }

    /**
     * AddPartitionsToTxn v4+ with verify_only: whether each partition is in the ongoing transaction
     * (KIP-890); one that is not answers TRANSACTION_ABORTABLE, as Kafka's coordinator (the leader
     * tells older clients INVALID_TXN_STATE).
     */
    static Map<TopicPartition, Errors> verify(TxnSnapshot current, boolean pending, long producerId, short epoch,
            Set<TopicPartition> partitions) {
        Errors e = checkProducer(current, pending, producerId, epoch);
        if (e == Errors.NONE && current.state().preparing()) {
            e = Errors.CONCURRENT_TRANSACTIONS;
        }
        Map<TopicPartition, Errors> out = new LinkedHashMap<>();
        for (TopicPartition tp : partitions) {
            out.put(tp, e != Errors.NONE ? e
                    : current.state() == TxnState.ONGOING && current.partitions().contains(tp) ? Errors.NONE : Errors.TRANSACTION_ABORTABLE);
        }
        return out;
    }

    /** EndTxn from the client: Ongoing moves to PrepareCommit/PrepareAbort; retries of a finished end are answered as Kafka answers them. */
    static Decision endTxn(TxnSnapshot current, boolean pending, long producerId, short epoch, boolean commit, long now) {
        Errors e = checkProducer(current, pending, producerId, epoch);
        if (e != Errors.NONE) {
            return Decision.error(e);
        }
        return switch (current.state()) {
            case ONGOING -> Decision.write(current.to(commit ? TxnState.PREPARE_COMMIT : TxnState.PREPARE_ABORT, current.partitions(),
                    current.startMs(), now), Then.ANSWER_THEN_MARKERS);
            case COMPLETE_COMMIT -> Decision.error(commit ? Errors.NONE : Errors.INVALID_TXN_STATE);
            case COMPLETE_ABORT -> Decision.error(commit ? Errors.INVALID_TXN_STATE : Errors.NONE);
            case PREPARE_COMMIT -> Decision.error(commit ? Errors.CONCURRENT_TRANSACTIONS : Errors.INVALID_TXN_STATE);
            case PREPARE_ABORT -> Decision.error(commit ? Errors.INVALID_TXN_STATE : Errors.CONCURRENT_TRANSACTIONS);
            default -> Decision.error(Errors.INVALID_TXN_STATE);
        };
    }

    /** Every marker of a prepared transaction is written: CompleteCommit or CompleteAbort, no partitions. */
    static TxnSnapshot complete(TxnSnapshot prepared, long now) {
        return prepared.to(prepared.state() == TxnState.PREPARE_COMMIT ? TxnState.COMPLETE_COMMIT : TxnState.COMPLETE_ABORT, Set.of(),
                prepared.startMs(), now);
    }

    /**
     * An ongoing transaction past its timeout, with no write in flight: the coordinator aborts it.
     * Never a two-phase-commit transaction ({@link TwoPhaseCommit}): its external manager decides.
     */
    static boolean timedOut(TxnSnapshot t, boolean pending, long now) {
        return !pending && t.state() == TxnState.ONGOING && !TwoPhaseCommit.isTwoPhase(t) && t.startMs() + t.timeoutMs() < now;
    }

    /** An idle transactional id unused for {@code transactional.id.expiration.ms}: removed (tombstone). */
    static boolean expired(TxnSnapshot t, boolean pending, long now, long expirationMs) {
        return !pending && t.state().idle() && t.updateMs() + expirationMs <= now;
    }
}
