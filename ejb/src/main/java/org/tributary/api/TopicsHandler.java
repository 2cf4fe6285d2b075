package org.tributary.api;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreatePartitionsResponseData;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicResult;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.tributary.log.LogConfig;
import org.tributary.metadata.TopicImage;

/** CreateTopics, DeleteTopics and CreatePartitions, through {@link TopicAdmin}. */
final class TopicsHandler {
    private final ApiServices services;

    TopicsHandler(ApiServices services) {
        this.services = services;
    }

    CompletionStage<ApiMessage> createTopics(RequestContext ctx, ApiMessage message) {
        CreateTopicsRequestData req = (CreateTopicsRequestData) message;
        CreateTopicsResponseData resp = new CreateTopicsResponseData().setThrottleTimeMs(0);
        Set<String> seen = new HashSet<>();
        Set<String> duplicates = new HashSet<>();
        req.topics().forEach(t -> {
            if (!seen.add(t.name())) {
                duplicates.add(t.name());
            }
        });
        for (CreateTopicsRequestData.CreatableTopic t : req.topics()) {
            CreatableTopicResult r = new CreatableTopicResult().setName(t.name());
            if (resp.topics().find(t.name()) != null) {
                continue; // duplicates answered once
            }
            resp.topics().add(r);
            try {
                if (duplicates.contains(t.name())) {
                    throw new InvalidRequestException("Create topics request from client `" + ctx.clientId()
                            + "` contains multiple entries for the following topics: " + t.name());
                }
                Map<String, String> configs = new LinkedHashMap<>();
                for (CreateTopicsRequestData.CreatableTopicConfig c : t.configs()) {
                    if (c.value() == null) {
                        throw new org.apache.kafka.common.errors.InvalidConfigurationException(
                                "Null value not supported for topic configs: " + c.name());
                    }
                    configs.put(c.name(), c.value());
                }
                List<List<Integer>> manual = new ArrayList<>();
                List<CreateTopicsRequestData.CreatableReplicaAssignment> assignments = new ArrayList<>(t.assignments());
                assignments.sort((a, b) -> Integer.compare(a.partitionIndex(), b.partitionIndex()));
                for (int i = 0; i < assignments.size(); i++) {
                    if (assignments.get(i).partitionIndex() != i) {
                        throw new org.apache.kafka.common.errors.InvalidReplicaAssignmentException(
                                "Partitions should be consecutive and start from 0");
                    }
                    manual.add(assignments.get(i).brokerIds());
                }
                TopicImage created = services.topics().create(t.name(), t.numPartitions(), t.replicationFactor(), manual, configs,
                        req.validateOnly());
                if (ctx.apiVersion() >= 7) {
                    r.setTopicId(req.validateOnly() ? Uuid.ZERO_UUID : created.id());
                }
                if (ctx.apiVersion() >= 5) {
                    r.setNumPartitions(created.partitionCount()).setReplicationFactor(created.replicationFactor());
                    LogConfig config = LogConfig.from(services.topics().brokerDefaults(), created.configs());
                    for (ConfigsHandler.Entry e : ConfigsHandler.topicEntries(config)) {
                        r.configs().add(new CreateTopicsResponseData.CreatableTopicConfigs().setName(e.name()).setValue(e.value())
                                .setReadOnly(false).setConfigSource(e.source()).setIsSensitive(false));
                    }
                }
            } catch (ApiException e) {
                r.setErrorCode(Errors.forException(e).code()).setErrorMessage(e.getMessage());
            } catch (RuntimeException e) {
                Errors err = ApiErrors.of(e, "create topic " + t.name());
                r.setErrorCode(err.code()).setErrorMessage(err.message());
            }
        }
        return CompletableFuture.completedFuture(resp);
    }

    CompletionStage<ApiMessage> deleteTopics(RequestContext ctx, ApiMessage message) {
        DeleteTopicsRequestData req = (DeleteTopicsRequestData) message;
        DeleteTopicsResponseData resp = new DeleteTopicsResponseData().setThrottleTimeMs(0);
        Map<String, Uuid> targets = new LinkedHashMap<>();
        List<DeleteTopicsResponseData.DeletableTopicResult> unknownIds = new ArrayList<>();
        if (ctx.apiVersion() >= 6) {
            for (DeleteTopicsRequestData.DeleteTopicState s : req.topics()) {
                if (s.name() != null) {
                    targets.put(s.name(), s.topicId());
                } else {
                    TopicImage t = ctx.image().topic(s.topicId()).orElse(null);
                    if (t == null) {
                        unknownIds.add(new DeleteTopicsResponseData.DeletableTopicResult().setTopicId(s.topicId())
                                .setErrorCode(Errors.UNKNOWN_TOPIC_ID.code()).setErrorMessage(Errors.UNKNOWN_TOPIC_ID.message()));
                    } else {
                        targets.put(t.name(), t.id());
                    }
                }
            }
        } else {
            req.topicNames().forEach(n -> targets.put(n, Uuid.ZERO_UUID));
        }
        unknownIds.forEach(resp.responses()::add);
        boolean withIds = ctx.apiVersion() >= 6;
        boolean withMessages = ctx.apiVersion() >= 5;
        for (Map.Entry<String, Uuid> e : targets.entrySet()) {
            String name = e.getKey();
            DeleteTopicsResponseData.DeletableTopicResult r = new DeleteTopicsResponseData.DeletableTopicResult().setName(name);
            resp.responses().add(r);
            try {
                TopicImage t = ctx.image().topic(name).orElse(null);
                if (t != null && withIds) {
                    r.setTopicId(t.id());
                }
                services.topics().delete(name);
            } catch (ApiException ex) {
                r.setErrorCode(Errors.forException(ex).code()).setErrorMessage(withMessages ? ex.getMessage() : null);
            } catch (RuntimeException ex) {
                Errors err = ApiErrors.of(ex, "delete topic " + name);
                r.setErrorCode(err.code()).setErrorMessage(withMessages ? err.message() : null);
            }
        }
        return CompletableFuture.completedFuture(resp);
    }

    CompletionStage<ApiMessage> createPartitions(RequestContext ctx, ApiMessage message) {
        CreatePartitionsRequestData req = (CreatePartitionsRequestData) message;
        CreatePartitionsResponseData resp = new CreatePartitionsResponseData().setThrottleTimeMs(0);
        Map<String, Integer> counts = new HashMap<>();
        req.topics().forEach(t -> counts.merge(t.name(), 1, Integer::sum));
        for (CreatePartitionsRequestData.CreatePartitionsTopic t : req.topics()) {
            CreatePartitionsResponseData.CreatePartitionsTopicResult r = new CreatePartitionsResponseData.CreatePartitionsTopicResult()
                    .setName(t.name());
            resp.results().add(r);
            try {
                if (counts.get(t.name()) > 1) {
                    throw new InvalidRequestException("Duplicate topic in request: " + t.name());
                }
                List<List<Integer>> manual = new ArrayList<>();
                if (t.assignments() != null) {
                    t.assignments().forEach(a -> manual.add(a.brokerIds()));
                }
                services.topics().createPartitions(t.name(), t.count(), manual, req.validateOnly());
            } catch (ApiException e) {
                r.setErrorCode(Errors.forException(e).code()).setErrorMessage(e.getMessage());
            } catch (RuntimeException e) {
                Errors err = ApiErrors.of(e, "create partitions of " + t.name());
                r.setErrorCode(err.code()).setErrorMessage(err.message());
            }
        }
        return CompletableFuture.completedFuture(resp);
    }
}
