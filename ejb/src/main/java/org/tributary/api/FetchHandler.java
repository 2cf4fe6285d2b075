package org.tributary.api;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.Records;
import org.tributary.log.FetchSlice;
import org.tributary.metadata.MetadataImage;
import org.tributary.replication.ReplicationThrottle;
import org.tributary.security.ClientQuotaManager;
import org.tributary.metadata.TopicImage;
import org.tributary.metrics.TopicMetrics;
import org.tributary.partition.DelayedOperation;
import org.tributary.partition.Partition;

/**
 * Fetch with incremental sessions ({@link FetchSessions}, KIP-227). Reads are zero-copy slices up
 * to the high watermark (the last stable offset for read_committed), bounded by the request's and
 * each partition's max bytes, with at least one batch for the first partition that has data
 * (KIP-74). When fewer than min.bytes are ready the request waits in the fetch purgatory until an
 * append or max.wait.ms, whichever comes first.
 */
final class FetchHandler implements ApiHandler {
    private final ApiServices services;
    private final FetchSessions sessions;
    /** Kafka's leader-side replication throttle (KIP-73) for followers that are not in the ISR. */
    private final ReplicationThrottle leaderThrottle;

    /** Kafka's broker-wide {@code fetch.max.bytes}: no answer is larger, whatever the request asks. */
    private final int brokerMaxBytes;
    /** Partition log reads made for fetches since start (tests: what a waiting fetch costs). */
    private final java.util.concurrent.atomic.LongAdder logReads = new java.util.concurrent.atomic.LongAdder();

    FetchHandler(ApiServices services) {
        this.services = services;
        this.leaderThrottle = services.replicas() == null ? null : new ReplicationThrottle(ReplicationThrottle.Side.LEADER,
                services.replicas().localBrokerId(), () -> services.metadata().image(), System::currentTimeMillis);
        this.brokerMaxBytes = services.config().getInt("fetch.max.bytes", 57_671_680, 1024, Integer.MAX_VALUE);
        this.sessions = new FetchSessions(
                services.config().getInt("max.incremental.fetch.session.cache.slots", 1000, 0, 1_000_000), 120_000L);
    }

    @Override
    public CompletionStage<ApiMessage> handle(RequestContext ctx, ApiMessage message) {
        FetchRequestData req = (FetchRequestData) message;
        short v = ctx.apiVersion();
        FetchSessions.Context session = sessions.newContext(req, v);
        if (session.error() != Errors.NONE) {
            return CompletableFuture.completedFuture(new FetchResponseData().setErrorCode(session.error().code())
                    .setSessionId(FetchSessions.INVALID_SESSION_ID).setThrottleTimeMs(0));
        }
        int replicaId = v >= 15 ? req.replicaState().replicaId() : req.replicaId();
        Follower follower = replicaId >= 0 ? new Follower(replicaId, v >= 15 ? req.replicaState().replicaEpoch() : -1L) : null;
        RequestAuthorizer.TopicCheck access = access(ctx, follower != null);
        narrowBounds(ctx, req, follower != null);
        Result first = read(ctx.image(), session, req, v, follower, true, access);
        if (follower != null) {
            first.follower = true;
        }
        if (req.maxWaitMs() <= 0 || first.bytes >= Math.max(1, req.minBytes()) || first.hasError || first.parts.isEmpty()) {
            return CompletableFuture.completedFuture(respond(ctx, session, first, v));
        }
        CompletableFuture<ApiMessage> done = new CompletableFuture<>();
        services.replicas().fetchPurgatory().tryCompleteElseWatch(new DelayedFetch(ctx, session, req, v, follower, access, done),
                first.watched);
        return done;
    }

    /** Partition log reads made for fetches since this handler started (tests: what a waiting fetch costs). */
    long logReads() {
        return logReads.sum();
    }

    /**
     * Narrows the request's max.bytes as Kafka does: to the broker's {@code fetch.max.bytes} and,
     * for a consumer with a fetch byte-rate quota, to what its quota window can take
     * ({@link ClientQuotaManager#maxValueInQuotaWindow}); min.bytes never exceeds the result. Done
     * on the request itself, so the first read and every later one of a delayed fetch see the same
     * bounds.
     */
    private void narrowBounds(RequestContext ctx, FetchRequestData req, boolean follower) {
        long max = Math.min(Math.max(0, req.maxBytes()), brokerMaxBytes);
        ClientQuotaManager quotas = services.quotas();
        if (!follower && quotas != null && quotas.enabled()) {
            max = Math.min(max, quotas.maxValueInQuotaWindow(ClientQuotaManager.Type.FETCH, ctx.principal(), ctx.clientId()));
        }
        req.setMaxBytes((int) max);
        req.setMinBytes(Math.min(req.minBytes(), (int) max));
    }

    /**
     * Kafka's checks for Fetch: a follower (a replica id) needs CLUSTER_ACTION on the cluster, else
     * every partition is TOPIC_AUTHORIZATION_FAILED; a consumer needs READ on each topic.
     */
    private RequestAuthorizer.TopicCheck access(RequestContext ctx, boolean follower) {
        RequestAuthorizer auth = services.authorizer();
        if (follower) {
            return auth.allowsCluster(ctx, AclOperation.CLUSTER_ACTION) ? RequestAuthorizer.NONE.topics(ctx, AclOperation.READ)
                    : auth.topics(ctx, AclOperation.CLUSTER_ACTION).denyAll();
        }
        return auth.topics(ctx, AclOperation.READ);
    }

    /** A fetch from another broker's replica (replica id and broker epoch; KIP-903). */
    private record Follower(int replicaId, long brokerEpoch) {
    }

    /** One partition's read: what to answer for it. */
    private record Part(FetchSessions.Wanted wanted, String topicName, boolean known, FetchResponseData.PartitionData data,
            boolean[] replicationThrottled) {
        Part(FetchSessions.Wanted wanted, String topicName, boolean known, FetchResponseData.PartitionData data) {
            this(wanted, topicName, known, data, new boolean[1]);
        }
    }

    private static final class Result {
        final List<Part> parts = new ArrayList<>();
        final List<TopicPartition> watched = new ArrayList<>();
        long bytes;
        boolean hasError;
        boolean follower;
    }

    /**
     * Reads every partition of the fetch once. A consumer reads below the high watermark (the last
     * stable offset for read_committed); a follower reads up to the log end, and on its first read
     * ({@code record}) its fetch offset is recorded as its progress, which may move the high
     * watermark, or it is told where its log diverges.
     */
    private Result read(MetadataImage image, FetchSessions.Context session, FetchRequestData req, short v, Follower follower,
            boolean record, RequestAuthorizer.TopicCheck access) {
        Result result = new Result();
        long remaining = Math.max(0, req.maxBytes());
        boolean readCommitted = v >= 4 && req.isolationLevel() == 1;
        for (FetchSessions.Wanted w : session.partitions()) {
            TopicImage topic = v >= 13 ? image.topic(w.topicId).orElse(null) : image.topic(w.topic).orElse(null);
            FetchResponseData.PartitionData pd = new FetchResponseData.PartitionData()
                    .setPartitionIndex(w.partition)
                    .setHighWatermark(-1).setLastStableOffset(-1).setLogStartOffset(-1)
                    .setPreferredReadReplica(-1)
                    .setRecords(MemoryRecords.EMPTY);
            if (readCommitted) {
                pd.setAbortedTransactions(new ArrayList<>());
            }
            result.parts.add(new Part(w, topic == null ? w.topic : topic.name(), topic != null, pd));
            if (topic == null && v >= 13) {
                pd.setErrorCode(Errors.UNKNOWN_TOPIC_ID.code());
                result.hasError = true;
                continue;
            }
            if (!access.allows(topic == null ? w.topic : topic.name())) {
                pd.setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code());
                result.hasError = true;
                continue;
            }
            if (topic == null) {
                pd.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
                result.hasError = true;
                continue;
            }
            TopicPartition tp = new TopicPartition(topic.name(), w.partition);
            Partition partition = services.replicas().partition(tp).orElse(null);
            if (partition == null || !partition.topicId().equals(topic.id())) {
                pd.setErrorCode(ApiErrors.notServed(topic, w.partition).code());
                result.hasError = true;
                continue;
            }
            Errors epochError = OffsetsHandler.checkLeaderEpoch(w.currentLeaderEpoch, partition);
            if (follower != null && record && epochError == Errors.NONE) {
                Partition.FollowerFetch ff = services.replicas().followerFetch(partition, follower.replicaId(), follower.brokerEpoch(),
                        w.fetchOffset, w.lastFetchedEpoch, w.currentLeaderEpoch);
                epochError = ff.error();
                if (ff.diverged()) {
                    pd.setDivergingEpoch(new FetchResponseData.EpochEndOffset().setEpoch(ff.divergingEpoch())
                            .setEndOffset(ff.divergingEndOffset()));
                    pd.setHighWatermark(partition.highWatermark()).setLastStableOffset(partition.lastStableOffset())
                            .setLogStartOffset(partition.log().logStartOffset());
                    result.hasError = true; // answer at once: the follower must truncate first
                    continue;
                }
            }
            long hw = partition.highWatermark();
            long logStart = partition.log().logStartOffset();
            pd.setHighWatermark(hw).setLastStableOffset(partition.lastStableOffset()).setLogStartOffset(logStart);
            if (epochError != Errors.NONE) {
                pd.setErrorCode(epochError.code());
                result.hasError = true;
                continue;
            }
            result.watched.add(tp);
            long limit = follower != null ? partition.log().logEndOffset() : readCommitted ? partition.lastStableOffset() : hw;
            if (w.fetchOffset == limit && w.fetchOffset >= logStart) {
                continue; // caught up: nothing to read yet
            }
            long throttledMax = Long.MAX_VALUE;
            boolean minOneBatch = result.bytes == 0;
            if (follower != null && leaderThrottle != null && leaderThrottle.throttles(tp)
                    && !partition.isr().contains(follower.replicaId())) {
                throttledMax = leaderThrottle.headroomBytes();
                if (throttledMax <= 0) {
                    continue; // over the replication throttle: this replica gets nothing this time
                }
                minOneBatch &= leaderThrottle.idle();
                result.parts.get(result.parts.size() - 1).replicationThrottled()[0] = true;
            }
            try {
                int max = (int) Math.min(Math.min(Math.max(0, w.maxBytes), remaining), throttledMax);
                logReads.increment();
                FetchSlice slice = partition.log().read(w.fetchOffset, max, limit, minOneBatch);
                Records records = slice.records();
                pd.setRecords(records).setLogStartOffset(slice.logStartOffset());
                int size = records.sizeInBytes();
                if (readCommitted && follower == null && size > 0) {
                    pd.setAbortedTransactions(abortedTransactions(partition, w.fetchOffset, limit));
                }
                result.bytes += size;
                remaining = Math.max(0, remaining - size);
            } catch (Exception e) {
                pd.setErrorCode(ApiErrors.of(e, "fetch from " + tp).code());
                result.hasError = true;
            }
        }
        return result;
    }

    /** The aborted transactions a read_committed consumer needs to drop aborted records of a read below {@code limit}. */
    private static List<FetchResponseData.AbortedTransaction> abortedTransactions(Partition partition, long fetchOffset, long limit) {
        List<FetchResponseData.AbortedTransaction> out = new ArrayList<>();
        for (org.tributary.log.AbortedTxn t : partition.abortedTransactions(fetchOffset, limit)) {
            out.add(new FetchResponseData.AbortedTransaction().setProducerId(t.producerId()).setFirstOffset(t.firstOffset()));
        }
        return out;
    }

    /** Builds the answer; in an incremental session only partitions with news are included. */
    private FetchResponseData respond(RequestContext ctx, FetchSessions.Context session, Result result, short v) {
        if (result.follower && leaderThrottle != null) {
            long throttledBytes = 0;
            for (Part part : result.parts) {
                if (part.replicationThrottled()[0]) {
                    throttledBytes += part.data().records().sizeInBytes();
                }
            }
            leaderThrottle.record(throttledBytes);
        }
        FetchResponseData throttled = throttledResponse(ctx, session, result);
        if (throttled != null) {
            return throttled;
        }
        count(result);
        FetchResponseData resp = new FetchResponseData().setThrottleTimeMs(0).setSessionId(session.sessionId());
        Object lock = session.session() == null ? new Object() : session.session();
        synchronized (lock) {
            FetchResponseData.FetchableTopicResponse current = null;
            for (Part part : result.parts) {
                FetchSessions.Wanted w = part.wanted();
                FetchResponseData.PartitionData pd = part.data();
                boolean news = pd.errorCode() != 0 || pd.records().sizeInBytes() > 0
                        || pd.highWatermark() != w.sentHighWatermark || pd.logStartOffset() != w.sentLogStartOffset
                        || pd.lastStableOffset() != w.sentLastStableOffset
                        || pd.divergingEpoch().epoch() >= 0 || pd.divergingEpoch().endOffset() >= 0; // a follower must truncate
                if (session.incremental() && !news) {
                    continue;
                }
                w.sentHighWatermark = pd.highWatermark();
                w.sentLogStartOffset = pd.logStartOffset();
                w.sentLastStableOffset = pd.lastStableOffset();
                boolean sameTopic = current != null && (v >= 13 ? current.topicId().equals(w.topicId)
                        : current.topic().equals(w.topic));
                if (!sameTopic) {
                    current = new FetchResponseData.FetchableTopicResponse();
                    if (v >= 13) {
                        current.setTopicId(w.topicId);
                    } else {
                        current.setTopic(w.topic);
                    }
                    resp.responses().add(current);
                }
                if (v < 5) {
                    pd.setLogStartOffset(-1);
                }
                current.partitions().add(pd);
            }
        }
        return resp;
    }

    /**
     * A consumer over its fetch byte-rate quota gets, as in Kafka, an empty answer with the
     * throttle time (the bytes it would have carried are taken back from its rate, and the session
     * is left as it was, so nothing is skipped); null when the answer may go out.
     */
    private FetchResponseData throttledResponse(RequestContext ctx, FetchSessions.Context session, Result result) {
        ClientQuotaManager quotas = services.quotas();
        if (result.follower || quotas == null || !quotas.enabled() || result.bytes == 0) {
            return null;
        }
        long now = System.currentTimeMillis();
        long throttle = quotas.recordAndGetThrottleMs(ClientQuotaManager.Type.FETCH, ctx.principal(), ctx.clientId(), result.bytes, now);
        if (throttle <= 0) {
            return null;
        }
        quotas.unrecord(ClientQuotaManager.Type.FETCH, ctx.principal(), ctx.clientId(), result.bytes, now);
        return new FetchResponseData().setThrottleTimeMs((int) Math.min(Integer.MAX_VALUE, throttle))
                .setSessionId(session.incremental() ? session.sessionId() : FetchSessions.INVALID_SESSION_ID);
    }

    /** Counts what the answer carries per existing topic: bytes, offsets delivered, failed partitions. */
    private void count(Result result) {
        if (result.follower) {
            return; // replication traffic is not consumer traffic
        }
        for (Part part : result.parts) {
            if (!part.known()) {
                continue;
            }
            TopicMetrics counters = services.metrics().topic(part.topicName());
            FetchResponseData.PartitionData pd = part.data();
            if (pd.errorCode() != Errors.NONE.code()) {
                counters.fetchFailed();
            } else {
                Records records = (Records) pd.records();
                counters.fetched(offsetsDelivered(records, part.wanted().fetchOffset), records.sizeInBytes());
            }
        }
    }

    /**
     * Offsets from the fetch offset to the end of the last whole batch in {@code records} (a
     * trailing partial batch is not delivered). Reads one small header per batch, from the page
     * cache the response is about to be sent from.
     */
    static long offsetsDelivered(Records records, long fetchOffset) {
        if (records.sizeInBytes() == 0) {
            return 0;
        }
        try {
            long first = -1;
            RecordBatch last = null;
            for (RecordBatch b : records.batches()) {
                if (first < 0) {
                    first = b.baseOffset();
                }
                last = b;
            }
            return last == null ? 0 : Math.max(0, last.lastOffset() + 1 - Math.max(first, fetchOffset));
        } catch (RuntimeException e) {
            return 0; // a counter never fails a fetch; sending the same bytes reports the problem
        }
    }

    /** A long-poll fetch: completes when min.bytes are ready, on timeout, or at shutdown. */
    private final class DelayedFetch extends DelayedOperation {
        private final RequestContext ctx;
        private final FetchSessions.Context session;
        private final FetchRequestData req;
        private final short version;
        private final Follower follower;
        private final RequestAuthorizer.TopicCheck access;
        private final CompletableFuture<ApiMessage> done;

        DelayedFetch(RequestContext ctx, FetchSessions.Context session, FetchRequestData req, short version, Follower follower,
                RequestAuthorizer.TopicCheck access, CompletableFuture<ApiMessage> done) {
            super(req.maxWaitMs());
            this.ctx = ctx;
            this.session = session;
            this.req = req;
            this.version = version;
            this.follower = follower;
            this.access = access;
            this.done = done;
        }

        private Result reread() {
            Result r = read(services.metadata().image(), session, req, version, follower, false, access);
            r.follower = follower != null;
            return r;
        }

        @Override
        public boolean tryComplete() {
            Result r = reread();
            if (r.bytes >= Math.max(1, req.minBytes()) || r.hasError) {
                return forceComplete();
            }
            return false;
        }

        @Override
        protected void onComplete() {
            try {
                done.complete(respond(ctx, session, reread(), version));
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        }
    }
}
