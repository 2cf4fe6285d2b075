package org.tributary.coordinator;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.IntUnaryOperator;
import java.util.logging.Logger;
import org.apache.kafka.common.protocol.Errors;

/**
 * Which partitions of an internal topic a coordinator serves, following this broker's
 * leaderships: a partition it comes to lead is loaded on the loader executor (its keys answer
 * COORDINATOR_LOAD_IN_PROGRESS meanwhile); one it stops leading is unloaded there (its keys answer
 * NOT_COORDINATOR at once). Leadership events take no coordinator lock (they come on the thread
 * applying metadata); the {@link Owner} installs and drops state under its own lock, checking
 * {@link #isCurrent} so a load superseded by a later leadership change installs nothing.
 *
 * <p>Thread-safe.
 */
public final class CoordinatorShards {
    private static final Logger LOG = Logger.getLogger(CoordinatorShards.class.getName());

    /** What the coordinator does on the loader thread. */
    public interface Owner {
        /** Replays {@code partition} for {@code shard} and installs its state if the shard is still current, then calls {@link #markLoaded}. */
        void load(int partition, Shard shard);

        /** Drops the partition's state (the shard is gone, or was replaced by a later one that has not loaded yet). */
        void unload(int partition);
    }

    /** One leadership of a partition: the leader epoch it was loaded in, and whether loading is done. */
    public static final class Shard {
        private final int epoch;
        private volatile boolean loaded;

        Shard(int epoch) {
            this.epoch = epoch;
        }

        /** The leader epoch of this leadership: the coordinator epoch of what it writes. */
        public int epoch() {
            return epoch;
        }

        public boolean loaded() {
            return loaded;
        }
    }

    private final String topic;
    private final IntUnaryOperator leaderEpoch;
    private final Executor loader;
    private final ConcurrentHashMap<Integer, Shard> shards = new ConcurrentHashMap<>();
    private volatile Owner owner;

    /**
     * {@code leaderEpoch} gives this broker's current leader epoch of a partition (-1 when it does
     * not lead it); {@code loader} runs loads and unloads one at a time, in event order.
     */
    public CoordinatorShards(String topic, IntUnaryOperator leaderEpoch, Executor loader) {
        this.topic = topic;
        this.leaderEpoch = leaderEpoch;
        this.loader = loader;
    }

    /** Set once, before the first leadership event. */
    public void owner(Owner owner) {
        this.owner = owner;
    }

    /**
     * NONE when the partition is served here and loaded in the current leader epoch;
     * COORDINATOR_LOAD_IN_PROGRESS while it loads; NOT_COORDINATOR otherwise (also when the
     * leadership moved and the unload has not run yet).
     */
    public Errors state(int partition) {
        Shard shard = shards.get(partition);
        if (shard == null || leaderEpoch.applyAsInt(partition) != shard.epoch) {
            return Errors.NOT_COORDINATOR;
        }
        return shard.loaded ? Errors.NONE : Errors.COORDINATOR_LOAD_IN_PROGRESS;
    }

    /** The loaded shard of the partition in the current leader epoch, or null. */
    public Shard loadedShard(int partition) {
        Shard shard = shards.get(partition);
        return shard != null && shard.loaded && leaderEpoch.applyAsInt(partition) == shard.epoch ? shard : null;
    }

    /** The current shard of the partition (loading or loaded), or null. */
    public Shard current(int partition) {
        return shards.get(partition);
    }

    /** Whether {@code shard} is still the partition's current leadership. */
    public boolean isCurrent(int partition, Shard shard) {
        return shards.get(partition) == shard;
    }

    /** Whether any partition is still loading. */
    public boolean loading() {
        return shards.values().stream().anyMatch(s -> !s.loaded);
    }

    /** Loading done: the partition's keys are served. */
    public void markLoaded(Shard shard) {
        shard.loaded = true;
    }

    /** Forgets a shard whose load failed or found another leader epoch (the next leadership event decides). */
    public void forget(int partition, Shard shard) {
        shards.remove(partition, shard);
    }

    /** This broker became the partition's leader in {@code leaderEpoch}: the loader replays it. No lock taken. */
    public void becameLeader(int partition, int epoch) {
        Shard shard = new Shard(epoch);
        if (shards.compute(partition, (p, current) -> current != null && current.epoch >= epoch ? current : shard) == shard) {
            run(() -> owner.load(partition, shard), "load partition " + partition);
        }
    }

    /** This broker stopped leading the partition as of {@code leaderEpoch}: the loader drops its state. No lock taken. */
    public void resigned(int partition, int epoch) {
        Shard current = shards.get(partition);
        if (current != null && current.epoch <= epoch && shards.remove(partition, current)) {
            run(() -> owner.unload(partition), "unload partition " + partition);
        }
    }

    private void run(Runnable task, String what) {
        try {
            loader.execute(task);
        } catch (RejectedExecutionException e) {
            LOG.fine(() -> topic + " coordinator stopped; cannot " + what);
        }
    }
}
