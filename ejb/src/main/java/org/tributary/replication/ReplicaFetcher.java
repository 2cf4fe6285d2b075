package org.tributary.replication;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.kafka.clients.FetchSessionHandler;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.utils.LogContext;
import org.apache.kafka.common.utils.Time;
import org.tributary.metadata.BrokerRegistration;
import org.tributary.network.InterBroker;
import org.tributary.metadata.MetadataImage;
import org.tributary.partition.Partition;

/**
 * Copies the partitions this broker follows from one leader broker: a loop on its own thread that
 * sends one Fetch (the replica form: replica id and broker epoch, KIP-903; every partition with its
 * fetch offset, leader epoch and last fetched epoch, KIP-320) and applies the answer: appends the
 * batches as they are, takes the leader's high watermark, truncates where the leader reports a
 * divergence, starts again at the leader's log start when this log is entirely behind it. A
 * partition whose leader answers with an error waits {@code replica.fetch.backoff.ms} (the
 * metadata will re-point it); a lost connection backs off all of them.
 *
 * <p>Fetches use an incremental fetch session (KIP-227) with the leader, kept by kafka-clients'
 * {@link FetchSessionHandler} as Kafka's own replica fetcher does: once the session is open a
 * request lists only partitions whose fetch offset, epochs, log start or size limit changed (and
 * those to forget), so an idle round lists none; a session error or a lost connection falls back
 * to a full fetch that opens a new session.
 *
 * <p>Partitions are added and removed from other threads; {@link #remove} returns once no answer
 * for the partition is being applied.
 */
final class ReplicaFetcher implements Runnable {
    private static final Logger LOG = Logger.getLogger(ReplicaFetcher.class.getName());
    /** How long a fetcher with only throttled replicas waits before it looks at the rate again. */
    private static final long THROTTLE_WAIT_MS = 100;
    /** Fetch v15: topic ids and the replica state (id, broker epoch). */
    static final short FETCH_VERSION = 15;

    /** Fetcher settings, Kafka's names: replica.fetch.wait.max.ms, .min.bytes, .max.bytes, .response.max.bytes, .backoff.ms. */
    record Settings(int maxWaitMs, int minBytes, int partitionMaxBytes, int responseMaxBytes, long backoffMs, int socketTimeoutMs,
            InterBroker interBroker) {
        static final Settings DEFAULTS = new Settings(500, 1, 1_048_576, 10_485_760, 1_000L, 30_000, InterBroker.PLAINTEXT);
    }

    /**
     * One followed partition. Besides the leader epoch it follows in, it keeps the fetch state it
     * last sent (fetcher thread only): the fetch offset and the epoch of the last batch held are
     * looked up again only when the log end moved or an answer was applied to the log (an append,
     * a truncation), so an idle round reads a few fields per partition.
     */
    private static final class Target {
        final Partition partition;
        final int leaderEpoch;
        volatile long backoffUntilMs;
        /** Offsets this replica was behind the leader's high watermark at its last answer (Kafka's fetcher lag). */
        volatile long lag;
        /** The fetch state last given to the session builder; null: to be looked up again. */
        private FetchRequest.PartitionData state;
        /** The round this partition was last sent in, and its fetch offset then. */
        long sentRound = -1;
        long sentOffset;

        Target(Partition partition, int leaderEpoch) {
            this.partition = partition;
            this.leaderEpoch = leaderEpoch;
        }

        /** The fetch state to send now: the one last sent while the log end, log start and size limit are the same. */
        FetchRequest.PartitionData fetchState(int maxBytes) {
            long end = partition.logEndOffset();
            long logStart = partition.log().logStartOffset();
            FetchRequest.PartitionData s = state;
            if (s == null || s.fetchOffset != end || s.logStartOffset != logStart || s.maxBytes != maxBytes) {
                int lastFetched = s != null && s.fetchOffset == end ? s.lastFetchedEpoch.orElse(-1) : partition.lastFetchedEpoch();
                s = new FetchRequest.PartitionData(partition.topicId(), end, logStart, maxBytes, Optional.of(leaderEpoch),
                        lastFetched < 0 ? Optional.empty() : Optional.of(lastFetched));
                state = s;
            }
            return s;
        }

        /** An answer was applied to the log (which may have changed its last epoch without moving its end). */
        void logChanged() {
            state = null;
        }
    }

    private final int leaderId;
    private final int localId;
    private final LongSupplier brokerEpoch;
    private final Supplier<MetadataImage> image;
    private final Settings settings;
    private final Time time;
    private final BrokerChannel channel;
    private final ReplicationThrottle throttle;
    private final ConcurrentHashMap<TopicPartition, Target> targets = new ConcurrentHashMap<>();
    /** The names of the topics ids followed (or once followed) from this leader: answers name topics by id. */
    private final ConcurrentHashMap<Uuid, String> topicNames = new ConcurrentHashMap<>();
    /** Rounds sent; fetcher thread only. */
    private long rounds;
    /** Held while an answer is applied, so {@link #remove} can wait for it; also signals new partitions. */
    private final ReentrantLock applying = new ReentrantLock();
    private final Condition changed = applying.newCondition();
    private volatile boolean running = true;
    private long lastWarnMs;
    /** The fetch session with the leader; used by the fetcher thread only. */
    private final FetchSessionHandler session;
    /** Partitions listed in the last request sent (tests: an idle session sends none). */
    private volatile int lastRequestPartitions;

    ReplicaFetcher(int leaderId, int localId, LongSupplier brokerEpoch, Supplier<MetadataImage> image, Settings settings, Time time) {
        this(leaderId, localId, brokerEpoch, image, settings, time, null);
    }

    /** With a follower-side replication throttle ({@code null}: none). */
    ReplicaFetcher(int leaderId, int localId, LongSupplier brokerEpoch, Supplier<MetadataImage> image, Settings settings, Time time,
            ReplicationThrottle throttle) {
        this.throttle = throttle;
        this.leaderId = leaderId;
        this.localId = localId;
        this.brokerEpoch = brokerEpoch;
        this.image = image;
        this.settings = settings;
        this.time = time;
        this.session = new FetchSessionHandler(new LogContext("[replica fetcher " + localId + " from " + leaderId + "] "), leaderId);
        this.channel = new BrokerChannel("tributary-replica-fetcher-" + localId + "-from-" + leaderId, 10_000,
                settings.interBroker().tls(), settings.interBroker().sasl());
    }

    int leaderId() {
        return leaderId;
    }

    void add(Partition p) {
        applying.lock();
        try {
            topicNames.put(p.topicId(), p.topicPartition().topic());
            targets.put(p.topicPartition(), new Target(p, p.leaderEpoch()));
            changed.signalAll();
        } finally {
            applying.unlock();
        }
    }

    /** Stops fetching {@code tp}; when this returns no answer for it is being applied. */
    void remove(TopicPartition tp) {
        applying.lock();
        try {
            targets.remove(tp);
        } finally {
            applying.unlock();
        }
    }

    /** The largest lag behind the leader's high watermark, in offsets, of the partitions fetched from this leader. */
    long maxLag() {
        long max = 0;
        for (Target t : targets.values()) {
            max = Math.max(max, t.lag);
        }
        return max;
    }

    /** How many partitions the last request listed (an incremental request lists only changed ones). */
    int lastRequestPartitions() {
        return lastRequestPartitions;
    }

    /** The id of the fetch session with the leader (0: none yet, the next fetch is a full one). */
    int sessionId() {
        return session.sessionId();
    }

    boolean isEmpty() {
        return targets.isEmpty();
    }

    int size() {
        return targets.size();
    }

    void shutdown() {
        running = false;
        applying.lock();
        try {
            changed.signalAll();
        } finally {
            applying.unlock();
        }
        channel.close();
    }

    @Override
    public void run() {
        while (running) {
            try {
                fetchOnce();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                warn("TRIB-REPL-003 fetching from broker " + leaderId + " failed: " + e, e);
                backOffAll();
            }
        }
        channel.close();
    }

    /** One round: build, send, apply. Waits when there is nothing to fetch. */
    void fetchOnce() throws InterruptedException {
        long now = time.milliseconds();
        long round = ++rounds;
        List<Target> sent = new ArrayList<>(targets.size());
        long nextWake = Long.MAX_VALUE;
        for (Target t : targets.values()) {
            long until = t.backoffUntilMs;
            if (until > now) {
                nextWake = Math.min(nextWake, until);
            } else {
                sent.add(t);
            }
        }
        if (sent.isEmpty()) {
            awaitChange(nextWake == Long.MAX_VALUE ? 1_000L : Math.max(1L, nextWake - now));
            return;
        }
        if (throttle != null && throttle.headroomBytes() <= 0) {
            // over the follower-side replication throttle: replicas outside the ISR wait for the rate to come down
            sent.removeIf(t -> throttle.throttles(t.partition.topicPartition()) && !t.partition.isr().contains(localId));
            if (sent.isEmpty()) {
                awaitChange(THROTTLE_WAIT_MS);
                return;
            }
        }
        InetSocketAddress leader = leaderAddress();
        if (leader == null) {
            backOff(sent);
            return;
        }
        channel.target(leader);
        FetchRequestData req = request(sent, round);
        FetchResponseData resp;
        try {
            resp = channel.send(ApiKeys.FETCH, FETCH_VERSION, req, FetchResponseData::new,
                    settings.socketTimeoutMs() + settings.maxWaitMs());
        } catch (IOException e) {
            session.handleError(e); // the next fetch is a full one, opening a new session
            if (!running) {
                return; // shut down: the channel was closed on purpose
            }
            warn("TRIB-REPL-002 cannot fetch from broker " + leaderId + " at " + leader + ": " + e.getMessage()
                    + "; retrying in " + settings.backoffMs() + " ms", null);
            backOff(sent);
            return;
        }
        if (!session.handleResponse(FetchResponse.of(resp), FETCH_VERSION)) {
            Errors error = Errors.forCode(resp.errorCode());
            if (error == Errors.FETCH_SESSION_ID_NOT_FOUND || error == Errors.INVALID_FETCH_SESSION_EPOCH) {
                // as Kafka's fetcher: no back-off, the handler has reset the session and the next round is a full fetch
                LOG.fine(() -> "TRIB-REPL-013 broker " + leaderId + " lost this fetcher's session (" + error + "); fetching in full");
                return;
            }
        }
        if (resp.errorCode() != Errors.NONE.code()) {
            warn("TRIB-REPL-004 broker " + leaderId + " refused the fetch: " + Errors.forCode(resp.errorCode()), null);
            backOff(sent);
            return;
        }
        for (FetchResponseData.FetchableTopicResponse tr : resp.responses()) {
            String topic = topicNames.get(tr.topicId());
            if (topic == null) {
                continue;
            }
            for (FetchResponseData.PartitionData pd : tr.partitions()) {
                TopicPartition tp = new TopicPartition(topic, pd.partitionIndex());
                Target t = targets.get(tp);
                if (t != null && t.sentRound == round && t.partition.topicId().equals(tr.topicId())) {
                    if (throttle != null && throttle.throttles(tp) && !t.partition.isr().contains(localId)) {
                        throttle.record(pd.records() == null ? 0 : pd.records().sizeInBytes());
                    }
                    apply(tp, t, t.sentOffset, pd);
                }
            }
        }
    }

    /** The request a round would send now over the partitions not backed off (the scale probe times it). */
    FetchRequestData nextRequest() {
        long now = time.milliseconds();
        List<Target> sent = new ArrayList<>();
        for (Target t : targets.values()) {
            if (t.backoffUntilMs <= now) {
                sent.add(t);
            }
        }
        return request(sent, ++rounds);
    }

    /** Takes a leader's answer into the fetch session only, as a round does before applying it (the scale probe's leader). */
    boolean sessionAnswer(FetchResponseData resp) {
        return session.handleResponse(FetchResponse.of(resp), FETCH_VERSION);
    }

    /**
     * The next request of the session: every partition of the round goes to the session builder
     * with its fetch state (see {@link Target#fetchState}), which lists only those new or changed
     * since the last request (all of them in a full fetch) and forgets those no longer in the round
     * (backed off, throttled, removed). Each partition notes the round and the offset it was sent with.
     */
    private FetchRequestData request(List<Target> sent, long round) {
        FetchSessionHandler.Builder builder = session.newBuilder(sent.size(), false);
        for (Target t : sent) {
            TopicPartition tp = t.partition.topicPartition();
            FetchRequest.PartitionData state = t.fetchState(partitionMaxBytes(tp, t.partition));
            t.sentRound = round;
            t.sentOffset = state.fetchOffset;
            builder.add(tp, state);
        }
        FetchSessionHandler.FetchRequestData data = builder.build();
        lastRequestPartitions = data.toSend().size();
        return FetchRequest.Builder.forReplica(FETCH_VERSION, localId, brokerEpoch.getAsLong(), settings.maxWaitMs(),
                        settings.minBytes(), data.toSend())
                .setMaxBytes(settings.responseMaxBytes()).removed(data.toForget()).replaced(data.toReplace())
                .metadata(data.metadata()).build(FETCH_VERSION).data();
    }

    /** The most to ask for one partition: a throttled replica outside the ISR asks for no more than the throttle allows now. */
    private int partitionMaxBytes(TopicPartition tp, Partition p) {
        int max = settings.partitionMaxBytes();
        if (throttle != null && throttle.throttles(tp) && !p.isr().contains(localId)) {
            max = (int) Math.max(1, Math.min(max, throttle.headroomBytes()));
        }
        return max;
    }

    /** Applies one partition's answer, unless the partition was removed or re-pointed meanwhile. */
    private void apply(TopicPartition tp, Target sent, long fetchOffset, FetchResponseData.PartitionData pd) {
        applying.lock();
        try {
            if (targets.get(tp) != sent) {
                return; // removed or re-pointed while the fetch was in flight
            }
            try {
                sent.logChanged();
                if (FollowerApply.applyAnswer(sent.partition, leaderId, sent.leaderEpoch, fetchOffset, pd)) {
                    sent.lag = Math.max(0, pd.highWatermark() - sent.partition.logEndOffset());
                } else {
                    sent.backoffUntilMs = time.milliseconds() + settings.backoffMs();
                    if (pd.errorCode() == Errors.TOPIC_AUTHORIZATION_FAILED.code()) {
                        warn("TRIB-REPL-012 broker " + leaderId + " refuses this broker's replica fetches (" + tp
                                + ": TOPIC_AUTHORIZATION_FAILED): grant CLUSTER_ACTION on the cluster to the principal brokers"
                                + " connect as (User:ANONYMOUS on PLAINTEXT)", null);
                    }
                }
            } catch (org.apache.kafka.common.errors.KafkaStorageException e) {
                // this replica's log failed a write before (TRIB-LOG-020 said so once): it takes no more
                // until the node restarts, as Kafka's fetcher leaves partitions of an offline log directory
                LOG.fine(() -> "TRIB-REPL-007 " + tp + ": not applying the fetch from broker " + leaderId + ": " + e.getMessage());
                sent.backoffUntilMs = time.milliseconds() + settings.backoffMs();
            } catch (IOException | RuntimeException e) {
                warn("TRIB-REPL-007 " + tp + ": could not apply the fetch from broker " + leaderId + ": " + e.getMessage(), null);
                sent.backoffUntilMs = time.milliseconds() + settings.backoffMs();
            }
        } finally {
            applying.unlock();
        }
    }

    private InetSocketAddress leaderAddress() {
        MetadataImage img = image.get();
        BrokerRegistration b = img == null ? null : img.broker(leaderId).orElse(null);
        if (b == null || b.fenced()) {
            return null;
        }
        // the leader's endpoint for inter.broker.listener.name, as in Kafka; a leader without it cannot be reached
        return b.endpoint(settings.interBroker().listener()).map(e -> new InetSocketAddress(e.host(), e.port()))
                .orElse(null);
    }

    private void backOff(Iterable<Target> round) {
        long until = time.milliseconds() + settings.backoffMs();
        for (Target t : round) {
            t.backoffUntilMs = until;
        }
    }

    private void backOffAll() {
        backOff(targets.values());
    }

    private void awaitChange(long ms) throws InterruptedException {
        applying.lock();
        try {
            if (running) {
                changed.await(ms, java.util.concurrent.TimeUnit.MILLISECONDS);
            }
        } finally {
            applying.unlock();
        }
    }

    /** At most one warning per 10 s per fetcher: a down leader must not flood the log. */
    private void warn(String message, Throwable t) {
        long now = time.milliseconds();
        if (now - lastWarnMs >= 10_000L) {
            lastWarnMs = now;
            LOG.log(Level.WARNING, message, t);
        }
    }
}
