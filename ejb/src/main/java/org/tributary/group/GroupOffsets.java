package org.tributary.group;

import java.io.IOException;
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
 * checks), fetch, delete, expiry after {@code offsets.retention.minutes} once a group is empty,
 * and lag. A commit is written to {@code __consumer_offsets} with acks=all and becomes visible
 * (and is answered) once the partition's high watermark covers it; until then it is pending, and
 * a failed or truncated write never shows. Deletions and expiry change memory once written
 * locally. Uses the coordinator's lock.
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
            GroupCoordinator.Write w = c.write(r.groupId(), entries);
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
                            out.put(tp, GroupCoordinator.clientError(written));
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

    /** Result of an offset fetch: a group-level error or the offsets (-1 for partitions without a commit). */
    public record FetchResult(Errors error, Map<TopicPartition, CommittedOffset> offsets) {
    }

    /** Committed offsets of {@code partitions}, or of every committed partition when {@code partitions} is null. */
    public FetchResult fetch(String groupId, List<TopicPartition> partitions) {
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
            return new FetchResult(Errors.NONE, out);
        }
    }

    /** OffsetDelete: removes offsets unless the (non-empty) group is subscribed to the topic. */
    public Map.Entry<Errors, Map<TopicPartition, Errors>> delete(String groupId, List<TopicPartition> partitions) {
        synchronized (c) {
            Errors e = c.checkCoordinator(groupId);
            ClassicGroup g = e == Errors.NONE ? c.groups.get(groupId) : null;
            if (e == Errors.NONE && g == null) {
                e = Errors.GROUP_ID_NOT_FOUND;
            }
            if (e == Errors.NONE && !g.isEmpty() && !"consumer".equals(g.protocolType)) {
                e = Errors.NON_EMPTY_GROUP;
            }
            if (e != Errors.NONE) {
                return Map.entry(e, Map.of());
            }
            Set<String> subscribed = subscribedTopics(g);
            Map<TopicPartition, Errors> out = new LinkedHashMap<>();
            List<CoordinatorLog.Entry> tombstones = new ArrayList<>();
            List<TopicPartition> removed = new ArrayList<>();
            for (TopicPartition tp : partitions) {
                if (subscribed.contains(tp.topic())) {
                    out.put(tp, Errors.GROUP_SUBSCRIBED_TO_TOPIC);
                    continue;
                }
                out.put(tp, Errors.NONE);
                if (g.offsets.containsKey(tp) || g.pendingOffsets.containsKey(tp)) {
                    tombstones.add(new CoordinatorLog.Entry(OffsetsTopicRecords.offsetKey(groupId, tp), null));
                    removed.add(tp);
                }
            }
            if (!tombstones.isEmpty()) {
                Errors written = appendLocally(groupId, tombstones, "delete offsets of");
                if (written != Errors.NONE) {
                    return Map.entry(written, Map.of());
                }
                removed.forEach(g::removeOffset);
            }
            return Map.entry(Errors.NONE, out);
        }
    }

    private Set<String> subscribedTopics(ClassicGroup g) {
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
     * Appends tombstones (deletions, expiry) and returns at once, as Kafka's classic coordinator
     * did; the client error when the append failed.
     */
    private Errors appendLocally(String groupId, List<CoordinatorLog.Entry> tombstones, String what) {
        try {
            c.log.append(c.partitionFor(groupId), tombstones);
            return Errors.NONE;
        } catch (IOException | RuntimeException ex) {
            LOG.warning("TRIB-GRP-003 cannot " + what + " group " + groupId + ": " + ex.getMessage());
            return GroupCoordinator.clientError(GroupCoordinator.appendError(ex));
        }
    }

    /** Writes tombstones for the group's offsets and metadata and forgets it; the client error when that failed. */
    Errors removeGroup(ClassicGroup g) {
        Set<TopicPartition> partitions = new HashSet<>(g.offsets.keySet());
        partitions.addAll(g.pendingOffsets.keySet());
        List<CoordinatorLog.Entry> tombstones = new ArrayList<>();
        for (TopicPartition tp : partitions) {
            tombstones.add(new CoordinatorLog.Entry(OffsetsTopicRecords.offsetKey(g.groupId, tp), null));
        }
        tombstones.add(new CoordinatorLog.Entry(OffsetsTopicRecords.groupKey(g.groupId), null));
        Errors written = appendLocally(g.groupId, tombstones, "delete");
        if (written == Errors.NONE) {
            g.transitionTo(GroupState.DEAD, c.time.milliseconds());
            c.groups.remove(g.groupId);
        }
        return written;
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
            if (!c.isCurrent(g) || !c.coordinating(g)) {
                continue;
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
                if (subscribed.contains(e.getKey().topic()) || g.pendingOffsets.containsKey(e.getKey())) {
                    continue;
                }
                long deadline = o.expireTimestamp() >= 0 ? o.expireTimestamp()
                        : (empty && managed ? g.stateTimestamp : o.commitTimestamp()) + retention;
                if (now >= deadline) {
                    expired.add(e.getKey());
                }
            }
            if (expired.isEmpty() && !empty) {
                continue;
            }
            if (empty && expired.size() == g.offsets.size() && g.pendingOffsets.isEmpty()) {
                if (removeGroup(g) == Errors.NONE && !expired.isEmpty()) {
                    LOG.info("TRIB-GRP-004 expired " + expired.size() + " offset(s) of empty group " + g.groupId + "; group removed");
                }
                continue;
            }
            List<CoordinatorLog.Entry> tombstones = new ArrayList<>();
            expired.forEach(tp -> tombstones.add(new CoordinatorLog.Entry(OffsetsTopicRecords.offsetKey(g.groupId, tp), null)));
            if (appendLocally(g.groupId, tombstones, "expire offsets of") == Errors.NONE) {
                expired.forEach(g::removeOffset);
            }
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
