package org.tributary.group;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;

/**
 * Transactional offset commits (TxnOffsetCommit, KIP-98; member fields KIP-447): the offsets are
 * written to the group's {@code __consumer_offsets} partition in the producer's transaction and
 * held in the group as pending ({@link ClassicGroup#pendingTxnOffsets}) until the transaction's
 * marker ends them ({@link GroupLeadership}, {@link GroupLoader}). Uses the coordinator's lock.
 */
public final class TxnOffsetCommits {
    private final GroupCoordinator c;

    TxnOffsetCommits(GroupCoordinator coordinator) {
        this.c = coordinator;
    }

    /**
     * What one TxnOffsetCommit carries (KIP-98; the member fields from v3, KIP-447: generation -1
     * and empty member id when the producer sent none).
     */
    public record TxnCommitRequest(String transactionalId, long producerId, short producerEpoch, String groupId, String memberId,
            String groupInstanceId, int generationId, Map<TopicPartition, CommittedOffset> offsets) {
    }

    /**
     * TxnOffsetCommit: writes the offsets to the group's partition in the producer's transaction
     * (acks=all; answered once replicated). They stay pending, invisible to OffsetFetch, until the
     * transaction's marker: COMMIT makes them visible, ABORT drops them.
     */
    public CompletableFuture<Map<TopicPartition, Errors>> commit(TxnCommitRequest r) {
        return commit(r, CoordinatorLog.TxnVerification.UNCHECKED);
    }

    /**
     * As {@link #commit(TxnCommitRequest)}, the write checked as {@code verification} says
     * (KIP-890, Kafka's verification guard carried into the append): when the producer's
     * transaction ended on the group's partition since it was verified, nothing is written and
     * every offset is answered INVALID_TXN_STATE, as Kafka's group coordinator passes on the log's
     * refusal.
     */
    public CompletableFuture<Map<TopicPartition, Errors>> commit(TxnCommitRequest r, CoordinatorLog.TxnVerification verification) {
        synchronized (c) {
            Errors e = c.checkCoordinator(r.groupId());
            if (e == Errors.NONE) {
                e = validateTxnCommit(r);
            }
            Map<TopicPartition, Errors> out = new LinkedHashMap<>();
            if (e != Errors.NONE) {
                for (TopicPartition tp : r.offsets().keySet()) {
                    out.put(tp, e);
                }
                return CompletableFuture.completedFuture(out);
            }
            ClassicGroup g = c.groups.computeIfAbsent(r.groupId(), id -> new ClassicGroup(id, c.time.milliseconds()));
            List<CoordinatorLog.Entry> entries = new ArrayList<>();
            Map<TopicPartition, CommittedOffset> accepted = new LinkedHashMap<>();
            long now = c.time.milliseconds();
            for (Map.Entry<TopicPartition, CommittedOffset> o : r.offsets().entrySet()) {
                CommittedOffset given = o.getValue();
                if (given.metadata().length() > c.config().offsetMetadataMaxBytes()) {
                    out.put(o.getKey(), Errors.OFFSET_METADATA_TOO_LARGE);
                    continue;
                }
                CommittedOffset stamped = new CommittedOffset(given.offset(), given.leaderEpoch(), given.metadata(), now, -1L);
                out.put(o.getKey(), Errors.NONE);
                accepted.put(o.getKey(), stamped);
                entries.add(new CoordinatorLog.Entry(OffsetsTopicRecords.offsetKey(r.groupId(), o.getKey()),
                        OffsetsTopicRecords.offsetValue(stamped)));
            }
            if (entries.isEmpty()) {
                c.dropIfUnused(g);
                return CompletableFuture.completedFuture(out);
            }
            OffsetsWriter.Write w = c.writer.writeTransactional(r.groupId(), entries, r.producerId(), r.producerEpoch(), verification);
            if (w.position() >= 0) {
                accepted.forEach((tp, o) -> g.addTxnOffset(r.producerId(), tp, o, w.position()));
                c.txnGroups.computeIfAbsent(r.producerId(), id -> new HashSet<>()).add(r.groupId());
            }
            return w.replicated().thenApply(written -> {
                synchronized (c) {
                    boolean current = c.isCurrent(g);
                    if (written != Errors.NONE) {
                        accepted.keySet().forEach(tp -> {
                            if (current && w.position() >= 0) {
                                g.onTxnOffsetWriteFailed(r.producerId(), tp, w.position());
                            }
                            out.put(tp, OffsetsWriter.clientError(written));
                        });
                    }
                    if (current) {
                        c.dropIfUnused(g);
                    }
                    return out;
                }
            });
        }
    }

    /**
     * Kafka's checks of a transactional commit (KIP-447, its classic group's rules): with no
     * generation, an empty group accepts it; once a generation, member id or instance id is given,
     * the member must be known (FENCED_INSTANCE_ID for a replaced static member, UNKNOWN_MEMBER_ID)
     * and the generation current (ILLEGAL_GENERATION). A commit without member fields (producers
     * before v3, consumers outside group management) is accepted even while the group has members,
     * and a rebalance in progress does not refuse it: the transaction's outcome decides. An unknown
     * group is created by a commit without generation, else ILLEGAL_GENERATION.
     */
    private Errors validateTxnCommit(TxnCommitRequest r) {
        ClassicGroup g = c.groups.get(r.groupId());
        if (g == null) {
            return r.generationId() < 0 ? Errors.NONE : Errors.ILLEGAL_GENERATION;
        }
        if (r.generationId() < 0 && g.isEmpty()) {
            return Errors.NONE;
        }
        String memberId = r.memberId() == null ? "" : r.memberId();
        if (r.generationId() < 0 && memberId.isEmpty() && r.groupInstanceId() == null) {
            return Errors.NONE;
        }
        if (r.groupInstanceId() != null) {
            String current = g.staticMembers.get(r.groupInstanceId());
            if (current == null) {
                return Errors.UNKNOWN_MEMBER_ID;
            }
            if (!current.equals(memberId)) {
                return Errors.FENCED_INSTANCE_ID;
            }
        }
        if (!g.has(memberId)) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        return r.generationId() != g.generationId ? Errors.ILLEGAL_GENERATION : Errors.NONE;
    }

}
