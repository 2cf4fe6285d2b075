package org.tributary.txn;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;

/**
 * The markers of prepared transactions, as Kafka's TransactionMarkerChannelManager: each
 * PrepareCommit/PrepareAbort that became durable (or was found on load) sends its markers through
 * the {@link TxnMarkerSender}; partitions that answer a retriable error (leader moved, too few
 * replicas, timeout) are sent again after a backoff, partitions of deleted topics are skipped, and
 * once every partition is done CompleteCommit/CompleteAbort is written. An answer saying this
 * coordinator was fenced (a newer coordinator epoch) stops the job: the new coordinator resumes it.
 *
 * <p>Guarded by the coordinator's lock.
 */
final class TxnMarkers {
    private static final Logger LOG = Logger.getLogger(TxnMarkers.class.getName());

    private final TransactionCoordinator c;
    private final TxnMarkerSender sender;
    private final Map<String, Job> jobs = new HashMap<>();

    /** One prepared transaction's markers: the partitions not yet written, and when to try again (0: not waiting). */
    private static final class Job {
        final TransactionCoordinator.TxnEntry txn;
        final TxnSnapshot prepared;
        final Set<TopicPartition> remaining;
        boolean inFlight;
        long retryAt;

        Job(TransactionCoordinator.TxnEntry txn, TxnSnapshot prepared) {
            this.txn = txn;
            this.prepared = prepared;
            this.remaining = new HashSet<>(prepared.partitions());
        }
    }

    TxnMarkers(TransactionCoordinator coordinator, TxnMarkerSender sender) {
        this.c = coordinator;
        this.sender = sender;
    }

    /** Starts writing the markers of {@code prepared}, the durable state of {@code txn}. */
    void start(TransactionCoordinator.TxnEntry txn, TxnSnapshot prepared) {
        Job job = new Job(txn, prepared);
        jobs.put(txn.id, job);
        next(job);
    }

    /** Transactions whose markers are still being written. */
    int pending() {
        return jobs.size();
    }

    private boolean live(Job job) {
        return jobs.get(job.txn.id) == job && c.txns.get(job.txn.id) == job.txn && job.txn.current == job.prepared;
    }

    private void next(Job job) {
        if (job.remaining.isEmpty()) {
            writeComplete(job);
            return;
        }
        job.inFlight = true;
        TxnMarkerSender.Markers m = new TxnMarkerSender.Markers(job.prepared.producerId(), job.prepared.epoch(),
                job.prepared.state() == TxnState.PREPARE_COMMIT, job.txn.coordinatorEpoch, Set.copyOf(job.remaining));
        sender.send(m).handleAsync((answers, ex) -> {
            synchronized (c) {
                job.inFlight = false;
                if (!live(job)) {
                    return null;
                }
                if (ex != null) {
                    LOG.fine(() -> "markers for " + job.txn.id + " failed: " + ex);
                } else if (!take(job, answers)) {
                    jobs.remove(job.txn.id);
                    return null;
                }
                if (job.remaining.isEmpty()) {
                    writeComplete(job);
                } else {
                    job.retryAt = c.time.milliseconds() + c.config.markerRetryBackoffMs();
                }
            }
            return null;
        }, c.completions);
    }

    /** Takes the per-partition answers; false when this coordinator was fenced and must stop. */
    private boolean take(Job job, Map<TopicPartition, Errors> answers) {
        for (Map.Entry<TopicPartition, Errors> a : answers.entrySet()) {
            switch (a.getValue()) {
                case NONE -> job.remaining.remove(a.getKey());
                case NOT_LEADER_OR_FOLLOWER, NOT_ENOUGH_REPLICAS, NOT_ENOUGH_REPLICAS_AFTER_APPEND, REQUEST_TIMED_OUT,
                        KAFKA_STORAGE_ERROR, LEADER_NOT_AVAILABLE, COORDINATOR_LOAD_IN_PROGRESS, NETWORK_EXCEPTION -> {
                    // sent again after the backoff, to whoever leads then
                }
                case INVALID_PRODUCER_EPOCH, TRANSACTION_COORDINATOR_FENCED -> {
                    LOG.info(() -> "TRIB-TXN-004 markers of " + job.txn.id + " stopped: " + a.getKey() + " answered " + a.getValue()
                            + " (a newer coordinator epoch owns the transaction)");
                    return false;
                }
                case UNKNOWN_TOPIC_OR_PARTITION -> job.remaining.remove(a.getKey()); // the topic was deleted
                default -> {
                    LOG.warning("TRIB-TXN-005 marker for " + job.txn.id + " on " + a.getKey() + " skipped: " + a.getValue());
                    job.remaining.remove(a.getKey());
                }
            }
        }
        return true;
    }

    /** Every marker written: CompleteCommit/CompleteAbort, retried while the in-sync replicas are too few. */
    private void writeComplete(Job job) {
        if (!live(job) || job.txn.pending != null) {
            job.retryAt = c.time.milliseconds() + c.config.markerRetryBackoffMs();
            return;
        }
        job.inFlight = true;
        c.write(job.txn, TxnTransitions.complete(job.prepared, c.time.milliseconds())).thenAccept(e -> {
            synchronized (c) {
                job.inFlight = false;
                if (e == Errors.NONE || e == Errors.NOT_COORDINATOR) {
                    jobs.remove(job.txn.id, job);
                } else {
                    job.retryAt = c.time.milliseconds() + c.config.markerRetryBackoffMs();
                }
            }
        });
    }

    /** Sends again what is due. */
    void retryDue(long now) {
        synchronized (c) {
            for (Job job : List.copyOf(jobs.values())) {
                if (!job.inFlight && job.retryAt > 0 && job.retryAt <= now) {
                    job.retryAt = 0;
                    if (job.remaining.isEmpty()) {
                        writeComplete(job);
                    } else if (live(job)) {
                        next(job);
                    } else {
                        jobs.remove(job.txn.id, job);
                    }
                }
            }
        }
    }

    /** The partition was unloaded: its jobs stop (the next coordinator resumes them from the log). */
    void dropPartition(int partition) {
        jobs.values().removeIf(j -> j.txn.partition == partition);
    }
}
