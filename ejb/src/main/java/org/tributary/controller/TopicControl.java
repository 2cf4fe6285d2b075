package org.tributary.controller;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.IntPredicate;
import java.util.function.Supplier;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.protocol.Errors;
import org.tributary.metadata.BrokerRegistration;
import org.tributary.metadata.MetadataRecord.ConfigRecord;
import org.tributary.metadata.MetadataRecord.PartitionRecord;
import org.tributary.metadata.MetadataRecord.RemoveTopicRecord;
import org.tributary.metadata.MetadataRecord.ResourceType;
import org.tributary.metadata.MetadataRecord.TopicRecord;
import org.tributary.metadata.TopicImage;

/**
 * Topic creation, deletion and partition growth with Kafka's validation and error codes. New
 * partitions get every active replica in the ISR and the first active one as leader; placement is
 * {@link ReplicaPlacer} from the slot after every partition the image holds, so successive topics
 * continue the round of leaders. Stateless apart from the injected id source.
 */
final class TopicControl {
    private final ControllerConfig config;
    private final ConfigValidator validator;
    private final Supplier<Uuid> topicIds;

    TopicControl(ControllerConfig config, ConfigValidator validator, Supplier<Uuid> topicIds) {
        this.config = config;
        this.validator = validator;
        this.topicIds = topicIds;
    }

    /** Kafka's topic name rule (legal characters, at most 249, not "." or ".."), as an error or NONE. */
    static ApiError validateName(String name) {
        if (name == null) {
            return ApiError.of(Errors.INVALID_TOPIC_EXCEPTION, "Topic name is missing");
        }
        try {
            Topic.validate(name);
            return ApiError.NONE;
        } catch (InvalidTopicException e) {
            return ApiError.of(Errors.INVALID_TOPIC_EXCEPTION, e.getMessage());
        }
    }

    CreateTopicResponse create(Changes c, CreateTopicRequest req) {
        ApiError e = validateName(req.name());
        if (!e.isSuccess()) {
            return CreateTopicResponse.error(e);
        }
        if (c.state.topic(req.name()).isPresent()) {
            return CreateTopicResponse.error(ApiError.of(Errors.TOPIC_ALREADY_EXISTS, "Topic '" + req.name() + "' already exists."));
        }
        String[] collision = new String[1];
        c.state.forEachTopic(t -> {
            if (collision[0] == null && Topic.hasCollision(req.name(), t.name())) {
                collision[0] = t.name();
            }
        });
        if (collision[0] != null) {
            return CreateTopicResponse.error(ApiError.of(Errors.INVALID_TOPIC_EXCEPTION, "Topic '" + req.name()
                    + "' collides with existing topic: " + collision[0]));
        }
        List<List<Integer>> assignment;
        if (!req.assignment().isEmpty()) {
            if (req.numPartitions() != -1 || req.replicationFactor() != -1) {
                return CreateTopicResponse.error(ApiError.of(Errors.INVALID_REQUEST,
                        "Both numPartitions or replicationFactor and replicasAssignments were set; only one is allowed"));
            }
            if (req.assignment().size() > config.maxPartitionsPerTopic()) {
                return CreateTopicResponse.error(tooManyPartitions(req.assignment().size()));
            }
            e = validateManual(c, req.assignment(), req.assignment().get(0).size());
            if (!e.isSuccess()) {
                return CreateTopicResponse.error(e);
            }
            assignment = req.assignment();
        } else {
            int n = req.numPartitions() == -1 ? config.defaultPartitions() : req.numPartitions();
            int rf = req.replicationFactor() == -1 ? config.defaultReplicationFactor() : req.replicationFactor();
            if (n < 1) {
                return CreateTopicResponse.error(ApiError.of(Errors.INVALID_PARTITIONS, "Number of partitions was set to an invalid "
                        + "non-positive value."));
            }
            if (n > config.maxPartitionsPerTopic()) {
                return CreateTopicResponse.error(tooManyPartitions(n));
            }
            Optional<ApiError> placementError = checkReplicationFactor(c, rf);
            if (placementError.isPresent()) {
                return CreateTopicResponse.error(placementError.get());
            }
            assignment = ReplicaPlacer.place(usable(c), slot(c), n, rf);
        }
        e = validator.validate(ResourceType.TOPIC, req.name(), new TreeMap<>(req.configs()));
        if (!e.isSuccess()) {
            return CreateTopicResponse.error(e);
        }
        Uuid id = newTopicId(c);
        c.add(new TopicRecord(req.name(), id));
        new TreeMap<>(req.configs()).forEach((k, v) -> c.add(new ConfigRecord(ResourceType.TOPIC, req.name(), k, v)));
        addPartitions(c, id, 0, assignment);
        return new CreateTopicResponse(ApiError.NONE, id, assignment.size(), (short) assignment.get(0).size());
    }

    /** Deletes the topic, or returns {@code notFound} when it does not exist. */
    static ApiError delete(Changes c, Optional<TopicImage> topic, ApiError notFound) {
        if (topic.isEmpty()) {
            return notFound;
        }
        c.add(new RemoveTopicRecord(topic.get().id()));
        return ApiError.NONE;
    }

    ApiError createPartitions(Changes c, String name, int totalCount, List<List<Integer>> assignment) {
        Optional<TopicImage> topic = c.state.topic(name);
        if (topic.isEmpty()) {
            return ApiError.of(Errors.UNKNOWN_TOPIC_OR_PARTITION, "The topic '" + name + "' does not exist.");
        }
        TopicImage t = topic.get();
        int current = t.partitionCount();
        if (totalCount < current) {
            return ApiError.of(Errors.INVALID_PARTITIONS, "The topic " + name + " currently has " + current + " partition(s); "
                    + totalCount + " would not be an increase.");
        }
        if (totalCount == current) {
            return ApiError.of(Errors.INVALID_PARTITIONS, "Topic already has " + current + " partition(s).");
        }
        if (totalCount > config.maxPartitionsPerTopic()) {
            return tooManyPartitions(totalCount);
        }
        int added = totalCount - current;
        List<List<Integer>> placed;
        if (assignment != null && !assignment.isEmpty()) {
            if (assignment.size() != added) {
                return ApiError.of(Errors.INVALID_REPLICA_ASSIGNMENT, "Attempted to add " + added + " additional partition(s), but only "
                        + assignment.size() + " assignment(s) were specified.");
            }
            ApiError e = validateManual(c, assignment, t.replicationFactor());
            if (!e.isSuccess()) {
                return e;
            }
            placed = assignment;
        } else {
            Optional<ApiError> e = checkReplicationFactor(c, t.replicationFactor());
            if (e.isPresent()) {
                return e.get();
            }
            placed = ReplicaPlacer.place(usable(c), slot(c), added, t.replicationFactor());
        }
        addPartitions(c, t.id(), current, placed);
        return ApiError.NONE;
    }

    private void addPartitions(Changes c, Uuid id, int first, List<List<Integer>> assignment) {
        IntPredicate active = ReplicationControl.active(c.state);
        for (int i = 0; i < assignment.size(); i++) {
            List<Integer> replicas = assignment.get(i);
            List<Integer> isr = replicas.stream().filter(active::test).toList(); // every log is empty: all active replicas are in sync
            c.add(new PartitionRecord(id, first + i, replicas, isr, isr.get(0), 0, 0));
        }
    }

    private ApiError tooManyPartitions(int n) {
        return ApiError.of(Errors.INVALID_PARTITIONS, "Number of partitions must be at most " + config.maxPartitionsPerTopic()
                + ", was " + n);
    }

    private static Optional<ApiError> checkReplicationFactor(Changes c, int rf) {
        if (rf < 1) {
            return Optional.of(ApiError.of(Errors.INVALID_REPLICATION_FACTOR, "Replication factor must be larger than 0, was " + rf));
        }
        int n = usable(c).size();
        if (rf > n) {
            return Optional.of(ApiError.of(Errors.INVALID_REPLICATION_FACTOR, "Unable to replicate the partition " + rf
                    + " time(s): The target replication factor of " + rf + " cannot be reached because only " + n
                    + " broker(s) are registered and unfenced."));
        }
        return Optional.empty();
    }

    private static ApiError validateManual(Changes c, List<List<Integer>> assignment, int rf) {
        IntPredicate active = ReplicationControl.active(c.state);
        for (int p = 0; p < assignment.size(); p++) {
            List<Integer> replicas = assignment.get(p);
            if (replicas.isEmpty()) {
                return ApiError.of(Errors.INVALID_REPLICA_ASSIGNMENT, "The manual partition assignment includes an empty replica list.");
            }
            if (replicas.size() != rf) {
                return ApiError.of(Errors.INVALID_REPLICA_ASSIGNMENT, "The manual partition assignment includes a partition with "
                        + replicas.size() + " replica(s), but this is not consistent with previous partitions, which have " + rf
                        + " replica(s).");
            }
            if (new HashSet<>(replicas).size() != replicas.size()) {
                return ApiError.of(Errors.INVALID_REPLICA_ASSIGNMENT, "The manual partition assignment includes the broker "
                        + "more than once: " + replicas);
            }
            for (int b : replicas) {
                if (c.state.broker(b).isEmpty()) {
                    return ApiError.of(Errors.INVALID_REPLICA_ASSIGNMENT, "The manual partition assignment includes broker " + b
                            + ", but no such broker is registered.");
                }
            }
            if (replicas.stream().noneMatch(active::test)) {
                return ApiError.of(Errors.INVALID_REPLICA_ASSIGNMENT, "All brokers specified in the manual partition assignment for "
                        + "partition " + p + " are fenced or in controlled shutdown.");
            }
        }
        return ApiError.NONE;
    }

    static List<BrokerRegistration> usable(Changes c) {
        return c.state.brokers().stream().filter(BrokerRegistration::active).toList();
    }

    private static int slot(Changes c) {
        int[] total = new int[1];
        c.state.forEachTopic(t -> total[0] += t.partitionCount());
        return total[0];
    }

    private Uuid newTopicId(Changes c) {
        for (int tries = 0; tries < 100; tries++) {
            Uuid id = topicIds.get();
            if (!id.equals(Uuid.ZERO_UUID) && !id.equals(Uuid.METADATA_TOPIC_ID) && c.state.topic(id).isEmpty()) {
                return id;
            }
        }
        throw new IllegalStateException("the topic id source keeps returning ids in use");
    }

    static Map<String, String> merged(Map<String, String> current, List<ConfigChange> changes) {
        Map<String, String> m = new TreeMap<>(current);
        for (ConfigChange ch : changes) {
            if (ch.value() == null) {
                m.remove(ch.key());
            } else {
                m.put(ch.key(), ch.value());
            }
        }
        return m;
    }

    ApiError alterConfigs(Changes c, ResourceType type, String name, List<ConfigChange> changes) {
        Map<String, String> current;
        if (type == ResourceType.TOPIC) {
            Optional<TopicImage> t = c.state.topic(name);
            if (t.isEmpty()) {
                return ApiError.of(Errors.UNKNOWN_TOPIC_OR_PARTITION, "The topic '" + name + "' does not exist.");
            }
            current = t.get().configs();
        } else {
            if (!name.isEmpty() && !name.matches("[0-9]{1,9}")) {
                return ApiError.of(Errors.INVALID_REQUEST, "Broker resource name must be a broker id or empty, was '" + name + "'");
            }
            current = c.state.brokerConfig(name);
        }
        Map<String, String> next = merged(current, changes);
        ApiError e = validator.validate(type, name, next);
        if (!e.isSuccess()) {
            return e;
        }
        Map<String, String> keys = new TreeMap<>();
        changes.forEach(ch -> keys.put(ch.key(), next.get(ch.key())));
        keys.forEach((k, v) -> {
            if (!Objects.equals(current.get(k), v)) {
                c.add(new ConfigRecord(type, name, k, v));
            }
        });
        return ApiError.NONE;
    }
}
