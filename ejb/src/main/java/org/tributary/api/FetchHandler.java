package org.tributary.api;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Records;
import org.tributary.log.FetchSlice;
import org.tributary.metadata.MetadataImage;
import org.tributary.replication.ReplicationThrottle;
import org.tributary.security.ClientQuotaManager;
import org.tributary.metadata.TopicImage;
import org.tributary.partition.Partition;

/**
 * Fetch with incremental sessions ({@link FetchSessions}, KIP-227). Reads are zero-copy slices up
 * to the high watermark (the last stable offset for read_committed), bounded by the request's and
 * each partition's max bytes, with at least one batch for the first partition that has data
 * (KIP-74). When fewer than min.bytes are ready the request waits in the fetch purgatory until an
 * append or max.wait.ms, whichever comes first ({@link DelayedFetch}, on the {@link FetchWatch}es
 * of its first read). A consumer's answer is counted per topic ({@link FetchCounts}).
 */
final class FetchHandler implements ApiHandler {
    private final ApiServices services;
    private final FetchSessions sessions;
    /** Kafka's leader-side replication throttle (KIP-73) for followers that are not in the ISR. */
    private final ReplicationThrottle leaderThrottle;

    /** Kafka's broker-wide {@code fetch.max.bytes}: no answer is larger, whatever the request asks. */
    private final int brokerMaxBytes;
    /** Partition log reads made for fetches since start (tests: what a waiting fetch costs). */
    private final LongAdder logReads = new LongAdder();

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
        Result first = read(ctx.image(), session, req, v, follower, access);
        if (req.maxWaitMs() <= 0 || first.bytes >= Math.max(1, req.minBytes()) || first.hasError || first.parts.isEmpty()) {
            return CompletableFuture.completedFuture(respond(ctx, session, first, v));
        }
        CompletableFuture<ApiMessage> done = new CompletableFuture<>();
        DelayedFetch delayed = new DelayedFetch(req, v, follower, first.watches, first.generation, services.replicas(), leaderThrottle,
                logReads, () -> respond(ctx, session, read(services.metadata().image(), session, req, v, follower, null), v), done);
        services.replicas().fetchPurgatory().tryCompleteElseWatch(delayed, delayed.keys());
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
    record Follower(int replicaId, long brokerEpoch) {
    }

    /** One partition's read: what to answer for it. */
    record Part(FetchSessions.Wanted wanted, String topicName, boolean known, FetchResponseData.PartitionData data,
            boolean[] replicationThrottled) {
        Part(FetchSessions.Wanted wanted, String topicName, boolean known, FetchResponseData.PartitionData data) {
            this(wanted, topicName, known, data, new boolean[1]);
        }
    }

    static final class Result {
        final List<Part> parts = new ArrayList<>();
        /** First read only: the partitions a delayed fetch waits on, with what this read saw of them. */
        final List<FetchWatch> watches = new ArrayList<>();
        /** The local partitions' generation the partitions were resolved in. */
        long generation;
        long bytes;
        boolean hasError;
        boolean follower;
    }

    /**
     * A partition of a fetch resolved against one image and one generation of the local partitions
     * ({@link org.tributary.partition.ReplicaManager#generation}): its topic (null: unknown), and
     * this broker's replica of it if it has one of that topic id. Kept in the session's
     * {@link FetchSessions.Wanted} while both stay the same, so a session's requests do not look
     * each partition up again.
     */
    record Resolved(MetadataImage image, long generation, TopicImage topic, TopicPartition tp, Partition replica) {
    }

    /**
     * Reads every partition of the fetch once. A consumer reads below the high watermark (the last
     * stable offset for read_committed); a follower reads up to the log end. The first read of a
     * request ({@code access} given) authorizes its topics, records a follower's fetch offset as its
     * progress (which may move the high watermark) or tells it where its log diverges, and notes
     * what a delayed fetch waits on; the read that answers a delayed fetch ({@code access} null)
     * relies on that authorization, as Kafka does.
     */
    private Result read(MetadataImage image, FetchSessions.Context session, FetchRequestData req, short v, Follower follower,
            RequestAuthorizer.TopicCheck access) {
        Result result = new Result();
        boolean first = access != null;
        result.follower = follower != null;
        result.generation = services.replicas().generation();
        long remaining = Math.max(0, req.maxBytes());
        boolean readCommitted = v >= 4 && req.isolationLevel() == 1;
        for (FetchSessions.Wanted w : session.partitions()) {
            Resolved resolved = resolve(image, result.generation, w, v);
            TopicImage topic = resolved.topic();
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
            if (first && !access.allows(topic == null ? w.topic : topic.name())) {
                pd.setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code());
                result.hasError = true;
                continue;
            }
            if (topic == null) {
                pd.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
                result.hasError = true;
                continue;
            }
            TopicPartition tp = resolved.tp();
            Partition partition = resolved.replica();
            int leaderEpoch = partition == null ? -1 : partition.leaderEpoch();
            if (partition == null || !partition.isLeader()) {
                pd.setErrorCode(ApiErrors.notServed(topic, w.partition).code());
                result.hasError = true;
                continue;
            }
            Errors epochError = OffsetsHandler.checkLeaderEpoch(w.currentLeaderEpoch, partition);
            if (follower != null && first && epochError == Errors.NONE) {
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
            long limit = follower != null ? partition.log().logEndOffset() : readCommitted ? partition.lastStableOffset() : hw;
            FetchWatch watch = first ? new FetchWatch(tp, partition, leaderEpoch, w.fetchOffset, w.maxBytes, limit, 0) : null;
            if (watch != null) {
                result.watches.add(watch);
            }
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
                if (watch != null) {
                    watch.counted = size;
                }
            } catch (Exception e) {
                pd.setErrorCode(ApiErrors.of(e, "fetch from " + tp).code());
                result.hasError = true;
            }
        }
        return result;
    }

    /**
     * {@code w} resolved against {@code image} and the local partitions' {@code generation}: the one
     * kept in {@code w} when it was made against both, else looked up afresh (and kept).
     */
    private Resolved resolve(MetadataImage image, long generation, FetchSessions.Wanted w, short v) {
        Resolved r = w.resolved;
        if (r != null && r.image() == image && r.generation() == generation) {
            return r;
        }
        TopicImage topic = v >= 13 ? image.topic(w.topicId).orElse(null) : image.topic(w.topic).orElse(null);
        TopicPartition tp = topic == null ? null : new TopicPartition(topic.name(), w.partition);
        Partition replica = tp == null ? null
                : services.replicas().replica(tp).filter(p -> p.topicId().equals(topic.id())).orElse(null);
        r = new Resolved(image, generation, topic, tp, replica);
        w.resolved = r;
        return r;
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
        FetchCounts.count(services.metrics(), result);
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
}
