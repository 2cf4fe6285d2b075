package org.tributary.api;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchRequestData.FetchPartition;
import org.apache.kafka.common.message.FetchRequestData.FetchTopic;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Records;
import org.tributary.log.FetchSlice;
import org.tributary.metadata.MetadataImage;
import org.tributary.metadata.TopicImage;
import org.tributary.partition.DelayedOperation;
import org.tributary.partition.Partition;

/**
 * Fetch without sessions: every answer carries session id 0, which per KIP-227 tells the client
 * that no session was created, so it keeps sending full requests. Reads are zero-copy slices up
 * to the high watermark, bounded by the request's and each partition's max bytes, with at least
 * one batch for the first partition that has data (KIP-74). When fewer than min.bytes are ready the
 * request waits in the fetch purgatory until an append or max.wait.ms.
 */
final class FetchHandler implements ApiHandler {
    private static final int INVALID_SESSION_ID = 0;
    private static final int INITIAL_EPOCH = 0;
    private static final int FINAL_EPOCH = -1;

    private final ApiServices services;

    FetchHandler(ApiServices services) {
        this.services = services;
    }

    @Override
    public CompletionStage<ApiMessage> handle(RequestContext ctx, ApiMessage message) {
        FetchRequestData req = (FetchRequestData) message;
        short v = ctx.apiVersion();
        if (v >= 7 && req.sessionId() != INVALID_SESSION_ID) {
            return CompletableFuture.completedFuture(topLevelError(Errors.FETCH_SESSION_ID_NOT_FOUND));
        }
        if (v >= 7 && req.sessionEpoch() != INITIAL_EPOCH && req.sessionEpoch() != FINAL_EPOCH) {
            return CompletableFuture.completedFuture(topLevelError(Errors.INVALID_FETCH_SESSION_EPOCH));
        }
        Result first = read(ctx.image(), req, v);
        if (req.maxWaitMs() <= 0 || first.bytes >= Math.max(1, req.minBytes()) || first.hasError || first.partitions == 0) {
            return CompletableFuture.completedFuture(first.response);
        }
        CompletableFuture<ApiMessage> done = new CompletableFuture<>();
        List<TopicPartition> keys = new ArrayList<>(first.watched);
        services.replicas().fetchPurgatory().tryCompleteElseWatch(new DelayedFetch(ctx, req, v, done), keys);
        return done;
    }

    private static FetchResponseData topLevelError(Errors error) {
        return new FetchResponseData().setErrorCode(error.code()).setSessionId(INVALID_SESSION_ID).setThrottleTimeMs(0);
    }

    private static final class Result {
        final FetchResponseData response = new FetchResponseData().setThrottleTimeMs(0).setSessionId(INVALID_SESSION_ID);
        final List<TopicPartition> watched = new ArrayList<>();
        long bytes;
        boolean hasError;
        int partitions;
    }

    /** Reads every requested partition once. */
    private Result read(MetadataImage image, FetchRequestData req, short v) {
        Result result = new Result();
        long remaining = v >= 3 ? Math.max(0, req.maxBytes()) : Integer.MAX_VALUE;
        boolean readCommitted = v >= 4 && req.isolationLevel() == 1;
        for (FetchTopic ft : req.topics()) {
            TopicImage topic = v >= 13 ? image.topic(ft.topicId()).orElse(null) : image.topic(ft.topic()).orElse(null);
            FetchResponseData.FetchableTopicResponse tr = new FetchResponseData.FetchableTopicResponse()
                    .setTopic(ft.topic()).setTopicId(ft.topicId());
            result.response.responses().add(tr);
            for (FetchPartition fp : ft.partitions()) {
                result.partitions++;
                FetchResponseData.PartitionData pd = new FetchResponseData.PartitionData()
                        .setPartitionIndex(fp.partition())
                        .setHighWatermark(-1).setLastStableOffset(-1).setLogStartOffset(-1)
                        .setPreferredReadReplica(-1)
                        .setRecords(MemoryRecords.EMPTY);
                if (readCommitted) {
                    pd.setAbortedTransactions(new ArrayList<>());
                }
                tr.partitions().add(pd);
                if (topic == null) {
                    pd.setErrorCode((v >= 13 ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION).code());
                    result.hasError = true;
                    continue;
                }
                TopicPartition tp = new TopicPartition(topic.name(), fp.partition());
                Partition partition = services.replicas().partition(tp).orElse(null);
                if (partition == null || !partition.topicId().equals(topic.id())) {
                    pd.setErrorCode(ApiErrors.notServed(topic, fp.partition()).code());
                    result.hasError = true;
                    continue;
                }
                Errors epochError = OffsetsHandler.checkLeaderEpoch(fp.currentLeaderEpoch(), partition);
                long hw = partition.highWatermark();
                pd.setHighWatermark(hw).setLastStableOffset(partition.lastStableOffset())
                        .setLogStartOffset(partition.log().logStartOffset());
                if (epochError != Errors.NONE) {
                    pd.setErrorCode(epochError.code());
                    result.hasError = true;
                    continue;
                }
                result.watched.add(tp);
                long limit = readCommitted ? partition.lastStableOffset() : hw;
                try {
                    int max = (int) Math.min(Math.max(0, fp.partitionMaxBytes()), remaining);
                    boolean minOne = result.bytes == 0;
                    if (fp.fetchOffset() == limit && fp.fetchOffset() >= partition.log().logStartOffset()) {
                        continue; // caught up: nothing to read yet
                    }
                    FetchSlice slice = partition.log().read(fp.fetchOffset(), max, limit, minOne);
                    Records records = slice.records();
                    pd.setRecords(records).setLogStartOffset(slice.logStartOffset());
                    int size = records.sizeInBytes();
                    result.bytes += size;
                    remaining = Math.max(0, remaining - size);
                } catch (Exception e) {
                    Errors err = ApiErrors.of(e, "fetch from " + tp);
                    pd.setErrorCode(err.code());
                    result.hasError = true;
                }
            }
        }
        if (v < 5) {
            result.response.responses().forEach(t -> t.partitions().forEach(p -> p.setLogStartOffset(-1)));
        }
        return result;
    }

    /** A long-poll fetch: completes when min.bytes are ready, on timeout, or at shutdown. */
    private final class DelayedFetch extends DelayedOperation {
        private final RequestContext ctx;
        private final FetchRequestData req;
        private final short version;
        private final CompletableFuture<ApiMessage> done;

        DelayedFetch(RequestContext ctx, FetchRequestData req, short version, CompletableFuture<ApiMessage> done) {
            super(req.maxWaitMs());
            this.ctx = ctx;
            this.req = req;
            this.version = version;
            this.done = done;
        }

        @Override
        public boolean tryComplete() {
            Result r = read(services.metadata().image(), req, version);
            if (r.bytes >= Math.max(1, req.minBytes()) || r.hasError) {
                return forceComplete();
            }
            return false;
        }

        @Override
        protected void onComplete() {
            try {
                done.complete(read(services.metadata().image(), req, version).response);
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        }
    }
}
