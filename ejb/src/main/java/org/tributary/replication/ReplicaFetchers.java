package org.tributary.replication;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadFactory;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Time;
import org.tributary.config.BrokerConfig;
import org.tributary.network.InterBroker;
import org.tributary.metadata.MetadataImage;
import org.tributary.partition.Partition;
import org.tributary.partition.ReplicaManager;

/**
 * The follower side of replication: one {@link ReplicaFetcher} thread per leader broker, each
 * fetching all partitions this broker follows from that leader. Partitions move between fetchers
 * as leadership moves; a fetcher left without partitions stops. Thread-safe.
 */
public final class ReplicaFetchers implements ReplicaManager.Followers, AutoCloseable {
    private final int localId;
    private final LongSupplier brokerEpoch;
    private final Supplier<MetadataImage> image;
    private final ThreadFactory threads;
    private final ReplicaFetcher.Settings settings;
    private final Time time;
    /** Kafka's follower-side replication throttle (KIP-73), shared by every fetcher of this broker. */
    private final ReplicationThrottle throttle;
    private final Map<Integer, ReplicaFetcher> byLeader = new HashMap<>();
    private final Map<ReplicaFetcher, Thread> running = new HashMap<>();
    private boolean closed;

    /** {@code interBroker}: which listener of the leaders to fetch from, and how (plaintext or TLS). */
    public ReplicaFetchers(int localId, LongSupplier brokerEpoch, Supplier<MetadataImage> image, ThreadFactory threads,
            BrokerConfig config, InterBroker interBroker, Time time) {
        this.localId = localId;
        this.brokerEpoch = brokerEpoch;
        this.image = image;
        this.threads = threads;
        this.time = time;
        this.throttle = new ReplicationThrottle(ReplicationThrottle.Side.FOLLOWER, localId, image, time::milliseconds);
        this.settings = new ReplicaFetcher.Settings(
                config.getInt("replica.fetch.wait.max.ms", 500, 0, 60_000),
                config.getInt("replica.fetch.min.bytes", 1, 1, Integer.MAX_VALUE),
                config.getInt("replica.fetch.max.bytes", 1_048_576, 1, Integer.MAX_VALUE),
                config.getInt("replica.fetch.response.max.bytes", 10_485_760, 1, Integer.MAX_VALUE),
                config.getLong("replica.fetch.backoff.ms", 1_000L),
                config.getInt("replica.socket.timeout.ms", 30_000, 1, Integer.MAX_VALUE),
                interBroker);
    }

    @Override
    public synchronized void follow(Partition partition) {
        if (closed) {
            return;
        }
        int leader = partition.leader();
        TopicPartition tp = partition.topicPartition();
        for (ReplicaFetcher f : byLeader.values()) {
            if (f.leaderId() != leader) {
                f.remove(tp);
            }
        }
        ReplicaFetcher f = byLeader.get(leader);
        if (f == null) {
            f = new ReplicaFetcher(leader, localId, brokerEpoch, image, settings, time, throttle);
            Thread t = threads.newThread(f);
            try {
                t.setName("tributary-replica-fetcher-" + localId + "-from-" + leader);
            } catch (SecurityException ignored) {
                // a container thread may keep its own name
            }
            byLeader.put(leader, f);
            running.put(f, t);
            t.start();
        }
        f.add(partition);
        stopIdle();
    }

    @Override
    public synchronized void unfollow(TopicPartition tp) {
        for (ReplicaFetcher f : byLeader.values()) {
            f.remove(tp);
        }
        stopIdle();
    }

    /** Partitions being fetched, over all leaders (for tests and metrics). */
    public synchronized int followed() {
        return byLeader.values().stream().mapToInt(ReplicaFetcher::size).sum();
    }

    /** Partitions listed in the latest request to each leader, summed: an idle follower in fetch sessions lists none. */
    public synchronized int partitionsInLastRequests() {
        return byLeader.values().stream().mapToInt(ReplicaFetcher::lastRequestPartitions).sum();
    }

    /** Whether every leader this broker fetches from has given it a fetch session (KIP-227). */
    public synchronized boolean allInSessions() {
        return byLeader.values().stream().allMatch(f -> f.sessionId() != 0);
    }

    /**
     * Kafka's {@code ReplicaFetcherManager MaxLag}: how far, in offsets, the furthest-behind
     * partition this broker follows was behind its leader's high watermark at its last fetch answer;
     * 0 when it follows nothing.
     */
    public synchronized long maxLag() {
        return byLeader.values().stream().mapToLong(ReplicaFetcher::maxLag).max().orElse(0);
    }

    private void stopIdle() {
        byLeader.values().removeIf(f -> {
            if (f.isEmpty()) {
                f.shutdown();
                running.remove(f);
                return true;
            }
            return false;
        });
    }

    /** Stops every fetcher and waits (bounded) for their threads. */
    @Override
    public void close() {
        Map<ReplicaFetcher, Thread> stopping;
        synchronized (this) {
            closed = true;
            stopping = new HashMap<>(running);
            running.clear();
            byLeader.clear();
        }
        stopping.keySet().forEach(ReplicaFetcher::shutdown);
        long deadline = System.nanoTime() + 5_000_000_000L;
        for (Thread t : stopping.values()) {
            try {
                t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
