package org.tributary.api;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicaAssignmentException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreatePartitionsResponseData;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.tributary.cluster.BrokerInfo;
import org.tributary.cluster.ClusterView;
import org.tributary.config.BrokerConfig;
import org.tributary.controller.ApiError;
import org.tributary.controller.ControllerClient;
import org.tributary.log.LogConfig;
import org.tributary.metadata.MetadataStore;
import org.tributary.metadata.TopicImage;

/**
 * Topic changes shared by CreateTopics, auto-creation, DeleteTopics, CreatePartitions and the
 * config APIs, from any broker: cheap checks here (name, configs, manual assignments against the
 * live brokers), then the change goes to the active controller ({@link ControllerClient}), which
 * validates against the cluster's metadata, places replicas and writes the records. A call returns
 * once this broker's own image has the change. Errors are Kafka {@link ApiException}s whose
 * message says why.
 */
public final class TopicAdmin {
    /** A sanity bound so one request cannot create millions of partition directories. */
    static final int MAX_PARTITIONS = 10_000;
    /** How long a change waits for the controller when its caller gives no timeout (auto-creation, IncrementalAlterConfigs, which has no timeoutMs). */
    static final Duration CONTROLLER_TIMEOUT = Duration.ofSeconds(15);
    /** How long an in-process creator waits for this broker to open what it created. */
    static final Duration OPEN_WAIT = Duration.ofSeconds(10);
    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(TopicAdmin.class.getName());
    /**
     * The longest a request's own {@code timeoutMs} holds it: a Kafka broker gives up forwarding a
     * request to an unreachable controller after 60 s whatever the request asked for.
     */
    static final Duration MAX_REQUEST_WAIT = Duration.ofSeconds(60);

    private final MetadataStore store;
    private final ClusterView cluster;
    private final ControllerClient controller;
    private final Map<String, String> brokerDefaults;
    private final int defaultPartitions;
    private final short defaultReplicationFactor;

    public TopicAdmin(MetadataStore store, ClusterView cluster, ControllerClient controller, BrokerConfig config) {
        this.store = store;
        this.cluster = cluster;
        this.controller = controller;
        this.brokerDefaults = config.explicitValues();
        this.defaultPartitions = config.getInt("num.partitions", 1, 1, MAX_PARTITIONS);
        this.defaultReplicationFactor = (short) config.getInt("default.replication.factor", 1, 1, Short.MAX_VALUE);
    }

    public int defaultPartitions() {
        return defaultPartitions;
    }

    public short defaultReplicationFactor() {
        return defaultReplicationFactor;
    }

    public Map<String, String> brokerDefaults() {
        return brokerDefaults;
    }

    /** Validates a topic name with Kafka's rules (legal characters, length, not "." or ".."). */
    public static void validateName(String name) {
        if (name == null) {
            throw new InvalidTopicException("Topic name is missing");
        }
        Topic.validate(name);
    }

    /**
     * This broker's checks of one topic to create (name, counts, manual assignment against the
     * live brokers, configs). {@code partitions} / {@code rf} of -1 take the broker defaults; a
     * non-empty {@code manual} assignment fixes the replicas. Returns the topic as the controller
     * takes it ({@link #sendCreate}); a failed check throws the Kafka error.
     */
    public CreateTopicsRequestData.CreatableTopic checkCreate(String name, int partitions, short rf, List<List<Integer>> manual,
            Map<String, String> configs) {
        validateName(name);
        boolean hasManual = manual != null && !manual.isEmpty();
        if (hasManual && (partitions != -1 || rf != -1)) {
            throw new org.apache.kafka.common.errors.InvalidRequestException(
                    "Both numPartitions or replicationFactor and replicasAssignments were set; only one is allowed");
        }
        int n = hasManual ? manual.size() : partitions == -1 ? defaultPartitions : partitions;
        short r = hasManual ? (short) manual.get(0).size() : rf == -1 ? defaultReplicationFactor : rf;
        if (!hasManual && (n < 1 || n > MAX_PARTITIONS)) {
            throw new InvalidPartitionsException("Number of partitions must be between 1 and " + MAX_PARTITIONS + ", was " + n);
        }
        if (hasManual) {
            checkAssignment(manual, r);
        }
        LogConfig.from(brokerDefaults, configs); // throws InvalidConfigurationException naming the key
        CreateTopicsRequestData.CreatableTopic t = new CreateTopicsRequestData.CreatableTopic().setName(name)
                .setNumPartitions(hasManual ? -1 : n).setReplicationFactor(hasManual ? -1 : r);
        if (hasManual) {
            for (int p = 0; p < manual.size(); p++) {
                t.assignments().add(new CreateTopicsRequestData.CreatableReplicaAssignment().setPartitionIndex(p)
                        .setBrokerIds(new ArrayList<>(manual.get(p))));
            }
        }
        configs.forEach((k, v) -> t.configs().add(new CreateTopicsRequestData.CreatableTopicConfig().setName(k).setValue(v)));
        return t;
    }

    /**
     * How long a client request carrying {@code timeoutMs} (CreateTopics, DeleteTopics,
     * CreatePartitions) waits for the controller: that long, at most {@link #MAX_REQUEST_WAIT};
     * empty for a timeoutMs of 0 or less: a deadline that has already passed, so Kafka's controller
     * answers REQUEST_TIMED_OUT at once and changes nothing.
     */
    static java.util.Optional<Duration> requestWait(int timeoutMs) {
        return timeoutMs <= 0 ? java.util.Optional.empty()
                : java.util.Optional.of(Duration.ofMillis(Math.min(timeoutMs, MAX_REQUEST_WAIT.toMillis())));
    }

    /** {@link #sendCreate(List, boolean, Duration)} waiting at most {@link #CONTROLLER_TIMEOUT}. */
    public CompletableFuture<CreateTopicsResponseData> sendCreate(List<CreateTopicsRequestData.CreatableTopic> topics,
            boolean validateOnly) {
        return sendCreate(topics, validateOnly, CONTROLLER_TIMEOUT);
    }

    /**
     * Sends {@code topics} (each from {@link #checkCreate}, names distinct) to the controller as
     * one request, decided in one metadata log entry; completes with its per-topic results, in
     * order, once this broker's image has the topics, or with Kafka's retriable timeout when no
     * controller has answered within {@code wait}. Never blocks.
     */
    public CompletableFuture<CreateTopicsResponseData> sendCreate(List<CreateTopicsRequestData.CreatableTopic> topics,
            boolean validateOnly, Duration wait) {
        CreateTopicsRequestData req = new CreateTopicsRequestData().setValidateOnly(validateOnly).setTimeoutMs((int) wait.toMillis());
        topics.forEach(t -> req.topics().add(t.duplicate()));
        return controller.send(req, CreateTopicsResponseData.class, wait);
    }

    /**
     * Creates a topic (or only validates when {@code validateOnly}), waiting for the controller;
     * arguments as {@link #checkCreate}. Returns the topic as this broker's image has it (for
     * validateOnly: as it would be).
     */
    public TopicImage create(String name, int partitions, short rf, List<List<Integer>> manual, Map<String, String> configs,
            boolean validateOnly) {
        CreateTopicsRequestData.CreatableTopic t = checkCreate(name, partitions, rf, manual, configs);
        CreateTopicsResponseData.CreatableTopicResult result = ControllerClient.await(sendCreate(List.of(t), validateOnly)).topics()
                .iterator().next();
        throwIfError(result.errorCode(), result.errorMessage());
        if (validateOnly) {
            boolean hasManual = manual != null && !manual.isEmpty();
            return new TopicImage(name, Uuid.ZERO_UUID, hasManual ? manual : java.util.Collections.nCopies(result.numPartitions(),
                    java.util.Collections.nCopies(result.replicationFactor(), -1)), configs);
        }
        awaitOpen(store.image().offset());
        return store.image().topic(name).orElseThrow(() -> new UnknownTopicOrPartitionException(
                "Topic '" + name + "' was created but deleted again at once"));
    }

    /**
     * Waits (at most {@link #OPEN_WAIT}) until this broker has opened its partitions as the image at
     * {@code offset} has them. For creators in this process (auto-creation, internal topics, the
     * console), which go on to use the partitions at once without passing the partition APIs' gate;
     * past the wait they go on anyway and meet the retriable errors a client would.
     */
    private void awaitOpen(long offset) {
        try {
            store.awaitPublished(offset).get(OPEN_WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
            LOG.fine(() -> "partitions of the image at offset " + offset + " not open yet: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** This broker's check of a topic to delete: it must be in this broker's image. */
    public void checkDelete(String name) {
        if (store.image().topic(name).isEmpty()) {
            throw new UnknownTopicOrPartitionException("This server does not host this topic: " + name);
        }
    }

    /** {@link #sendDelete(List, Duration)} waiting at most {@link #CONTROLLER_TIMEOUT}. */
    public CompletableFuture<DeleteTopicsResponseData> sendDelete(List<String> names) {
        return sendDelete(names, CONTROLLER_TIMEOUT);
    }

    /**
     * Sends the deletion of {@code names} (each passed {@link #checkDelete}) as one controller
     * request; as {@link #sendCreate(List, boolean, Duration)}.
     */
    public CompletableFuture<DeleteTopicsResponseData> sendDelete(List<String> names, Duration wait) {
        DeleteTopicsRequestData req = new DeleteTopicsRequestData().setTimeoutMs((int) wait.toMillis());
        names.forEach(n -> req.topics().add(new DeleteTopicsRequestData.DeleteTopicState().setName(n)));
        return controller.send(req, DeleteTopicsResponseData.class, wait);
    }

    public void delete(String name) {
        checkDelete(name);
        DeleteTopicsResponseData.DeletableTopicResult r = ControllerClient.await(sendDelete(List.of(name))).responses().iterator()
                .next();
        throwIfError(r.errorCode(), r.errorMessage());
    }

    /**
     * This broker's checks of raising topic {@code name} to {@code count} partitions ({@code manual}
     * gives replicas of the new ones): it exists here, the count is in bounds, the assignment
     * names live brokers. Returns the topic as the controller takes it ({@link #sendCreatePartitions}).
     */
    public CreatePartitionsRequestData.CreatePartitionsTopic checkCreatePartitions(String name, int count, List<List<Integer>> manual) {
        TopicImage topic = store.image().topic(name)
                .orElseThrow(() -> new UnknownTopicOrPartitionException("The topic '" + name + "' does not exist."));
        if (count > MAX_PARTITIONS) {
            throw new InvalidPartitionsException("Number of partitions must be at most " + MAX_PARTITIONS);
        }
        boolean hasManual = manual != null && !manual.isEmpty();
        if (hasManual) {
            checkAssignment(manual, topic.replicationFactor());
        }
        CreatePartitionsRequestData.CreatePartitionsTopic t = new CreatePartitionsRequestData.CreatePartitionsTopic()
                .setName(name).setCount(count).setAssignments(null);
        if (hasManual) {
            List<CreatePartitionsRequestData.CreatePartitionsAssignment> a = new ArrayList<>();
            manual.forEach(r -> a.add(new CreatePartitionsRequestData.CreatePartitionsAssignment().setBrokerIds(new ArrayList<>(r))));
            t.setAssignments(a);
        }
        return t;
    }

    /** {@link #sendCreatePartitions(List, boolean, Duration)} waiting at most {@link #CONTROLLER_TIMEOUT}. */
    public CompletableFuture<CreatePartitionsResponseData> sendCreatePartitions(List<CreatePartitionsRequestData.CreatePartitionsTopic> topics,
            boolean validateOnly) {
        return sendCreatePartitions(topics, validateOnly, CONTROLLER_TIMEOUT);
    }

    /**
     * Sends {@code topics} (each from {@link #checkCreatePartitions}) as one controller request;
     * as {@link #sendCreate(List, boolean, Duration)}.
     */
    public CompletableFuture<CreatePartitionsResponseData> sendCreatePartitions(List<CreatePartitionsRequestData.CreatePartitionsTopic> topics,
            boolean validateOnly, Duration wait) {
        CreatePartitionsRequestData req = new CreatePartitionsRequestData().setValidateOnly(validateOnly)
                .setTimeoutMs((int) wait.toMillis());
        topics.forEach(t -> req.topics().add(t.duplicate()));
        return controller.send(req, CreatePartitionsResponseData.class, wait);
    }

    /** Raises the partition count to {@code count}, waiting for the controller; arguments as {@link #checkCreatePartitions}. */
    public void createPartitions(String name, int count, List<List<Integer>> manual, boolean validateOnly) {
        CreatePartitionsRequestData.CreatePartitionsTopic t = checkCreatePartitions(name, count, manual);
        CreatePartitionsResponseData.CreatePartitionsTopicResult r = ControllerClient.await(sendCreatePartitions(List.of(t),
                validateOnly)).results().get(0);
        throwIfError(r.errorCode(), r.errorMessage());
    }

    /** Replaces the topic's config overrides (validated first). */
    public void setConfigs(String name, Map<String, String> overrides, boolean validateOnly) {
        TopicImage topic = store.image().topic(name)
                .orElseThrow(() -> new UnknownTopicOrPartitionException("The topic '" + name + "' does not exist."));
        LogConfig.from(brokerDefaults, overrides);
        if (validateOnly) {
            return;
        }
        IncrementalAlterConfigsRequestData.AlterConfigsResource res = new IncrementalAlterConfigsRequestData.AlterConfigsResource()
                .setResourceType(ConfigResource.Type.TOPIC.id()).setResourceName(name);
        overrides.forEach((k, v) -> {
            if (!v.equals(topic.configs().get(k))) {
                res.configs().add(new IncrementalAlterConfigsRequestData.AlterableConfig().setName(k).setValue(v)
                        .setConfigOperation(AlterConfigOp.OpType.SET.id()));
            }
        });
        topic.configs().keySet().stream().filter(k -> !overrides.containsKey(k)).forEach(k -> res.configs().add(
                new IncrementalAlterConfigsRequestData.AlterableConfig().setName(k).setValue(null)
                        .setConfigOperation(AlterConfigOp.OpType.DELETE.id())));
        if (res.configs().isEmpty()) {
            return;
        }
        IncrementalAlterConfigsRequestData req = new IncrementalAlterConfigsRequestData();
        req.resources().add(res);
        IncrementalAlterConfigsResponseData resp = controller.call(req, IncrementalAlterConfigsResponseData.class, CONTROLLER_TIMEOUT);
        IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse r = resp.responses().get(0);
        throwIfError(r.errorCode(), r.errorMessage());
    }

    /**
     * The controller's per-topic error code and message as the error to give the client: the
     * code's own message when the controller sent none; {@link ApiError#NONE} for success.
     */
    public static ApiError resultError(short code, String message) {
        Errors e = Errors.forCode(code);
        return e == Errors.NONE ? ApiError.NONE : ApiError.of(e, message == null || message.isEmpty() ? e.message() : message);
    }

    private static void throwIfError(short code, String message) {
        ApiError e = resultError(code, message);
        if (!e.isSuccess()) {
            throw e.error().exception(e.message());
        }
    }

    private void checkAssignment(List<List<Integer>> manual, int rf) {
        Set<Integer> live = new HashSet<>();
        servingBrokers().forEach(b -> live.add(b.id()));
        for (List<Integer> replicas : manual) {
            if (replicas.isEmpty() || replicas.size() != rf) {
                throw new InvalidReplicaAssignmentException("All partitions should have the same number of replicas (" + rf + ")");
            }
            if (new HashSet<>(replicas).size() != replicas.size()) {
                throw new InvalidReplicaAssignmentException("Duplicate brokers not allowed in replica assignment: " + replicas);
            }
            for (int b : replicas) {
                if (!live.contains(b)) {
                    throw new InvalidReplicaAssignmentException("Broker " + b + " in replica assignment " + replicas
                            + " is not a live broker");
                }
            }
        }
    }

    /** The live (unfenced) brokers of the cluster: Metadata responses list exactly these. */
    public List<BrokerInfo> servingBrokers() {
        return cluster.liveBrokers();
    }
}
