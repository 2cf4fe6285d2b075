package org.tributary.group;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Logger;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;

/**
 * The group coordinator's admin operations: ListGroups, DescribeGroups, DeleteGroups and
 * OffsetDelete, and the read-only {@link GroupsView} the console uses. The writes they make go
 * through {@link GroupOffsets} (tombstones), as every other offsets-topic write does.
 *
 * <p>Separate from {@link GroupCoordinator} so that the coordinator holds the membership protocol
 * (join, sync, heartbeat, leave, deadlines) and the offsets-topic writes, and the requests an
 * administrator sends live apart from the requests every consumer sends. Uses the coordinator's
 * lock, as {@link TxnOffsetCommits} does.
 */
final class GroupAdmin {
    /** The offsets' logger: what OffsetDelete logs keeps its category. */
    private static final Logger OFFSETS_LOG = Logger.getLogger(GroupOffsets.class.getName());

    private final GroupCoordinator c;

    GroupAdmin(GroupCoordinator coordinator) {
        this.c = coordinator;
    }

    /** See {@link GroupCoordinator#listGroups}. */
    List<GroupDescription> listGroups(Set<GroupState> states) {
        synchronized (c) {
            List<GroupDescription> out = new ArrayList<>();
            for (ClassicGroup g : c.groups.values()) {
                if (states.isEmpty() || states.contains(g.state)) {
                    out.add(g.describe());
                }
            }
            out.sort(Comparator.comparing(GroupDescription::groupId));
            return out;
        }
    }

    /** See {@link GroupCoordinator#describe}. */
    Map.Entry<Errors, GroupDescription> describe(String groupId) {
        synchronized (c) {
            Errors e = c.checkCoordinator(groupId);
            ClassicGroup g = c.groups.get(groupId);
            if (e != Errors.NONE || g == null) {
                return Map.entry(e, new GroupDescription(groupId, GroupState.DEAD, "", "", -1, null, List.of()));
            }
            return Map.entry(Errors.NONE, g.describe());
        }
    }

    /** See {@link GroupCoordinator#deleteGroups}. */
    CompletableFuture<Map<String, Errors>> deleteGroups(List<String> groupIds) {
        synchronized (c) {
            Map<String, CompletableFuture<Errors>> results = new LinkedHashMap<>();
            Map<Integer, List<ClassicGroup>> toDelete = new LinkedHashMap<>();
            for (String id : groupIds) {
                if (results.containsKey(id)) {
                    continue;
                }
                Errors e = c.checkCoordinator(id);
                ClassicGroup g = e == Errors.NONE ? c.groups.get(id) : null;
                if (e != Errors.NONE) {
                    results.put(id, done(e));
                } else if (g == null) {
                    results.put(id, done(Errors.GROUP_ID_NOT_FOUND));
                } else if (g.state != GroupState.EMPTY) {
                    results.put(id, done(Errors.NON_EMPTY_GROUP));
                } else if (g.deletion != null) {
                    results.put(id, g.deletion.outcome()
                            .thenApply(written -> written == Errors.NONE ? Errors.GROUP_ID_NOT_FOUND : OffsetsWriter.clientError(written)));
                } else {
                    results.put(id, null); // answered below, keeping the order
                    toDelete.computeIfAbsent(c.partitionFor(id), p -> new ArrayList<>()).add(g);
                }
            }
            for (List<ClassicGroup> gs : toDelete.values()) {
                CompletableFuture<Errors> answer = c.offsets().removeGroups(gs).thenApply(OffsetsWriter::clientError);
                gs.forEach(g -> results.put(g.groupId, answer));
            }
            return CompletableFuture.allOf(results.values().toArray(CompletableFuture[]::new)).thenApply(all -> {
                Map<String, Errors> out = new LinkedHashMap<>();
                results.forEach((id, f) -> out.put(id, f.join()));
                return out;
            });
        }
    }

    /** See {@link GroupOffsets#delete}. */
    CompletableFuture<Map.Entry<Errors, Map<TopicPartition, Errors>>> deleteOffsets(String groupId, List<TopicPartition> partitions) {
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
                return CompletableFuture.completedFuture(Map.entry(e, Map.of()));
            }
            Set<String> subscribed = c.offsets().subscribedTopics(g);
            Map<TopicPartition, Errors> out = new LinkedHashMap<>();
            List<CoordinatorLog.Entry> tombstones = new ArrayList<>();
            List<TopicPartition> removed = new ArrayList<>();
            for (TopicPartition tp : partitions) {
                if (subscribed.contains(tp.topic())) {
                    out.put(tp, Errors.GROUP_SUBSCRIBED_TO_TOPIC);
                    continue;
                }
                out.put(tp, Errors.NONE);
                if (g.offsets.containsKey(tp) || g.pendingOffsets.containsKey(tp) || g.hasPendingTxnOffset(tp)) {
                    tombstones.add(new CoordinatorLog.Entry(OffsetsTopicRecords.offsetKey(groupId, tp), null));
                    removed.add(tp);
                }
            }
            if (tombstones.isEmpty()) {
                return CompletableFuture.completedFuture(Map.entry(Errors.NONE, out));
            }
            OffsetsWriter.Write w = c.offsets().writeTombstones(g, removed, tombstones);
            return w.replicated().thenApply(written -> {
                synchronized (c) {
                    c.offsets().tombstonesDone(g, removed, w.position(), written);
                }
                if (written != Errors.NONE) {
                    OFFSETS_LOG.warning("TRIB-GRP-003 cannot delete " + removed.size() + " offset(s) of group " + groupId + ": " + written);
                    return Map.entry(OffsetsWriter.clientError(written), Map.of());
                }
                return Map.entry(Errors.NONE, out);
            });
        }
    }

    /** See {@link GroupsView#describeGroup}. */
    Optional<GroupDescription> describeGroup(String groupId) {
        synchronized (c) {
            ClassicGroup g = c.groups.get(groupId);
            return g == null ? Optional.empty() : Optional.of(g.describe());
        }
    }

    private static <T> CompletableFuture<T> done(T value) {
        return CompletableFuture.completedFuture(value);
    }
}
