package org.tributary.api;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.message.DeleteRecordsRequestData;
import org.apache.kafka.common.message.DeleteRecordsResponseData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.tributary.log.EpochEndOffset;
import org.tributary.log.TimestampOffset;
import org.tributary.metadata.MetadataImage;
import org.tributary.partition.Partition;

/** ListOffsets, DeleteRecords and OffsetForLeaderEpoch: questions and changes about offsets. */
final class OffsetsHandler {
    static final long LATEST = -1L;
    static final long EARLIEST = -2L;
    static final long MAX_TIMESTAMP = -3L;
    static final long EARLIEST_LOCAL = -4L;
    static final long LATEST_TIERED = -5L;
    static final long EARLIEST_PENDING_UPLOAD = -6L;

    private final ApiServices services;

    OffsetsHandler(ApiServices services) {
        this.services = services;
    }

    /** Kafka's leader-epoch fencing (KIP-320): -1 means the client did not say. */
    static Errors checkLeaderEpoch(int currentLeaderEpoch, Partition p) {
        if (currentLeaderEpoch < 0 || currentLeaderEpoch == p.leaderEpoch()) {
            return Errors.NONE;
        }
        return currentLeaderEpoch < p.leaderEpoch() ? Errors.FENCED_LEADER_EPOCH : Errors.UNKNOWN_LEADER_EPOCH;
    }

    /**
     * Kafka's checks: ListOffsets and OffsetForLeaderEpoch need DESCRIBE on the topic (a follower's
     * epoch query CLUSTER_ACTION on the cluster), DeleteRecords DELETE; a denied topic is
     * TOPIC_AUTHORIZATION_FAILED for each of its partitions.
     */
    private boolean may(RequestContext ctx, AclOperation op, String topic) {
        return services.authorizer().allows(ctx, op, org.apache.kafka.common.resource.ResourceType.TOPIC, topic);
    }

    private Optional<Partition> partition(MetadataImage image, String topic, int index) {
        return image.topic(topic).flatMap(t -> services.replicas().partition(new TopicPartition(topic, index))
                .filter(p -> p.topicId().equals(t.id())));
    }

    CompletionStage<ApiMessage> listOffsets(RequestContext ctx, ApiMessage message) {
        ListOffsetsRequestData req = (ListOffsetsRequestData) message;
        ListOffsetsResponseData resp = new ListOffsetsResponseData().setThrottleTimeMs(0);
        boolean readCommitted = req.isolationLevel() == 1;
        for (ListOffsetsRequestData.ListOffsetsTopic t : req.topics()) {
            ListOffsetsResponseData.ListOffsetsTopicResponse tr = new ListOffsetsResponseData.ListOffsetsTopicResponse().setName(t.name());
            resp.topics().add(tr);
            boolean described = may(ctx, AclOperation.DESCRIBE, t.name());
            for (ListOffsetsRequestData.ListOffsetsPartition lp : t.partitions()) {
                ListOffsetsResponseData.ListOffsetsPartitionResponse pr = new ListOffsetsResponseData.ListOffsetsPartitionResponse()
                        .setPartitionIndex(lp.partitionIndex()).setTimestamp(-1L).setOffset(-1L).setLeaderEpoch(-1);
                tr.partitions().add(pr);
                if (!described) {
                    pr.setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code());
                    continue;
                }
                Partition p = partition(ctx.image(), t.name(), lp.partitionIndex()).orElse(null);
                if (p == null) {
                    pr.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
                    continue;
                }
                Errors epochError = checkLeaderEpoch(lp.currentLeaderEpoch(), p);
                if (epochError != Errors.NONE) {
                    pr.setErrorCode(epochError.code());
                    continue;
                }
                try {
                    long ts = lp.timestamp();
                    if (ts == LATEST && p.highWatermarkBehindEpochStart()) {
                        pr.setErrorCode(Errors.OFFSET_NOT_AVAILABLE.code()); // KIP-207: retried by the client
                    } else if (ts == LATEST) {
                        pr.setOffset(readCommitted ? p.lastStableOffset() : p.highWatermark()).setLeaderEpoch(p.leaderEpoch());
                    } else if (ts == EARLIEST || ts == EARLIEST_LOCAL) {
                        pr.setOffset(p.log().logStartOffset()).setLeaderEpoch(p.leaderEpoch());
                    } else if (ts == LATEST_TIERED || ts == EARLIEST_PENDING_UPLOAD) {
                        pr.setOffset(-1L); // no tiered storage: nothing is remote
                    } else if (ts == MAX_TIMESTAMP) {
                        p.log().maxTimestampAndOffset().ifPresent(to -> set(pr, to));
                    } else if (ts >= 0) {
                        Optional<TimestampOffset> to = p.log().offsetForTimestamp(ts);
                        long limit = readCommitted ? p.lastStableOffset() : p.highWatermark();
                        Optional<TimestampOffset> found = to.filter(x -> x.offset() < limit);
                        if (found.isPresent()) {
                            set(pr, found.get());
                        } else if (p.highWatermarkBehindEpochStart()) {
                            pr.setErrorCode(Errors.OFFSET_NOT_AVAILABLE.code()); // the answer may be above a lagging high watermark
                        }
                    } else {
                        pr.setErrorCode(Errors.INVALID_REQUEST.code());
                    }
                } catch (Exception e) {
                    pr.setErrorCode(ApiErrors.of(e, "list offsets of " + t.name() + "-" + lp.partitionIndex()).code());
                }
            }
        }
        dropEpochsBeforeV4(resp, ctx.apiVersion());
        return CompletableFuture.completedFuture(resp);
    }

    private static void set(ListOffsetsResponseData.ListOffsetsPartitionResponse pr, TimestampOffset to) {
        pr.setTimestamp(to.timestamp()).setOffset(to.offset()).setLeaderEpoch(to.leaderEpoch().orElse(-1));
    }

    /** Leader epochs exist in ListOffsets responses from v4 (KIP-320). */
    private static void dropEpochsBeforeV4(ListOffsetsResponseData resp, short version) {
        if (version < 4) {
            resp.topics().forEach(t -> t.partitions().forEach(p -> p.setLeaderEpoch(-1)));
        }
    }

    CompletionStage<ApiMessage> deleteRecords(RequestContext ctx, ApiMessage message) {
        DeleteRecordsRequestData req = (DeleteRecordsRequestData) message;
        DeleteRecordsResponseData resp = new DeleteRecordsResponseData().setThrottleTimeMs(0);
        for (DeleteRecordsRequestData.DeleteRecordsTopic t : req.topics()) {
            DeleteRecordsResponseData.DeleteRecordsTopicResult tr = new DeleteRecordsResponseData.DeleteRecordsTopicResult().setName(t.name());
            resp.topics().add(tr);
            boolean deletable = may(ctx, AclOperation.DELETE, t.name());
            for (DeleteRecordsRequestData.DeleteRecordsPartition dp : t.partitions()) {
                DeleteRecordsResponseData.DeleteRecordsPartitionResult pr = new DeleteRecordsResponseData.DeleteRecordsPartitionResult()
                        .setPartitionIndex(dp.partitionIndex()).setLowWatermark(-1L);
                tr.partitions().add(pr);
                if (!deletable) {
                    pr.setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code());
                    continue;
                }
                Partition p = partition(ctx.image(), t.name(), dp.partitionIndex()).orElse(null);
                if (p == null) {
                    pr.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
                    continue;
                }
                try {
                    long hw = p.highWatermark();
                    long offset = dp.offset() == -1L ? hw : dp.offset();
                    if (offset < 0 || offset > hw) {
                        throw new OffsetOutOfRangeException("Cannot delete records of " + t.name() + "-" + dp.partitionIndex()
                                + " before offset " + offset + ": the high watermark is " + hw);
                    }
                    pr.setLowWatermark(p.log().deleteRecordsBefore(offset));
                } catch (Exception e) {
                    pr.setErrorCode(ApiErrors.of(e, "delete records of " + t.name() + "-" + dp.partitionIndex()).code());
                }
            }
        }
        return CompletableFuture.completedFuture(resp);
    }

    CompletionStage<ApiMessage> offsetForLeaderEpoch(RequestContext ctx, ApiMessage message) {
        OffsetForLeaderEpochRequestData req = (OffsetForLeaderEpochRequestData) message;
        OffsetForLeaderEpochResponseData resp = new OffsetForLeaderEpochResponseData().setThrottleTimeMs(0);
        boolean follower = ctx.apiVersion() >= 3 && req.replicaId() >= 0;
        if (follower) {
            services.authorizer().requireCluster(ctx, AclOperation.CLUSTER_ACTION); // as Kafka: the whole request fails
        }
        for (OffsetForLeaderEpochRequestData.OffsetForLeaderTopic t : req.topics()) {
            boolean described = follower || may(ctx, AclOperation.DESCRIBE, t.topic());
            OffsetForLeaderEpochResponseData.OffsetForLeaderTopicResult tr = new OffsetForLeaderEpochResponseData.OffsetForLeaderTopicResult()
                    .setTopic(t.topic());
            resp.topics().add(tr);
            for (OffsetForLeaderEpochRequestData.OffsetForLeaderPartition op : t.partitions()) {
                OffsetForLeaderEpochResponseData.EpochEndOffset pr = new OffsetForLeaderEpochResponseData.EpochEndOffset()
                        .setPartition(op.partition()).setLeaderEpoch(-1).setEndOffset(-1L);
                tr.partitions().add(pr);
                if (!described) {
                    pr.setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code());
                    continue;
                }
                Partition p = partition(ctx.image(), t.topic(), op.partition()).orElse(null);
                if (p == null) {
                    pr.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
                    continue;
                }
                Errors epochError = checkLeaderEpoch(op.currentLeaderEpoch(), p);
                if (epochError != Errors.NONE) {
                    pr.setErrorCode(epochError.code());
                    continue;
                }
                try {
                    EpochEndOffset eo = p.log().endOffsetForEpoch(op.leaderEpoch());
                    if (op.leaderEpoch() == p.leaderEpoch() && eo.leaderEpoch() < 0) {
                        eo = new EpochEndOffset(p.leaderEpoch(), p.log().logEndOffset()); // current epoch, nothing written yet
                    }
                    pr.setLeaderEpoch(eo.leaderEpoch()).setEndOffset(eo.endOffset());
                } catch (Exception e) {
                    pr.setErrorCode(ApiErrors.of(e, "offset for leader epoch of " + t.topic() + "-" + op.partition()).code());
                }
            }
        }
        return CompletableFuture.completedFuture(resp);
    }
}
