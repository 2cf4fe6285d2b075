package org.tributary.api;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.tributary.partition.DelayedOperation;
import org.tributary.partition.Partition;
import org.tributary.partition.ReplicaManager;
import org.tributary.replication.ReplicationThrottle;

/**
 * A long-poll fetch: completes when min.bytes are ready, on timeout, or at shutdown, as Kafka's
 * DelayedFetch. Checking it reads no log and looks nothing up: per partition it compares the
 * fetch offset with the partition's end (the log end for a follower, the high watermark or the
 * last stable offset for a consumer) and adds up the bytes available (any for min.bytes 1; else
 * counted once per new end, up to the partition's max bytes; none for a throttled replica). It
 * completes at once when a partition is no longer led here in the leader epoch it was served
 * in (lost, fenced, removed: its log may have diverged since) or its log start passed the fetch
 * offset. A wake for one partition looks at that partition only. The one read of the logs is
 * the answer's.
 *
 * <p>Made by {@link FetchHandler} from the first read of a request: the {@link FetchWatch}es it
 * noted and the local partitions' generation it resolved them in. The handler's log read counter
 * counts the reads made to count bytes; {@code answer} reads the fetch again and builds its
 * answer, and completes {@code done} with it (or with what it threw) when this completes. The
 * watches' counts, the generation and the sum available are guarded by this.
 */
final class DelayedFetch extends DelayedOperation {
    private final ReplicaManager replicas;
    /** The leader-side replication throttle (KIP-73); null when none. */
    private final ReplicationThrottle leaderThrottle;
    private final LongAdder logReads;
    private final FetchHandler.Follower follower;
    private final boolean readCommitted;
    private final long minBytes;
    private final Supplier<FetchResponseData> answer;
    private final CompletableFuture<ApiMessage> done;
    private final Map<TopicPartition, FetchWatch> watches;
    /** The local partitions' generation the watched partitions are known to be current in. Guarded by this. */
    private long generation;
    /** The sum of the watches' counted bytes. Guarded by this. */
    private long available;

    DelayedFetch(FetchRequestData req, short version, FetchHandler.Follower follower, List<FetchWatch> firstWatches,
            long firstGeneration, ReplicaManager replicas, ReplicationThrottle leaderThrottle, LongAdder logReads,
            Supplier<FetchResponseData> answer, CompletableFuture<ApiMessage> done) {
        super(req.maxWaitMs());
        this.replicas = replicas;
        this.leaderThrottle = leaderThrottle;
        this.logReads = logReads;
        this.follower = follower;
        this.readCommitted = version >= 4 && req.isolationLevel() == 1;
        this.minBytes = Math.max(1, req.minBytes());
        this.answer = answer;
        this.done = done;
        this.watches = new HashMap<>(firstWatches.size() * 2);
        for (FetchWatch w : firstWatches) {
            watches.put(w.tp, w);
            available += w.counted;
        }
        this.generation = firstGeneration;
    }

    /** The partitions to watch: an append or a moved high watermark on one of them may complete this fetch. */
    Collection<TopicPartition> keys() {
        return List.copyOf(watches.keySet());
    }

    @Override
    public boolean tryComplete() {
        boolean ready;
        synchronized (this) {
            ready = !stillServed();
            long sum = 0;
            for (FetchWatch w : watches.values()) {
                if (ready) {
                    break;
                }
                long bytes = check(w);
                ready = bytes < 0;
                sum += bytes;
            }
            available = sum;
            ready |= available >= minBytes;
        }
        return ready && forceComplete();
    }

    @Override
    public boolean tryComplete(TopicPartition key) {
        FetchWatch w = watches.get(key);
        if (w == null) {
            return tryComplete();
        }
        boolean ready;
        synchronized (this) {
            long before = w.counted;
            long bytes = stillServed() ? check(w) : -1;
            if (bytes >= 0) {
                available += bytes - before;
            }
            ready = bytes < 0 || available >= minBytes;
        }
        return ready && forceComplete();
    }

    /**
     * Whether every watched partition is still this broker's replica: looked up again only when
     * the local partitions changed since the last look (a removed or replaced partition).
     */
    private boolean stillServed() {
        long current = replicas.generation();
        if (current == generation) {
            return true;
        }
        for (FetchWatch w : watches.values()) {
            if (replicas.replica(w.tp).orElse(null) != w.partition) {
                return false;
            }
        }
        generation = current;
        return true;
    }

    /** The bytes available for {@code w} now (updating its count), or -1 when the fetch should answer at once. */
    private long check(FetchWatch w) {
        Partition p = w.partition;
        if (!p.isLeader() || p.leaderEpoch() != w.leaderEpoch || p.log().logStartOffset() > w.fetchOffset) {
            return -1;
        }
        long end = follower != null ? p.logEndOffset() : readCommitted ? p.lastStableOffset() : p.highWatermark();
        long bytes;
        if (end <= w.fetchOffset || throttled(w)) {
            bytes = 0;
        } else if (end == w.countedEnd) {
            return w.counted;
        } else if (minBytes <= 1) {
            bytes = 1; // any record is enough: no need to count them
        } else {
            bytes = bytesBetween(w, end);
            if (bytes < 0) {
                return -1;
            }
        }
        w.countedEnd = end;
        w.counted = bytes;
        return bytes;
    }

    /** A follower outside the ISR of a throttled replica: its bytes do not count (Kafka's rule). */
    private boolean throttled(FetchWatch w) {
        return follower != null && leaderThrottle != null && leaderThrottle.throttles(w.tp)
                && !w.partition.isr().contains(follower.replicaId());
    }

    /** The bytes from the fetch offset below {@code end}, up to the partition's max bytes; -1 when the log cannot tell. */
    private long bytesBetween(FetchWatch w, long end) {
        int max = Math.max(0, w.maxBytes);
        if (max == 0) {
            return 0;
        }
        try {
            logReads.increment();
            return Math.min(max, w.partition.log().read(w.fetchOffset, max, end, true).records().sizeInBytes());
        } catch (Exception e) {
            return -1; // the answer's read reports it
        }
    }

    @Override
    protected void onComplete() {
        try {
            done.complete(answer.get());
        } catch (RuntimeException e) {
            done.completeExceptionally(e);
        }
    }
}
