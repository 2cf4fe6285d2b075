package org.tributary.group;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Logger;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;

/**
 * Committed offsets of the coordinator's groups: commit (with Kafka's generation and member
 * checks), fetch, delete (OffsetDelete's checks are in {@link GroupAdmin}), expiry after {@code offsets.retention.minutes} once a group is empty,
 * and lag. A commit is written to {@code __consumer_offsets} with acks=all and becomes visible
 * (and is answered) once the partition's high watermark covers it; until then it is pending, and
 * a failed or truncated write never shows. Deletions (OffsetDelete, DeleteGroups, expiry) are
 * written the same way and change memory only once committed: until then the offsets and groups
 * they delete stay visible. Uses the coordinator's lock.
 */
public final class GroupOffsets {
    private static final Logger LOG = Logger.getLogger(GroupOffsets.class.getName());

    private final GroupCoordinator c;

    GroupOffsets(GroupCoordinator coordinator) {
        this.c = coordinator;
    }

    /**
     * What one OffsetCommit carries for the group (generation -1 and empty member id: a commit
     * without group management). Commit timestamps are the coordinator's clock; {@code retentionMs}
     * (old clients, -1 for none) sets an explicit expiry.
     */
    public record CommitRequest(String groupId, String memberId, String groupInstanceId, int generationId, long retentionMs,
            Map<TopicPartition, CommittedOffset> offsets) {
        public CommitRequest(String groupId, String memberId, String groupInstanceId, int generationId,
                Map<TopicPartition, CommittedOffset> offsets) {
            this(groupId, memberId, groupInstanceId, generationId, -1L, offsets);
        }
    }

    /**
     * Commits; completes with one error per partition (the same group-level error for all when the
     * commit is refused) once the write is replicated or has failed.
     */
    public CompletableFuture<Map<TopicPartition, Errors>> commit(CommitRequest r) {
        synchronized (c) {
            Errors e = c.checkCoordinator(r.groupId());
            if (e == Errors.NONE) {
                e = validateCommit(r);
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
                CommittedOffset stamped = new CommittedOffset(given.offset(), given.leaderEpoch(), given.metadata(),
                        given.commitTimestamp() >= 0 ? given.commitTimestamp() : now, r.retentionMs() >= 0 ? now + r.retentionMs() : -1L);
                out.put(o.getKey(), Errors.NONE);
                accepted.put(o.getKey(), stamped);
                entries.add(new CoordinatorLog.Entry(OffsetsTopicRecords.offsetKey(r.groupId(), o.getKey()),
                        OffsetsTopicRecords.offsetValue(stamped)));
            }
            Member m = r.memberId() == null ? null : g.members.get(r.memberId());
            if (m != null) {
                m.heartbeatDeadline = now + m.sessionTimeoutMs;
            }
            if (entries.isEmpty()) {
                c.dropIfUnused(g);
                return CompletableFuture.completedFuture(out);
            }
            OffsetsWriter.Write w = c.writer.write(r.groupId(), entries);
            if (w.position() >= 0) {
                accepted.keySet().forEach(tp -> g.pendingOffsets.put(tp, w.position()));
            }
            return w.replicated().thenApply(written -> {
                synchronized (c) {
                    boolean current = c.isCurrent(g);
                    accepted.forEach((tp, o) -> {
                        if (written == Errors.NONE) {
                            if (current) {
                                g.onOffsetCommitted(tp, o, w.position());
                            }
                        } else {
                            if (current) {
                                g.onOffsetWriteFailed(tp, w.position());
                            }
                            out.put(tp, OffsetsWriter.clientError(written));
                        }
                    });
                    if (current) {
                        c.dropIfUnused(g);
                    }
                    return out;
                }
            });
        }
    }

    private Errors validateCommit(CommitRequest r) {
        ClassicGroup g = c.groups.get(r.groupId());
        boolean simple = r.generationId() < 0 && (r.memberId() == null || r.memberId().isEmpty());
        if (g == null) {
            return r.generationId() < 0 ? Errors.NONE : Errors.ILLEGAL_GENERATION;
        }
        if (simple && g.isEmpty()) {
            return Errors.NONE;
        }
        if (r.groupInstanceId() != null) {
            String current = g.staticMembers.get(r.groupInstanceId());
            if (current != null && !current.equals(r.memberId())) {
                return Errors.FENCED_INSTANCE_ID;
            }
        }
        if (r.memberId() != null && !r.memberId().isEmpty() && !g.has(r.memberId())) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        if (r.generationId() >= 0 && r.generationId() != g.generationId) {
            return Errors.ILLEGAL_GENERATION;
        }
        if (r.generationId() < 0 && !g.isEmpty()) {
            return Errors.UNKNOWN_MEMBER_ID; // a simple commit into a group with live members
        }
        if (g.state == GroupState.COMPLETING_REBALANCE) {
            return Errors.REBALANCE_IN_PROGRESS;
        }
        return Errors.NONE;
    }

    /**
     * Result of an offset fetch: a group-level error or the offsets (-1 for partitions without a
     * commit); {@code unstable}: partitions an open transaction wrote, asked with require_stable.
     */
    public record FetchResult(Errors error, Map<TopicPartition, CommittedOffset> offsets, Set<TopicPartition> unstable) {
        public FetchResult(Errors error, Map<TopicPartition, CommittedOffset> offsets) {
            this(error, offsets, Set.of());
        }
    }

    /** Committed offsets of {@code partitions}, or of every committed partition when {@code partitions} is null. */
    public FetchResult fetch(String groupId, List<TopicPartition> partitions) {
        return fetch(groupId, partitions, false);
    }

    /**
     * As {@link #fetch(String, List)}; with {@code requireStable} (KIP-447, OffsetFetch v7+) the
     * partitions with pending transactional offsets are listed as unstable (the client retries).
     */
    public FetchResult fetch(String groupId, List<TopicPartition> partitions, boolean requireStable) {
        synchronized (c) {
            Errors e = c.checkCoordinator(groupId);
            if (e != Errors.NONE) {
                return new FetchResult(e, Map.of());
            }
            ClassicGroup g = c.groups.get(groupId);
            Map<TopicPartition, CommittedOffset> out = new LinkedHashMap<>();
            if (partitions == null) {
                if (g != null) {
                    out.putAll(g.offsets);
                }
            } else {
                for (TopicPartition tp : partitions) {
                    CommittedOffset o = g == null ? null : g.offsets.get(tp);
                    out.put(tp, o == null ? new CommittedOffset(-1L, -1, "", -1L, -1L) : o);
                }
            }
            Set<TopicPartition> unstable = new HashSet<>();
            if (requireStable && g != null) {
                out.keySet().stream().filter(g::hasPendingTxnOffset).forEach(unstable::add);
            }
            return new FetchResult(Errors.NONE, out, unstable);
        }
    }

    /**
     * OffsetDelete: removes offsets unless the (non-empty) group is subscribed to the topic.
     * Answered, as Kafka's coordinator answers every write, once the tombstones are committed (the
     * offsets stay visible until then and go only then), or with the client error of the failed
     * write (the offsets stay).
     */
    public CompletableFuture<Map.Entry<Errors, Map<TopicPartition, Errors>>> delete(String groupId, List<TopicPartition> partitions) {
        return c.admin().deleteOffsets(groupId, partitions);
    }

    /** Appends offset tombstones of the group; the partitions are pending deletion until the write's outcome ({@link #tombstonesDone}). */
    OffsetsWriter.Write writeTombstones(ClassicGroup g, List<TopicPartition> partitions, List<CoordinatorLog.Entry> tombstones) {
        OffsetsWriter.Write w = c.writer.write(g.groupId, tombstones);
        if (w.position() >= 0) {
            partitions.forEach(tp -> g.pendingTombstones.put(tp, w.position()));
        }
        return w;
    }

    /**
     * Offset tombstones written at {@code position} are committed: the offsets written before them
     * go; or they failed, and nothing changes. Nothing either if the group was unloaded meanwhile.
     */
    void tombstonesDone(ClassicGroup g, List<TopicPartition> partitions, long position, Errors written) {
        if (position < 0 || !c.isCurrent(g)) {
            return;
        }
        for (TopicPartition tp : partitions) {
            g.pendingTombstones.remove(tp, position);
            if (written == Errors.NONE) {
                g.onTombstoneCommitted(tp, position);
            }
        }
    }

    /** The topics a non-empty group's members subscribe to (OffsetDelete, expiry). */
    Set<String> subscribedTopics(ClassicGroup g) {
        Set<String> topics = new HashSet<>();
        if (g.isEmpty() || g.protocolName == null) {
            return topics;
        }
        for (Member m : g.members.values()) {
            byte[] meta = m.metadata(g.protocolName);
            if (meta != null) {
                try {
                    topics.addAll(c.subscriptionTopics.apply(meta));
                } catch (RuntimeException e) {
                    LOG.fine(() -> "cannot read the subscription of " + m.memberId + ": " + e);
                }
            }
        }
        return topics;
    }

    /**
     * Deletes groups of one offsets topic partition (DeleteGroups, expiry): tombstones for their
     * offsets and metadata, in one write, as Kafka writes a DeleteGroups' records of a partition
     * together. Each group is marked as being deleted ({@link ClassicGroup#deletion}) until the
     * write's outcome, and stays as it is (visible, with its offsets) until its tombstones are
     * committed; then it is forgotten ({@link #groupDeleted}). Completes with the raw append
     * outcome once that outcome is applied.
     */
    CompletableFuture<Errors> removeGroups(List<ClassicGroup> gs) {
        List<CoordinatorLog.Entry> tombstones = new ArrayList<>();
        Map<ClassicGroup, Set<TopicPartition>> partitions = new LinkedHashMap<>();
        for (ClassicGroup g : gs) {
            Set<TopicPartition> tps = new HashSet<>(g.offsets.keySet());
            tps.addAll(g.pendingOffsets.keySet());
            g.pendingTxnOffsets.values().forEach(m -> tps.addAll(m.keySet())); // as Kafka, pending transactional offsets too
            partitions.put(g, tps);
            for (TopicPartition tp : tps) {
                tombstones.add(new CoordinatorLog.Entry(OffsetsTopicRecords.offsetKey(g.groupId, tp), null));
            }
            tombstones.add(new CoordinatorLog.Entry(OffsetsTopicRecords.groupKey(g.groupId), null));
        }
        OffsetsWriter.Write w = c.writer.write(gs.get(0).groupId, tombstones);
        if (w.position() < 0) {
            return w.replicated(); // nothing written, nothing pending
        }
        CompletableFuture<Errors> applied = new CompletableFuture<>();
        Map<ClassicGroup, ClassicGroup.Deletion> deletions = new LinkedHashMap<>();
        for (ClassicGroup g : gs) {
            g.deletion = new ClassicGroup.Deletion(w.position(), g.generationId, applied);
            deletions.put(g, g.deletion);
        }
        w.replicated().whenComplete((written, ex) -> {
            Errors outcome = ex == null ? written : OffsetsWriter.appendError(ex);
            try {
                synchronized (c) {
                    deletions.forEach((g, d) -> groupDeleted(g, d, partitions.get(g), outcome));
                }
            } finally {
                applied.complete(outcome);
            }
        });
        return applied;
    }

    /**
     * A group's deletion {@code d} has its outcome. Failed: the group stays as it was (a retry
     * writes the tombstones again). Committed: the offsets written before the tombstones go,
     * commits written after them stay (a new commit-only group, as replaying the log gives).
     *
     * <p>A group that a JoinGroup reached between the deletion's write and its commit (a member or a
     * KIP-394 pending member, or a new generation) is kept, with its members and without the
     * deleted offsets. That is what Kafka ends up with: its coordinator applies the tombstones to
     * its (uncommitted) state at once, so that JoinGroup created a new group with that member, whose
     * records follow the tombstones in the log; here the group stayed visible until the commit, so
     * the JoinGroup joined it, and what it writes (its next generation) also follows the tombstones.
     * The group keeps counting generations from where it was, where Kafka's new group starts over.
     */
    private void groupDeleted(ClassicGroup g, ClassicGroup.Deletion d, Set<TopicPartition> partitions, Errors written) {
        if (g.deletion == d) {
            g.deletion = null;
        }
        if (!c.isCurrent(g)) {
            return; // unloaded meanwhile; a later load replays what the log holds
        }
        if (written != Errors.NONE) {
            LOG.warning("TRIB-GRP-003 cannot delete group " + g.groupId + ": " + written);
            return;
        }
        partitions.forEach(tp -> g.onTombstoneCommitted(tp, d.position()));
        if (!g.isEmpty() || !g.pendingMembers.isEmpty() || g.state != GroupState.EMPTY || g.generationId != d.generation()) {
            LOG.fine(() -> "group " + g.groupId + " was joined while being deleted: kept, without its deleted offsets");
            return;
        }
        if (g.hasOffsets()) {
            g.resetMetadata();
            return;
        }
        g.transitionTo(GroupState.DEAD, c.time.milliseconds());
        c.groups.remove(g.groupId);
    }

    /**
     * Expires offsets of empty groups: for groups that used group management, retention counts
     * from when the group became empty; for commit-only groups, from each commit; an explicit
     * expire timestamp (old clients) wins. Empty groups with no offsets left are removed. A stable
     * consumer group's offsets of topics it no longer subscribes to expire from their commit (KIP-496).
     */
    void expire(long now) {
        long retention = c.config().offsetsRetentionMs();
        for (ClassicGroup g : List.copyOf(c.groups.values())) {
            if (!c.isCurrent(g) || !c.coordinating(g) || g.deletion != null) {
                continue; // a group being deleted: if that fails, the next run tries again
            }
            boolean empty = g.state == GroupState.EMPTY;
            // KIP-496: a stable consumer group keeps only the offsets of topics it subscribes to
            boolean stableConsumer = g.state == GroupState.STABLE && "consumer".equals(g.protocolType);
            if (!empty && !stableConsumer) {
                continue;
            }
            Set<String> subscribed = stableConsumer ? subscribedTopics(g) : Set.of();
            boolean managed = g.protocolType != null && !g.protocolType.isEmpty();
            List<TopicPartition> expired = new ArrayList<>();
            for (Map.Entry<TopicPartition, CommittedOffset> e : g.offsets.entrySet()) {
                CommittedOffset o = e.getValue();
                TopicPartition tp = e.getKey();
                if (subscribed.contains(tp.topic()) || g.pendingOffsets.containsKey(tp) || g.pendingTombstones.containsKey(tp)
                        || g.hasPendingTxnOffset(tp)) {
                    continue; // a newer commit (plain or in an open transaction, as Kafka) or a tombstone on its way
                }
                long deadline = o.expireTimestamp() >= 0 ? o.expireTimestamp()
                        : (empty && managed ? g.stateTimestamp : o.commitTimestamp()) + retention;
                if (now >= deadline) {
                    expired.add(tp);
                }
            }
            if (empty && expired.size() == g.offsets.size() && g.pendingOffsets.isEmpty() && g.pendingTombstones.isEmpty()
                    && g.pendingTxnOffsets.isEmpty()) {
                int n = expired.size();
                removeGroups(List.of(g)).thenAccept(written -> {
                    boolean removed;
                    synchronized (c) {
                        removed = written == Errors.NONE && c.groups.get(g.groupId) != g;
                    }
                    if (removed && n > 0) {
                        LOG.info("TRIB-GRP-004 expired " + n + " offset(s) of empty group " + g.groupId + "; group removed");
                    }
                });
                continue;
            }
            if (expired.isEmpty()) {
                continue;
            }
            List<CoordinatorLog.Entry> tombstones = new ArrayList<>();
            expired.forEach(tp -> tombstones.add(new CoordinatorLog.Entry(OffsetsTopicRecords.offsetKey(g.groupId, tp), null)));
            OffsetsWriter.Write w = writeTombstones(g, expired, tombstones);
            w.replicated().thenAccept(written -> {
                synchronized (c) {
                    tombstonesDone(g, expired, w.position(), written);
                }
                if (written != Errors.NONE) {
                    LOG.warning("TRIB-GRP-003 cannot expire " + expired.size() + " offset(s) of group " + g.groupId
                            + " (the next check retries): " + written);
                }
            });
        }
    }

    List<PartitionLag> lag(String groupId) {
        Map<TopicPartition, CommittedOffset> committed;
        synchronized (c) {
            ClassicGroup g = c.groups.get(groupId);
            if (g == null) {
                return List.of();
            }
            committed = new LinkedHashMap<>(g.offsets);
        }
        List<PartitionLag> out = new ArrayList<>();
        for (Map.Entry<TopicPartition, CommittedOffset> e : committed.entrySet()) {
            OptionalLong end = c.log.endOffset(e.getKey());
            long offset = e.getValue().offset();
            long endOffset = end.orElse(-1L);
            out.add(new PartitionLag(e.getKey(), offset, endOffset, endOffset < 0 || offset < 0 ? -1L : Math.max(0, endOffset - offset)));
        }
        return out;
    }
}
