package org.tributary.api;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreatePartitionsResponseData;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicResult;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.ResourceType;
import org.tributary.controller.ApiError;
import org.tributary.log.LogConfig;
import org.tributary.metadata.TopicImage;

/**
 * CreateTopics, DeleteTopics and CreatePartitions: each topic is checked here first (with
 * {@link TopicAdmin}'s checks, shared with the REST and console callers); all topics that pass go
 * to the active controller as ONE request, decided in one metadata log entry, without blocking
 * the calling thread. The controller's per-topic results are merged with the local errors in the
 * request's order. A controller failure (no leader, a lost leadership, a timeout) is the
 * retriable Kafka error for each topic that was sent.
 *
 * <p>The request's {@code timeoutMs} bounds the wait for the controller ({@link TopicAdmin#requestWait}):
 * when it passes first, each topic sent is REQUEST_TIMED_OUT. A timeoutMs of 0 or less is a
 * deadline that has already passed: as Kafka's KRaft controller does (its deadline is now +
 * timeoutMs, and an event past its deadline is failed before it runs), every topic is
 * REQUEST_TIMED_OUT at once and nothing is sent, validate-only or not. (ZooKeeper-era brokers
 * started the change and answered the same error; KRaft brokers, and so Tributary, do not.)
 *
 * <p>Authorization as Kafka's: CreateTopics needs CREATE on the cluster or the topic (and
 * DESCRIBE_CONFIGS to see the configs it answers with), DeleteTopics DELETE on the topic (and
 * DESCRIBE to learn the name of a topic named by id), CreatePartitions ALTER on the topic; a
 * denied topic is TOPIC_AUTHORIZATION_FAILED, decided before whether it exists.
 */
final class TopicsHandler {
    private final ApiServices services;

    TopicsHandler(ApiServices services) {
        this.services = services;
    }

    /** A topic that passed the local checks: the result slot to fill from the controller's answer, and its configs. */
    private record Pending<R>(R result, Map<String, String> configs) {
    }

    /**
     * Once {@code answer} completes: its i-th per-topic result goes to the i-th of {@code pending}
     * ({@code success}, or {@code failed} with the error {@code errorOf} finds in it); a failed
     * answer fails every one of them.
     * Completes with {@code response}; completes at once when nothing was sent.
     */
    private static <R, A> CompletionStage<ApiMessage> merge(ApiMessage response, List<Pending<R>> pending,
            CompletableFuture<List<A>> answer, Function<A, ApiError> errorOf, BiConsumer<Pending<R>, A> success,
            BiConsumer<R, ApiError> failed, String what) {
        if (pending.isEmpty()) {
            return CompletableFuture.completedFuture(response);
        }
        return answer.handle((results, failure) -> {
            if (failure == null && results.size() != pending.size()) {
                failure = new IllegalStateException("the controller answered " + results.size() + " of " + pending.size() + " topics");
            }
            ApiError all = failure == null ? null : ApiErrors.error(failure, what);
            for (int i = 0; i < pending.size(); i++) {
                Pending<R> p = pending.get(i);
                ApiError e = all != null ? all : errorOf.apply(results.get(i));
                if (e.isSuccess()) {
                    success.accept(p, results.get(i));
                } else {
                    failed.accept(p.result(), e);
                }
            }
            return response;
        });
    }

    /**
     * Sends with the wait {@code timeoutMs} asks for; for 0 or less (a deadline already passed)
     * sends nothing and fails at once with Kafka's timeout, so each topic is REQUEST_TIMED_OUT.
     */
    private static <A> CompletableFuture<A> send(int timeoutMs, Function<Duration, CompletableFuture<A>> send) {
        Optional<Duration> wait = TopicAdmin.requestWait(timeoutMs);
        if (wait.isPresent()) {
            return send.apply(wait.get());
        }
        return CompletableFuture.failedFuture(new TimeoutException("The request's timeoutMs is " + timeoutMs
                + ", a deadline that has already passed: nothing was changed (send a positive timeoutMs)"));
    }

    CompletionStage<ApiMessage> createTopics(RequestContext ctx, ApiMessage message) {
        CreateTopicsRequestData req = (CreateTopicsRequestData) message;
        short v = ctx.apiVersion();
        CreateTopicsResponseData resp = new CreateTopicsResponseData().setThrottleTimeMs(0);
        Set<String> seen = new HashSet<>();
        Set<String> duplicates = new HashSet<>();
        req.topics().forEach(t -> {
            if (!seen.add(t.name())) {
                duplicates.add(t.name());
            }
        });
        List<CreateTopicsRequestData.CreatableTopic> checked = new ArrayList<>();
        List<Pending<CreatableTopicResult>> pending = new ArrayList<>();
        RequestAuthorizer auth = services.authorizer();
        boolean clusterCreate = auth.filters(ctx, AclOperation.CREATE, ResourceType.CLUSTER, RequestAuthorizer.CLUSTER_NAME);
        for (CreateTopicsRequestData.CreatableTopic t : req.topics()) {
            if (resp.topics().find(t.name()) != null) {
                continue; // duplicates answered once
            }
            CreatableTopicResult r = new CreatableTopicResult().setName(t.name());
            resp.topics().add(r);
            try {
                if (duplicates.contains(t.name())) {
                    throw new InvalidRequestException("Create topics request from client `" + ctx.clientId()
                            + "` contains multiple entries for the following topics: " + t.name());
                }
                if (!clusterCreate && !auth.allows(ctx, AclOperation.CREATE, ResourceType.TOPIC, t.name())) {
                    throw new TopicAuthorizationException("Authorization failed.");
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
                checked.add(services.topics().checkCreate(t.name(), t.numPartitions(), t.replicationFactor(), manual, configs));
                pending.add(new Pending<>(r, configs));
            } catch (RuntimeException e) {
                setError(r, ApiErrors.error(e, "create topic " + t.name()));
            }
        }
        CompletableFuture<List<CreatableTopicResult>> answer = checked.isEmpty() ? null
                : send(req.timeoutMs(), wait -> services.topics().sendCreate(checked, req.validateOnly(), wait))
                        .thenApply(a -> new ArrayList<>(a.topics()));
        return merge(resp, pending, answer, c -> TopicAdmin.resultError(c.errorCode(), c.errorMessage()), (p, c) -> {
            CreatableTopicResult r = p.result();
            if (v >= 7) {
                r.setTopicId(req.validateOnly() ? Uuid.ZERO_UUID : c.topicId());
            }
            if (v >= 5 && !auth.allows(ctx, AclOperation.DESCRIBE_CONFIGS, ResourceType.TOPIC, r.name())) {
                r.setNumPartitions(c.numPartitions()).setReplicationFactor(c.replicationFactor())
                        .setTopicConfigErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code());
            } else if (v >= 5) {
                r.setNumPartitions(c.numPartitions()).setReplicationFactor(c.replicationFactor());
                LogConfig config = LogConfig.from(services.topics().brokerDefaults(), p.configs());
                for (ConfigsHandler.Entry e : ConfigsHandler.topicEntries(config)) {
                    r.configs().add(new CreateTopicsResponseData.CreatableTopicConfigs().setName(e.name()).setValue(e.value())
                            .setReadOnly(false).setConfigSource(e.source()).setIsSensitive(false));
                }
            }
        }, TopicsHandler::setError, "create topics");
    }

    private static void setError(CreatableTopicResult r, ApiError e) {
        r.setErrorCode(e.error().code()).setErrorMessage(e.message());
    }

    CompletionStage<ApiMessage> deleteTopics(RequestContext ctx, ApiMessage message) {
        DeleteTopicsRequestData req = (DeleteTopicsRequestData) message;
        DeleteTopicsResponseData resp = new DeleteTopicsResponseData().setThrottleTimeMs(0);
        Map<String, Uuid> targets = new LinkedHashMap<>();
        Set<String> namedById = new HashSet<>();
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
                        namedById.add(t.name());
                    }
                }
            }
        } else {
            req.topicNames().forEach(n -> targets.put(n, Uuid.ZERO_UUID));
        }
        unknownIds.forEach(resp.responses()::add);
        boolean withIds = ctx.apiVersion() >= 6;
        boolean withMessages = ctx.apiVersion() >= 5;
        BiConsumer<DeleteTopicsResponseData.DeletableTopicResult, ApiError> failed = (r, e) -> r.setErrorCode(e.error().code())
                .setErrorMessage(withMessages ? e.message() : null);
        List<String> checked = new ArrayList<>();
        List<Pending<DeleteTopicsResponseData.DeletableTopicResult>> pending = new ArrayList<>();
        RequestAuthorizer auth = services.authorizer();
        for (String name : targets.keySet()) {
            DeleteTopicsResponseData.DeletableTopicResult r = new DeleteTopicsResponseData.DeletableTopicResult().setName(name);
            resp.responses().add(r);
            try {
                TopicImage t = ctx.image().topic(name).orElse(null);
                if (t != null && withIds) {
                    r.setTopicId(t.id());
                }
                if (namedById.contains(name) && !auth.allows(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC, name)) {
                    r.setName(null); // asked by id without DESCRIBE: the name stays hidden (the id is not secret)
                    throw new TopicAuthorizationException("Authorization failed.");
                }
                if (!auth.allows(ctx, AclOperation.DELETE, ResourceType.TOPIC, name)) {
                    throw new TopicAuthorizationException("Authorization failed.");
                }
                services.topics().checkDelete(name);
                checked.add(name);
                pending.add(new Pending<>(r, Map.of()));
            } catch (RuntimeException ex) {
                failed.accept(r, ApiErrors.error(ex, "delete topic " + name));
            }
        }
        CompletableFuture<List<DeleteTopicsResponseData.DeletableTopicResult>> answer = checked.isEmpty() ? null
                : send(req.timeoutMs(), wait -> services.topics().sendDelete(checked, wait))
                        .thenApply(a -> new ArrayList<>(a.responses()));
        return merge(resp, pending, answer, d -> TopicAdmin.resultError(d.errorCode(), d.errorMessage()), (p, d) -> {
        }, failed, "delete topics");
    }

    CompletionStage<ApiMessage> createPartitions(RequestContext ctx, ApiMessage message) {
        CreatePartitionsRequestData req = (CreatePartitionsRequestData) message;
        CreatePartitionsResponseData resp = new CreatePartitionsResponseData().setThrottleTimeMs(0);
        Map<String, Integer> counts = new HashMap<>();
        req.topics().forEach(t -> counts.merge(t.name(), 1, Integer::sum));
        BiConsumer<CreatePartitionsResponseData.CreatePartitionsTopicResult, ApiError> failed = (r, e) -> r
                .setErrorCode(e.error().code()).setErrorMessage(e.message());
        List<CreatePartitionsRequestData.CreatePartitionsTopic> checked = new ArrayList<>();
        List<Pending<CreatePartitionsResponseData.CreatePartitionsTopicResult>> pending = new ArrayList<>();
        for (CreatePartitionsRequestData.CreatePartitionsTopic t : req.topics()) {
            CreatePartitionsResponseData.CreatePartitionsTopicResult r = new CreatePartitionsResponseData.CreatePartitionsTopicResult()
                    .setName(t.name());
            resp.results().add(r);
            try {
                if (counts.get(t.name()) > 1) {
                    throw new InvalidRequestException("Duplicate topic in request: " + t.name());
                }
                if (!services.authorizer().allows(ctx, AclOperation.ALTER, ResourceType.TOPIC, t.name())) {
                    throw new TopicAuthorizationException("Authorization failed.");
                }
                List<List<Integer>> manual = new ArrayList<>();
                if (t.assignments() != null) {
                    t.assignments().forEach(a -> manual.add(a.brokerIds()));
                }
                checked.add(services.topics().checkCreatePartitions(t.name(), t.count(), manual));
                pending.add(new Pending<>(r, Map.of()));
            } catch (RuntimeException e) {
                failed.accept(r, ApiErrors.error(e, "create partitions of " + t.name()));
            }
        }
        CompletableFuture<List<CreatePartitionsResponseData.CreatePartitionsTopicResult>> answer = checked.isEmpty() ? null
                : send(req.timeoutMs(),
                        wait -> services.topics().sendCreatePartitions(checked, req.validateOnly(), wait))
                        .thenApply(CreatePartitionsResponseData::results);
        return merge(resp, pending, answer, c -> TopicAdmin.resultError(c.errorCode(), c.errorMessage()), (p, c) -> {
        }, failed, "create partitions");
    }
}
