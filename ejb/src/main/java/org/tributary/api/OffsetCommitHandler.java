package org.tributary.api;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetDeleteResponseData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.ResourceType;
import org.tributary.group.CommittedOffset;
import org.tributary.group.GroupCoordinator;
import org.tributary.group.GroupOffsets;
import org.tributary.metadata.MetadataImage;
import org.tributary.metadata.TopicImage;

/**
 * OffsetCommit (answered once the commit is replicated), OffsetFetch (one group or many, v8+;
 * require_stable from v7, KIP-447) and OffsetDelete; topic ids from v10.
 */
final class OffsetCommitHandler {
    private final GroupCoordinator coordinator;
    private final RequestAuthorizer authorizer;

    OffsetCommitHandler(GroupCoordinator coordinator, RequestAuthorizer authorizer) {
        this.coordinator = coordinator;
        this.authorizer = authorizer;
    }

    /**
     * Kafka's topic checks for the offset APIs: READ (commit, delete) or DESCRIBE (fetch) on the
     * topic; the group checks (READ, DESCRIBE, DELETE on the group) come first in each method.
     */
    private boolean mayTopic(RequestContext ctx, AclOperation op, String topic) {
        return authorizer.allows(ctx, op, ResourceType.TOPIC, topic);
    }

    /** Resolves a request topic (by id from v10) to a name; null when unknown. */
    private static String topicName(MetadataImage image, String name, Uuid id, short v, short idVersion) {
        if (v >= idVersion) {
            return image.topic(id).map(TopicImage::name).orElse(null);
        }
        return name;
    }

    CompletionStage<ApiMessage> offsetCommit(RequestContext ctx, ApiMessage message) {
        OffsetCommitRequestData req = (OffsetCommitRequestData) message;
        authorizer.requireGroup(ctx, AclOperation.READ, req.groupId());
        short v = ctx.apiVersion();
        long retentionMs = v <= 4 && req.retentionTimeMs() > 0 ? req.retentionTimeMs() : -1L;
        Map<TopicPartition, CommittedOffset> offsets = new LinkedHashMap<>();
        OffsetCommitResponseData out = new OffsetCommitResponseData().setThrottleTimeMs(0);
        Map<TopicPartition, OffsetCommitResponseData.OffsetCommitResponsePartition> responses = new LinkedHashMap<>();
        for (OffsetCommitRequestData.OffsetCommitRequestTopic t : req.topics()) {
            String name = topicName(ctx.image(), t.name(), t.topicId(), v, (short) 10);
            OffsetCommitResponseData.OffsetCommitResponseTopic rt = new OffsetCommitResponseData.OffsetCommitResponseTopic()
                    .setName(v >= 10 ? "" : t.name()).setTopicId(v >= 10 ? t.topicId() : Uuid.ZERO_UUID);
            out.topics().add(rt);
            TopicImage topic = name == null ? null : ctx.image().topic(name).orElse(null);
            boolean readable = name == null || mayTopic(ctx, AclOperation.READ, name);
            for (OffsetCommitRequestData.OffsetCommitRequestPartition p : t.partitions()) {
                OffsetCommitResponseData.OffsetCommitResponsePartition rp = new OffsetCommitResponseData.OffsetCommitResponsePartition()
                        .setPartitionIndex(p.partitionIndex());
                rt.partitions().add(rp);
                if (!readable) {
                    rp.setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code());
                    continue;
                }
                if (topic == null || p.partitionIndex() < 0 || p.partitionIndex() >= topic.partitionCount()) {
                    rp.setErrorCode((name == null && v >= 10 ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION).code());
                    continue;
                }
                TopicPartition tp = new TopicPartition(name, p.partitionIndex());
                offsets.put(tp, new CommittedOffset(p.committedOffset(), p.committedLeaderEpoch(), p.committedMetadata(), -1L, -1L));
                responses.put(tp, rp);
            }
        }
        if (offsets.isEmpty()) {
            return CompletableFuture.completedFuture(out);
        }
        return coordinator.offsets().commit(new GroupOffsets.CommitRequest(req.groupId(), req.memberId(), req.groupInstanceId(),
                req.generationIdOrMemberEpoch(), retentionMs, offsets)).thenApply(result -> {
                    result.forEach((tp, e) -> responses.get(tp).setErrorCode(e.code()));
                    return out;
                });
    }

    CompletionStage<ApiMessage> offsetFetch(RequestContext ctx, ApiMessage message) {
        OffsetFetchRequestData req = (OffsetFetchRequestData) message;
        short v = ctx.apiVersion();
        OffsetFetchResponseData out = new OffsetFetchResponseData().setThrottleTimeMs(0);
        if (v < 8) {
            List<OffsetFetchRequestData.OffsetFetchRequestTopics> topics = null;
            if (req.topics() != null) {
                topics = new ArrayList<>();
                for (OffsetFetchRequestData.OffsetFetchRequestTopic t : req.topics()) {
                    topics.add(new OffsetFetchRequestData.OffsetFetchRequestTopics().setName(t.name())
                            .setPartitionIndexes(t.partitionIndexes()));
                }
            }
            OffsetFetchResponseData.OffsetFetchResponseGroup g = fetchGroup(ctx, req.groupId(), topics, v, v >= 7 && req.requireStable());
            if (v < 2 && g.errorCode() != Errors.NONE.code() && topics != null) {
                for (OffsetFetchRequestData.OffsetFetchRequestTopics t : topics) {
                    OffsetFetchResponseData.OffsetFetchResponseTopic rt = new OffsetFetchResponseData.OffsetFetchResponseTopic().setName(t.name());
                    t.partitionIndexes().forEach(p -> rt.partitions().add(new OffsetFetchResponseData.OffsetFetchResponsePartition()
                            .setPartitionIndex(p).setCommittedOffset(-1L).setMetadata("").setErrorCode(g.errorCode())));
                    out.topics().add(rt);
                }
                return CompletableFuture.completedFuture(out);
            }
            out.setErrorCode(g.errorCode());
            for (OffsetFetchResponseData.OffsetFetchResponseTopics t : g.topics()) {
                OffsetFetchResponseData.OffsetFetchResponseTopic rt = new OffsetFetchResponseData.OffsetFetchResponseTopic().setName(t.name());
                for (OffsetFetchResponseData.OffsetFetchResponsePartitions p : t.partitions()) {
                    rt.partitions().add(new OffsetFetchResponseData.OffsetFetchResponsePartition().setPartitionIndex(p.partitionIndex())
                            .setCommittedOffset(p.committedOffset()).setCommittedLeaderEpoch(p.committedLeaderEpoch())
                            .setMetadata(p.metadata()).setErrorCode(p.errorCode()));
                }
                out.topics().add(rt);
            }
            return CompletableFuture.completedFuture(out);
        }
        for (OffsetFetchRequestData.OffsetFetchRequestGroup g : req.groups()) {
            out.groups().add(fetchGroup(ctx, g.groupId(), g.topics(), v, req.requireStable()));
        }
        return CompletableFuture.completedFuture(out);
    }

    private OffsetFetchResponseData.OffsetFetchResponseGroup fetchGroup(RequestContext ctx, String groupId,
            List<OffsetFetchRequestData.OffsetFetchRequestTopics> topics, short v, boolean requireStable) {
        OffsetFetchResponseData.OffsetFetchResponseGroup out = new OffsetFetchResponseData.OffsetFetchResponseGroup().setGroupId(groupId);
        if (!authorizer.allows(ctx, AclOperation.DESCRIBE, ResourceType.GROUP, groupId)) {
            return out.setErrorCode(Errors.GROUP_AUTHORIZATION_FAILED.code());
        }
        List<TopicPartition> denied = new ArrayList<>();
        List<TopicPartition> wanted = null;
        Map<String, Uuid> ids = new HashMap<>();
        List<TopicPartition> unknownIds = new ArrayList<>();
        if (topics != null) {
            wanted = new ArrayList<>();
            for (OffsetFetchRequestData.OffsetFetchRequestTopics t : topics) {
                String name = topicName(ctx.image(), t.name(), t.topicId(), v, (short) 10);
                boolean describable = name == null || mayTopic(ctx, AclOperation.DESCRIBE, name);
                for (int p : t.partitionIndexes()) {
                    if (name == null) {
                        unknownIds.add(new TopicPartition(t.topicId().toString(), p));
                    } else if (!describable) {
                        denied.add(new TopicPartition(name, p));
                    } else {
                        wanted.add(new TopicPartition(name, p));
                    }
                }
                if (name != null) {
                    ids.put(name, t.topicId());
                }
            }
        }
        GroupOffsets.FetchResult res = coordinator.offsets().fetch(groupId, wanted, requireStable);
        out.setErrorCode(res.error().code());
        if (res.error() != Errors.NONE) {
            return out;
        }
        Map<String, OffsetFetchResponseData.OffsetFetchResponseTopics> byTopic = new LinkedHashMap<>();
        for (Map.Entry<TopicPartition, CommittedOffset> e : res.offsets().entrySet()) {
            TopicPartition tp = e.getKey();
            if (v >= 10 && ctx.image().topic(tp.topic()).isEmpty()) {
                continue; // offsets of deleted topics have no id to report
            }
            if (wanted == null && !authorizer.filters(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC, tp.topic())) {
                continue; // all offsets asked: only the topics the principal may describe
            }
            OffsetFetchResponseData.OffsetFetchResponseTopics rt = byTopic.computeIfAbsent(tp.topic(), n -> {
                OffsetFetchResponseData.OffsetFetchResponseTopics t = new OffsetFetchResponseData.OffsetFetchResponseTopics();
                if (v >= 10) {
                    t.setTopicId(ids.getOrDefault(n, ctx.image().topic(n).map(TopicImage::id).orElse(Uuid.ZERO_UUID))).setName("");
                } else {
                    t.setName(n);
                }
                return t;
            });
            CommittedOffset o = e.getValue();
            if (res.unstable().contains(tp)) { // KIP-447: an open transaction wrote it; the client retries
                rt.partitions().add(new OffsetFetchResponseData.OffsetFetchResponsePartitions().setPartitionIndex(tp.partition())
                        .setCommittedOffset(-1L).setCommittedLeaderEpoch(-1).setMetadata("")
                        .setErrorCode(Errors.UNSTABLE_OFFSET_COMMIT.code()));
                continue;
            }
            rt.partitions().add(new OffsetFetchResponseData.OffsetFetchResponsePartitions().setPartitionIndex(tp.partition())
                    .setCommittedOffset(o.offset()).setCommittedLeaderEpoch(o.leaderEpoch()).setMetadata(o.metadata())
                    .setErrorCode(Errors.NONE.code()));
        }
        for (TopicPartition tp : denied) {
            OffsetFetchResponseData.OffsetFetchResponseTopics rt = byTopic.computeIfAbsent(tp.topic(), n ->
                    v >= 10 ? new OffsetFetchResponseData.OffsetFetchResponseTopics().setName("").setTopicId(ids.get(n))
                            : new OffsetFetchResponseData.OffsetFetchResponseTopics().setName(n));
            rt.partitions().add(new OffsetFetchResponseData.OffsetFetchResponsePartitions().setPartitionIndex(tp.partition())
                    .setCommittedOffset(-1L).setCommittedLeaderEpoch(-1).setMetadata("")
                    .setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code()));
        }
        for (TopicPartition tp : unknownIds) {
            OffsetFetchResponseData.OffsetFetchResponseTopics rt = byTopic.computeIfAbsent("id:" + tp.topic(),
                    n -> new OffsetFetchResponseData.OffsetFetchResponseTopics().setName("").setTopicId(Uuid.fromString(tp.topic())));
            rt.partitions().add(new OffsetFetchResponseData.OffsetFetchResponsePartitions().setPartitionIndex(tp.partition())
                    .setCommittedOffset(-1L).setCommittedLeaderEpoch(-1).setMetadata("").setErrorCode(Errors.UNKNOWN_TOPIC_ID.code()));
        }
        out.topics().addAll(byTopic.values());
        return out;
    }

    CompletionStage<ApiMessage> offsetDelete(RequestContext ctx, ApiMessage message) {
        OffsetDeleteRequestData req = (OffsetDeleteRequestData) message;
        authorizer.requireGroup(ctx, AclOperation.DELETE, req.groupId());
        List<TopicPartition> partitions = new ArrayList<>();
        java.util.Set<String> unreadable = new java.util.HashSet<>();
        req.topics().forEach(t -> {
            if (!mayTopic(ctx, AclOperation.READ, t.name())) {
                unreadable.add(t.name());
                return;
            }
            t.partitions().forEach(p -> partitions.add(new TopicPartition(t.name(), p.partitionIndex())));
        });
        return coordinator.offsets().delete(req.groupId(), partitions).thenApply(res -> {
            OffsetDeleteResponseData out = new OffsetDeleteResponseData().setThrottleTimeMs(0).setErrorCode(res.getKey().code());
            if (res.getKey() != Errors.NONE) {
                return out;
            }
            for (OffsetDeleteRequestData.OffsetDeleteRequestTopic t : req.topics()) {
                OffsetDeleteResponseData.OffsetDeleteResponseTopic rt =
                        new OffsetDeleteResponseData.OffsetDeleteResponseTopic().setName(t.name());
                for (OffsetDeleteRequestData.OffsetDeleteRequestPartition p : t.partitions()) {
                    TopicPartition tp = new TopicPartition(t.name(), p.partitionIndex());
                    Errors e = unreadable.contains(t.name()) ? Errors.TOPIC_AUTHORIZATION_FAILED
                            : ctx.image().topic(t.name()).isEmpty() ? Errors.UNKNOWN_TOPIC_OR_PARTITION
                            : res.getValue().getOrDefault(tp, Errors.NONE);
                    rt.partitions().add(new OffsetDeleteResponseData.OffsetDeleteResponsePartition().setPartitionIndex(p.partitionIndex())
                            .setErrorCode(e.code()));
                }
                out.topics().add(rt);
            }
            return out;
        });
    }
}
