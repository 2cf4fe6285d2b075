package org.tributary.group;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.logging.Logger;
import org.apache.kafka.common.protocol.Errors;
import org.tributary.coordinator.CoordinatorShards;
import org.tributary.coordinator.CoordinatorShards.Shard;

/**
 * Which {@code __consumer_offsets} partitions the {@link GroupCoordinator} coordinates, following
 * this broker's leaderships: a partition it comes to lead is replayed on the loader executor while
 * its groups answer COORDINATOR_LOAD_IN_PROGRESS; one it stops leading is unloaded, its waiting
 * members answered NOT_COORDINATOR. Leadership events take no coordinator lock (they come on the
 * thread applying metadata); installing and dropping groups happens under it.
 */
final class GroupLeadership implements CoordinatorShards.Owner {
    private static final Logger LOG = Logger.getLogger(GroupLeadership.class.getName());
    private static final String OFFSETS_TOPIC = org.apache.kafka.common.internals.Topic.GROUP_METADATA_TOPIC_NAME;

    private final GroupCoordinator c;
    /** The partitions coordinated here (loading or loaded), with loads and unloads run on the loader, one at a time, in event order. */
    private final CoordinatorShards shards;
    /** Markers heard of while their partition was loading, per partition (guarded by the coordinator's lock). */
    private final Map<Integer, List<Marker>> markersWhileLoading = new java.util.HashMap<>();

    /** A transaction marker written at {@code offset}. */
    record Marker(long producerId, boolean commit, long offset) {
    }

    GroupLeadership(GroupCoordinator coordinator, Executor loader) {
        this.c = coordinator;
        this.shards = new CoordinatorShards(OFFSETS_TOPIC, coordinator.log::leaderEpoch, loader);
        shards.owner(this);
    }

    /**
     * NONE when the partition is coordinated here and loaded in the current leader epoch;
     * COORDINATOR_LOAD_IN_PROGRESS while it loads; NOT_COORDINATOR otherwise (also when the
     * leadership moved and the unload has not run yet).
     */
    Errors state(int partition) {
        return shards.state(partition);
    }

    /** A replicated marker: applied to the partition's groups, or kept while the partition loads. */
    void markerWritten(int partition, Marker m) {
        synchronized (c) {
            Errors state = shards.state(partition);
            if (state == Errors.COORDINATOR_LOAD_IN_PROGRESS) {
                markersWhileLoading.computeIfAbsent(partition, p -> new java.util.ArrayList<>()).add(m);
            } else if (state == Errors.NONE) {
                apply(partition, m);
            } // else not coordinated here: the next leader's replay reads the marker from the log
        }
    }

    /** Ends a transaction in the partition's groups (under the coordinator's lock). */
    private void apply(int partition, Marker m) {
        java.util.Set<String> ids = c.txnGroups.get(m.producerId());
        if (ids == null) {
            return;
        }
        for (String id : List.copyOf(ids)) {
            ClassicGroup g = c.groups.get(id);
            if (g == null || !g.pendingTxnOffsets.containsKey(m.producerId())) {
                ids.remove(id); // gone, or its transaction already ended
                continue;
            }
            if (c.partitionFor(id) != partition) {
                continue;
            }
            Map<org.apache.kafka.common.TopicPartition, ClassicGroup.TxnOffset> ended = g.endTxn(m.producerId(), m.offset());
            if (m.commit()) {
                ended.forEach(g::applyTxnOffset);
            }
            if (!g.pendingTxnOffsets.containsKey(m.producerId())) {
                ids.remove(id);
            }
            c.dropIfUnused(g);
        }
        if (ids.isEmpty()) {
            c.txnGroups.remove(m.producerId());
        }
    }

    /** Whether any partition is still loading. */
    boolean loading() {
        return shards.loading();
    }

    /**
     * This broker became the leader of offsets topic partition {@code partition} in
     * {@code leaderEpoch}: from now its groups answer COORDINATOR_LOAD_IN_PROGRESS, and the loader
     * replays the partition. Called on the thread applying metadata: takes no coordinator lock.
     */
    void becameLeader(int partition, int leaderEpoch) {
        shards.becameLeader(partition, leaderEpoch);
    }

    /**
     * This broker stopped leading the partition (follower, offline, removed) as of
     * {@code leaderEpoch}: from now its groups answer NOT_COORDINATOR, and the loader drops them and
     * answers what their members wait for. Takes no coordinator lock.
     */
    void resigned(int partition, int leaderEpoch) {
        shards.resigned(partition, leaderEpoch);
    }

    /**
     * Drops what an earlier leadership left, replays the partition (without the lock), then installs
     * its groups unless the leadership changed meanwhile.
     */
    @Override
    public void load(int partition, Shard shard) {
        synchronized (c) {
            if (!shards.isCurrent(partition, shard)) {
                return; // superseded before it ran
            }
            dropGroups(partition);
        }
        long start = c.time.milliseconds();
        GroupLoader.Loaded loaded;
        try {
            loaded = GroupLoader.replay(c.log, partition, start);
        } catch (IOException | RuntimeException e) {
            shards.forget(partition, shard);
            LOG.warning("TRIB-GRP-007 cannot load partition " + partition + " of __consumer_offsets (leader epoch " + shard.epoch()
                    + "): " + e.getMessage());
            return;
        }
        synchronized (c) {
            if (!shards.isCurrent(partition, shard)) {
                return; // unloaded or superseded meanwhile
            }
            if (loaded.leaderEpoch() != shard.epoch()) {
                shards.forget(partition, shard); // the next leadership event decides
                return;
            }
            long now = c.time.milliseconds();
            for (ClassicGroup g : loaded.groups().values()) {
                g.members.values().forEach(m -> m.heartbeatDeadline = now + m.sessionTimeoutMs);
                c.groups.put(g.groupId, g);
                g.pendingTxnOffsets.keySet().forEach(pid -> c.txnGroups.computeIfAbsent(pid, id -> new java.util.HashSet<>()).add(g.groupId));
            }
            loaded.staged().forEach((id, staged) -> staged.forEach((tp, o) -> loaded.groups().get(id).pendingOffsets.put(tp, o.position())));
            shards.markLoaded(shard);
            List<Marker> heard = markersWhileLoading.remove(partition);
            if (heard != null) {
                heard.stream().filter(m -> m.offset() >= loaded.endOffset()).forEach(m -> apply(partition, m));
            }
            String summary = "TRIB-GRP-005 loaded partition " + partition + " of __consumer_offsets (leader epoch " + shard.epoch()
                    + ") in " + (now - start) + " ms: " + loaded.groups().size() + " group(s), " + loaded.offsetCount()
                    + " committed offset(s)" + (loaded.stagedCount() > 0 ? ", " + loaded.stagedCount() + " more once replicated" : "");
            LOG.log(loaded.groups().isEmpty() ? java.util.logging.Level.FINE : java.util.logging.Level.INFO, summary);
            if (!loaded.staged().isEmpty()) {
                awaitLoadedOffsets(partition, shard, loaded.endOffset(), loaded.staged());
            }
        }
    }

    /** Offsets loaded from above the high watermark become visible once it covers the end of the replay. */
    private void awaitLoadedOffsets(int partition, Shard shard, long endOffset, Map<String, Map<org.apache.kafka.common.TopicPartition,
            GroupLoader.Staged>> staged) {
        c.log.awaitCommitted(partition, endOffset, shard.epoch(), c.config.offsetCommitTimeoutMs())
                .handleAsync((e, ex) -> ex == null ? e : OffsetsWriter.appendError(ex), c.completions)
                .thenAccept(e -> {
                    synchronized (c) {
                        if (!shards.isCurrent(partition, shard)) {
                            return;
                        }
                        if (e == Errors.REQUEST_TIMED_OUT) {
                            awaitLoadedOffsets(partition, shard, endOffset, staged);
                        } else if (e == Errors.NONE || e == Errors.NOT_ENOUGH_REPLICAS_AFTER_APPEND) { // covered by the high watermark
                            staged.forEach((id, offsets) -> {
                                ClassicGroup g = c.groups.get(id);
                                if (g != null) {
                                    offsets.forEach((tp, o) -> g.onOffsetCommitted(tp, o.offset(), o.position()));
                                }
                            });
                        } // else the leadership moved: the unload follows
                    }
                });
    }

    @Override
    public void unload(int partition) {
        synchronized (c) {
            Shard current = shards.current(partition);
            if (current == null || !current.loaded()) { // (a later load drops them itself)
                dropGroups(partition);
            }
        }
    }

    /** Drops the partition's groups; what their members wait for is answered NOT_COORDINATOR (they go find the new one). */
    private void dropGroups(int partition) {
        markersWhileLoading.remove(partition);
        c.txnGroups.values().forEach(ids -> ids.removeIf(id -> c.partitionFor(id) == partition));
        c.txnGroups.values().removeIf(java.util.Set::isEmpty);
        int dropped = 0;
        long now = c.time.milliseconds();
        for (ClassicGroup g : List.copyOf(c.groups.values())) {
            if (c.partitionFor(g.groupId) == partition) {
                g.members.values().forEach(m -> m.failWaiting(Errors.NOT_COORDINATOR));
                g.transitionTo(GroupState.DEAD, now);
                c.groups.remove(g.groupId);
                dropped++;
            }
        }
        int n = dropped;
        LOG.log(n == 0 ? java.util.logging.Level.FINE : java.util.logging.Level.INFO,
                () -> "TRIB-GRP-008 unloaded partition " + partition + " of __consumer_offsets: " + n + " group(s)");
    }
}
