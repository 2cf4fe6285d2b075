package org.tributary.partition;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.tributary.log.PartitionLog;
import org.tributary.log.AbortedTxn;
import org.tributary.txn.ProducerStateManager;
import org.tributary.log.EpochEndOffset;
import org.tributary.metadata.PartitionRegistration;
import org.apache.kafka.common.protocol.Errors;
import java.util.function.IntPredicate;

/**
 * A partition this broker holds: its log, its replica state and its idempotent-producer state.
 *
 * <p>Replica state follows the metadata ({@link #update}): the role (see {@link Role}), the leader
 * and partition epochs, the replicas and the ISR. As leader it tracks every follower's log end
 * offset and when it was last caught up (from the followers' fetches), keeps the high watermark at
 * the smallest log end offset of the maximal ISR (the ISR plus a pending addition, KIP-497; never
 * moving back), and proposes ISR changes ({@link IsrChange}) for the controller to decide; only a
 * committed answer changes the ISR. As follower it appends the leader's batches as they are,
 * takes min(leader's high watermark, own log end) as its high watermark and truncates where its
 * log diverges from the leader's, rebuilding producer state with the log.
 *
 * <p>The partition keeps the role, the log, the high watermark and the coordination of the parts
 * it delegates to: follower progress and ISR proposals ({@link IsrTracker}), producer and
 * transaction state with the last stable offset ({@link PartitionTxns}), the leader's append path
 * ({@link LeaderAppends}) and the follower's appends and truncations ({@link FollowerSync}).
 *
 * <p>Thread-safe: state changes and appends are serialized by this object's lock (which also
 * guards every part); reads of the log and of the (volatile) high watermark and last stable offset
 * take no lock.
 */
public final class Partition {
    private final TopicPartition tp;
    private final Uuid topicId;
    private final PartitionLog log;
    /** Producers, transactions, the last stable offset and KIP-890 verification. Guarded by this. */
    private final PartitionTxns txns;
    /** Leader only: follower progress and ISR change proposals. Guarded by this. */
    private final IsrTracker isrTracker;
    /** Leader only: the append path of batches and markers. Guarded by this. */
    private final LeaderAppends leaderAppends;
    /** Follower only: appends and truncations of the leader's log. Guarded by this. */
    private final FollowerSync followerSync;
    private final int localBrokerId;
    private volatile int leaderEpoch = -1;
    private volatile int partitionEpoch = -1;
    private volatile List<Integer> replicas;
    private volatile List<Integer> isr;
    private volatile Role role = Role.OFFLINE;
    private volatile int leader = -1;
    private volatile long highWatermark;

    /**
     * This broker's role for the partition, as the latest applied metadata says. LEADER: serves
     * produce and consumer fetches and the followers' fetches; FOLLOWER: copies the leader's log and
     * serves no client; OFFLINE: the partition has no leader at all (every broker of its ISR is fenced).
     */
    public enum Role {
        LEADER, FOLLOWER, OFFLINE
    }

    /** What an {@link #update} changed for this broker. */
    public enum Transition {
        NONE, BECAME_LEADER, BECAME_FOLLOWER, WENT_OFFLINE
    }

    /** Where an append landed; {@code duplicate} when it was a retry already written. */
    public record AppendResult(long firstOffset, long lastOffset, long logAppendTime, long logStartOffset, boolean duplicate,
            int leaderEpoch) {
    }

    /**
     * The leader's view of one follower fetch: an error, or a divergence (the follower must truncate
     * to where {@code divergingEpoch} ends, {@code divergingEndOffset}), or accepted; whether the
     * high watermark moved; an ISR addition to send to the controller (or null).
     */
    public record FollowerFetch(Errors error, int divergingEpoch, long divergingEndOffset, boolean highWatermarkMoved,
            IsrChange isrChange) {
        public boolean diverged() {
            return divergingEndOffset >= 0 || divergingEpoch >= 0;
        }

        static FollowerFetch error(Errors e) {
            return new FollowerFetch(e, -1, -1, false, null);
        }
    }

    Partition(TopicPartition tp, Uuid topicId, PartitionLog log, Path legacySnapshotFile, int localBrokerId, List<Integer> replicas)
            throws IOException {
        this.tp = tp;
        this.topicId = topicId;
        this.log = log;
        this.localBrokerId = localBrokerId;
        this.replicas = List.copyOf(replicas);
        this.isr = List.copyOf(replicas);
        this.highWatermark = log.highWatermark();
        this.txns = new PartitionTxns(log, legacySnapshotFile, highWatermark);
        this.isrTracker = new IsrTracker(this, localBrokerId);
        this.leaderAppends = new LeaderAppends(this, log, txns);
        this.followerSync = new FollowerSync(this, log, txns);
    }

    /**
     * Opens a partition over {@code log} for broker {@code localBrokerId}, its producer state
     * recovered from the snapshots in the log's directory and the log after the latest usable one.
     * {@code legacySnapshotFile} is where the layout before per-segment snapshots kept the
     * partition's one snapshot: read once if present (upgrade), then deleted. Its role comes with the
     * first {@link #update}.
     */
    public static Partition open(TopicPartition tp, Uuid topicId, PartitionLog log, Path legacySnapshotFile, int localBrokerId,
            List<Integer> replicas) throws IOException {
        Partition p = new Partition(tp, topicId, log, legacySnapshotFile, localBrokerId, replicas);
        p.recoverProducerState();
        return p;
    }

    /**
     * Takes the partition's registration from newly applied metadata. A registration older than the
     * state already held (an AlterPartition answer applied first) changes nothing. If becoming
     * leader fails (its leader epoch cannot be written), the partition is left OFFLINE and the same
     * registration is taken afresh the next time it is given.
     */
    public synchronized Transition update(PartitionRegistration reg, long nowMs) throws IOException {
        boolean newEpoch = reg.leaderEpoch() != leaderEpoch;
        if (!newEpoch && reg.partitionEpoch() <= partitionEpoch) {
            return Transition.NONE;
        }
        Role old = role;
        Role next = reg.leader() == localBrokerId ? Role.LEADER : reg.leader() < 0 ? Role.OFFLINE : Role.FOLLOWER;
        replicas = List.copyOf(reg.replicas());
        isr = List.copyOf(reg.isr());
        leader = reg.leader();
        leaderEpoch = reg.leaderEpoch();
        partitionEpoch = reg.partitionEpoch();
        isrTracker.dropPending(); // a committed state ends (or supersedes) any pending change
        role = next;
        switch (next) {
            case LEADER -> {
                if (old != Role.LEADER || newEpoch) {
                    try {
                        becomeLeader(nowMs);
                    } catch (IOException | RuntimeException e) {
                        // never a leader whose epoch is not recorded and whose followers are not
                        // tracked: serve nothing, and take this registration afresh when it comes again
                        role = Role.OFFLINE;
                        leaderEpoch = -1;
                        partitionEpoch = -1;
                        isrTracker.clearFollowers();
                        throw e;
                    }
                    return Transition.BECAME_LEADER;
                }
                isrTracker.syncFollowers(nowMs);
                maybeIncrementHighWatermark();
                return Transition.NONE;
            }
            case FOLLOWER -> {
                isrTracker.clearFollowers();
                return old != Role.FOLLOWER || newEpoch ? Transition.BECAME_FOLLOWER : Transition.NONE;
            }
            default -> {
                isrTracker.clearFollowers();
                return old == Role.OFFLINE ? Transition.NONE : Transition.WENT_OFFLINE;
            }
        }
    }

    private void becomeLeader(long nowMs) throws IOException {
        leaderAppends.onBecomeLeader();
        isrTracker.startEpochAt(log.logEndOffset());
        log.assignLeaderEpoch(leaderEpoch);
        isrTracker.clearFollowers();
        isrTracker.syncFollowers(nowMs);
        setHighWatermark(Math.min(Math.max(highWatermark, log.logStartOffset()), log.logEndOffset()));
        maybeIncrementHighWatermark();
    }

    /** Leader: the high watermark becomes the smallest log end offset in the maximal ISR, if that is higher. */
    boolean maybeIncrementHighWatermark() {
        if (role != Role.LEADER) {
            return false;
        }
        long candidate = isrTracker.highWatermarkCandidate(log.logEndOffset());
        if (candidate > highWatermark) {
            setHighWatermark(candidate);
            return true;
        }
        return false;
    }

    /** The one place the high watermark changes: the log's checkpoint, unreplicated transactions and the LSO follow it. */
    void setHighWatermark(long hw) {
        highWatermark = hw;
        log.updateHighWatermark(hw);
        txns.onHighWatermark(hw);
    }

    public Role role() {
        return role;
    }

    public boolean isLeader() {
        return role == Role.LEADER;
    }

    /** The leader's broker id, -1 when offline. */
    public int leader() {
        return leader;
    }

    public TopicPartition topicPartition() {
        return tp;
    }

    int localBrokerId() {
        return localBrokerId;
    }

    public Uuid topicId() {
        return topicId;
    }

    public PartitionLog log() {
        return log;
    }

    public int leaderEpoch() {
        return leaderEpoch;
    }

    public int partitionEpoch() {
        return partitionEpoch;
    }

    public List<Integer> replicas() {
        return replicas;
    }

    public List<Integer> isr() {
        return isr;
    }

    /** Offsets below it are on every member of the ISR: consumers read only below it. */
    public long highWatermark() {
        return highWatermark;
    }

    /**
     * A leader elected moments ago may hold a high watermark behind the start of its own epoch
     * until its followers fetch again; answering "latest" from it would let a client's end offset go
     * backwards. Kafka answers OFFSET_NOT_AVAILABLE (retriable) then (KIP-207).
     */
    public synchronized boolean highWatermarkBehindEpochStart() {
        return role == Role.LEADER && highWatermark < isrTracker.leaderEpochStartOffset();
    }

    /**
     * The last stable offset (KIP-98): the first offset of the earliest transaction still open (or
     * completed by a marker not yet below the high watermark), capped by the high watermark.
     * read_committed consumers read only below it.
     */
    public long lastStableOffset() {
        return txns.lastStableOffset();
    }

    /**
     * The aborted transactions overlapping a read from {@code fetchOffset} that returns records below
     * {@code limit} (the last stable offset), for read_committed fetches.
     */
    public List<AbortedTxn> abortedTransactions(long fetchOffset, long limit) {
        return log.abortedTransactionsForRead(fetchOffset, limit);
    }

    /** The topic's {@code min.insync.replicas}. */
    public int minInsyncReplicas() {
        return log.config().minInsyncReplicas();
    }

    /** Leader: fewer in-sync replicas than replicas (Kafka's UnderReplicatedPartitions). */
    public boolean underReplicated() {
        return role == Role.LEADER && isr.size() < replicas.size();
    }

    /** An appending leader: acks=1 or 0 (the default for internal writes). */
    public AppendResult appendAsLeader(MemoryRecords records) throws IOException {
        return appendAsLeader(records, (short) 1);
    }

    /**
     * Appends as leader. Idempotent batches are checked first: a duplicate returns where the
     * original landed without writing; a gap or an old epoch throws the matching Kafka error. With
     * {@code requiredAcks} -1, an ISR smaller than {@code min.insync.replicas} refuses the append
     * (NOT_ENOUGH_REPLICAS), as Kafka does.
     */
    public synchronized AppendResult appendAsLeader(MemoryRecords records, short requiredAcks) throws IOException {
        return leaderAppends.append(records, requiredAcks, false, null);
    }

    /**
     * Appends a client's batches as leader with transaction verification (KIP-890): a transactional
     * batch that opens its producer's transaction here must bring the guard {@link #startTxnVerification}
     * gave and the transaction coordinator confirmed; a marker or another append since spends it.
     *
     * @throws org.apache.kafka.common.errors.InvalidTxnStateException the batch was not verified
     */
    public synchronized AppendResult appendVerified(MemoryRecords records, short requiredAcks, Object guard) throws IOException {
        return leaderAppends.append(records, requiredAcks, false, guard == null ? TxnVerificationGuards.NONE : guard);
    }

    /**
     * Starts verifying that {@code producerId}'s transaction includes this partition before its first
     * batch here: null when it needs none (its transaction at {@code epoch} is already open here),
     * else the guard to hand to {@link #appendVerified} once the coordinator confirmed.
     */
    public synchronized Object startTxnVerification(long producerId, int sequence, short epoch, long nowMs) {
        Object guard = txns.startVerification(producerId, sequence, epoch, nowMs);
        return guard == TxnVerificationGuards.NONE ? null : guard;
    }

    /**
     * Appends as leader for a coordinator writing on behalf of producers (a group coordinator's
     * transactional offset commits, Kafka's COORDINATOR origin): producer epochs are checked, sequence
     * numbers are not (such batches carry none of their own), so no batch is taken for a duplicate.
     */
    public synchronized AppendResult appendAsCoordinator(MemoryRecords records, short requiredAcks) throws IOException {
        return leaderAppends.append(records, requiredAcks, true, null);
    }

    /**
     * As {@link #appendAsCoordinator(MemoryRecords, short)}, with transaction verification (KIP-890)
     * of a write in a producer's transaction (TxnOffsetCommit; Kafka's COORDINATOR origin with its
     * verification guard): a batch that opens the producer's transaction here must bring the guard
     * {@link #startTxnVerification} gave ({@code guard} null: none was needed, the transaction was
     * open then, and must still be). A marker since then spends the guard and ends the transaction,
     * so the late write cannot open a transaction no marker will end.
     *
     * @throws org.apache.kafka.common.errors.InvalidTxnStateException the write was not verified
     */
    public synchronized AppendResult appendAsCoordinator(MemoryRecords records, short requiredAcks, Object guard) throws IOException {
        return leaderAppends.append(records, requiredAcks, true, guard == null ? TxnVerificationGuards.NONE : guard);
    }

    /**
     * For an acks=all produce appended in {@code appendEpoch} up to {@code requiredOffset}
     * (exclusive): null while the ISR has not caught up; NONE when it has and the ISR is at least
     * min.insync.replicas; NOT_ENOUGH_REPLICAS_AFTER_APPEND when it has but the ISR shrank below that
     * meanwhile; NOT_LEADER_OR_FOLLOWER when this broker lost the leadership it appended under.
     */
    public synchronized Errors acksAllState(long requiredOffset, int appendEpoch) {
        return leaderAppends.acksAllState(requiredOffset, appendEpoch);
    }

    /**
     * Leader: a follower fetches from {@code fetchOffset} having last fetched epoch
     * {@code lastFetchedEpoch} (-1: unknown). Checks the leader epoch it believes in and its
     * divergence (KIP-320: the offset where its last epoch ends here), then records its progress,
     * moves the high watermark and may propose adding it to the ISR ({@code eligible}: registered,
     * unfenced and not shutting down in the latest metadata).
     */
    public synchronized FollowerFetch onFollowerFetch(int replicaId, long replicaEpoch, long fetchOffset, int lastFetchedEpoch,
            int currentLeaderEpoch, long nowMs, IntPredicate eligible, long localBrokerEpoch) {
        if (role != Role.LEADER) {
            return FollowerFetch.error(Errors.NOT_LEADER_OR_FOLLOWER);
        }
        if (currentLeaderEpoch >= 0 && currentLeaderEpoch != leaderEpoch) {
            return FollowerFetch.error(currentLeaderEpoch < leaderEpoch ? Errors.FENCED_LEADER_EPOCH : Errors.UNKNOWN_LEADER_EPOCH);
        }
        if (!isrTracker.tracks(replicaId)) {
            return FollowerFetch.error(Errors.NOT_LEADER_OR_FOLLOWER);
        }
        if (lastFetchedEpoch >= 0) {
            EpochEndOffset eo = log.endOffsetForEpoch(lastFetchedEpoch);
            if (eo.leaderEpoch() < lastFetchedEpoch || eo.endOffset() < fetchOffset) {
                return new FollowerFetch(Errors.NONE, eo.leaderEpoch(), eo.endOffset(), false, null);
            }
        }
        long leaderEnd = log.logEndOffset();
        if (fetchOffset > leaderEnd || fetchOffset < log.logStartOffset()) {
            return FollowerFetch.error(Errors.OFFSET_OUT_OF_RANGE);
        }
        isrTracker.recordFetch(replicaId, replicaEpoch, fetchOffset, leaderEnd, nowMs);
        boolean moved = maybeIncrementHighWatermark();
        IsrChange change = isrTracker.afterFetch(replicaId, replicaEpoch, fetchOffset, highWatermark, eligible, localBrokerEpoch);
        return new FollowerFetch(Errors.NONE, -1, -1, moved, change);
    }

    /**
     * Leader: proposes removing ISR members that have not caught up with the log end for more than
     * {@code maxLagMs} (replica.lag.time.max.ms); null when none or a change is pending. A pending
     * change whose last try got no settling answer is returned again, to be sent again.
     */
    public synchronized IsrChange maybeShrinkIsr(long nowMs, long maxLagMs, long localBrokerEpoch) {
        if (role != Role.LEADER) {
            return null;
        }
        return isrTracker.maybeShrink(nowMs, maxLagMs, localBrokerEpoch);
    }

    /**
     * The controller answered {@code sent}: on success its committed state (leader epoch, ISR,
     * partition epoch) is taken if it is newer than what this partition holds, and the change is
     * no longer pending; also not when the controller refused the change as it stands (it checked
     * it against its current state and wrote nothing). Any other answer leaves the change pending,
     * as the controller may have applied it (an answer lost or timed out, a controller that
     * changed, a retry of a change already applied): the high watermark keeps waiting for the
     * replica it may add, until the metadata brings the partition's newer state; a change that got
     * no answer is also sent again (by the next follower fetch or ISR check). Returns whether the
     * high watermark moved.
     */
    public synchronized boolean onIsrChangeAnswered(IsrChange sent, Errors error, int answeredLeaderEpoch, List<Integer> answeredIsr,
            int answeredPartitionEpoch) {
        if (!isrTracker.settle(sent, error)) {
            return false;
        }
        if (error == Errors.NONE && answeredLeaderEpoch == leaderEpoch && answeredPartitionEpoch > partitionEpoch) {
            isr = List.copyOf(answeredIsr);
            partitionEpoch = answeredPartitionEpoch;
            return maybeIncrementHighWatermark();
        }
        return false;
    }

    /** Leader: whether an ISR change is waiting for the controller (for tests and metrics). */
    public synchronized boolean isrChangePending() {
        return isrTracker.changePending();
    }

    /** Leader: a follower's last known log end offset (-1 when unknown). */
    public synchronized long followerLogEndOffset(int brokerId) {
        return isrTracker.followerLogEndOffset(brokerId);
    }

    /** Follower: where to fetch next and the epoch of the last batch held (KIP-320's lastFetchedEpoch). */
    public long logEndOffset() {
        return log.logEndOffset();
    }

    /** Follower: the epoch of the log's last batch, -1 when empty. */
    public int lastFetchedEpoch() {
        return log.latestEpoch().orElse(-1);
    }

    /**
     * Follower in leader epoch {@code epoch}: appends the leader's batches as they are (offsets and
     * epochs kept), records producer state, and takes min(leader's high watermark, own log end) as
     * its high watermark; the log start follows the leader's (not past that high watermark). Refused
     * when the partition is no longer following in that epoch.
     */
    public synchronized void appendAsFollower(MemoryRecords records, long leaderHighWatermark, long leaderLogStartOffset, int epoch)
            throws IOException {
        followerSync.append(records, leaderHighWatermark, leaderLogStartOffset, epoch);
    }

    /**
     * Follower: removes everything at or after {@code offset} (where this log diverges from the
     * leader's) and rolls producer state back with it.
     */
    public synchronized void truncateTo(long offset, int epoch) throws IOException {
        followerSync.truncateTo(offset, epoch);
    }

    /** Follower: the leader's log starts after this whole log; start again, empty, at {@code offset}. */
    public synchronized void truncateFullyAndStartAt(long offset, int epoch) throws IOException {
        followerSync.truncateFullyAndStartAt(offset, epoch);
    }

    /**
     * Leader: writes the COMMIT or ABORT marker of {@code producerId}'s transaction (WriteTxnMarkers
     * from the transaction coordinator) as a control batch, ends its open transaction (an abort is
     * recorded in the transaction index) and moves the last stable offset. A marker of a producer
     * with nothing open here is written all the same (Kafka does). With {@code requiredAcks} -1 an
     * ISR below min.insync.replicas refuses it, as for produce.
     *
     * @throws org.apache.kafka.common.errors.InvalidProducerEpochException the producer's epoch is newer
     * @throws org.apache.kafka.common.errors.TransactionCoordinatorFencedException an older coordinator epoch
     */
    public synchronized AppendResult appendTxnMarker(long producerId, short producerEpoch, int coordinatorEpoch, boolean commit,
            int transactionVersion, short requiredAcks, long nowMs) throws IOException {
        return leaderAppends.appendTxnMarker(producerId, producerEpoch, coordinatorEpoch, commit, transactionVersion, requiredAcks,
                nowMs);
    }

    /** What DescribeProducers reports for one producer (KIP-664). */
    public record ProducerView(long producerId, int producerEpoch, int lastSequence, long lastTimestamp, int coordinatorEpoch,
            long currentTxnStartOffset) {
    }

    /** The producers this partition knows, for DescribeProducers. */
    public synchronized List<ProducerView> activeProducers() {
        return txns.activeProducers();
    }

    /** Rebuilds producer state from the snapshot and the log (at open). */
    synchronized void recoverProducerState() throws IOException {
        txns.recoverAt(highWatermark);
    }

    /** Drops idempotent producers idle for longer than {@code expirationMs}. */
    public synchronized int expireProducers(long nowMs, long expirationMs) {
        return txns.expire(nowMs, expirationMs);
    }

    /** Writes the producer-state snapshot at the log end if anything changed since the last one. */
    public synchronized void snapshotProducerState() throws IOException {
        txns.snapshot();
    }

    /** Where the single-file layout kept this partition's snapshot (deleted once adopted). */
    Path legacySnapshotFile() {
        return txns.legacySnapshotFile();
    }

    /** The offsets of the producer-state snapshots kept (for tests). */
    synchronized List<Long> producerSnapshotOffsets() {
        return txns.snapshots().offsets();
    }

    synchronized ProducerStateManager producerState() {
        return txns.producers();
    }

    @Override
    public String toString() {
        return "Partition(" + tp + ", " + role + ", leader epoch " + leaderEpoch + ", ISR " + isr + ", HW " + highWatermark + ")";
    }
}
