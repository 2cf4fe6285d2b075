package org.tributary.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tributary.metadata.MetadataRecord.ResourceType;
import org.tributary.metadata.PartitionRegistration;

class TopicOperationsTest {
    final ControllerHarness h = new ControllerHarness();

    @BeforeEach
    void threeBrokers() {
        h.start(1, null);
        h.start(2, null);
        h.start(3, null);
    }

    Errors create(CreateTopicRequest req) {
        ControllerResult<CreateTopicResponse> r = h.controller.createTopic(h.image, req);
        if (!r.response().error().isSuccess()) {
            assertEquals(List.of(), r.records());
        }
        h.run(r);
        return r.response().error().error();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".", "..", "has space", "slash/no", "\u00e9t\u00e9"})
    void illegalTopicNamesAreRefused(String name) {
        assertEquals(Errors.INVALID_TOPIC_EXCEPTION, create(CreateTopicRequest.of(name, 1, 1)));
    }

    @Test
    void namesFollowKafkasLengthAndCharacterRules() {
        assertEquals(Errors.NONE, create(CreateTopicRequest.of("a".repeat(249), 1, 1)));
        assertEquals(Errors.INVALID_TOPIC_EXCEPTION, create(CreateTopicRequest.of("b".repeat(250), 1, 1)));
        assertEquals(Errors.NONE, create(CreateTopicRequest.of("Ok.name_with-chars9", 1, 1)));
        assertEquals(Errors.INVALID_TOPIC_EXCEPTION, create(CreateTopicRequest.of("Ok_name.with-chars9", 1, 1)));
        assertEquals(Errors.INVALID_TOPIC_EXCEPTION, TopicControl.validateName(null).error());
    }

    @Test
    void createValidatesCountsAndDuplicates() {
        assertEquals(Errors.INVALID_PARTITIONS, create(CreateTopicRequest.of("t", 0, 1)));
        assertEquals(Errors.INVALID_PARTITIONS, create(CreateTopicRequest.of("t", 10_001, 1)));
        assertEquals(Errors.INVALID_REPLICATION_FACTOR, create(CreateTopicRequest.of("t", 1, 0)));
        assertEquals(Errors.INVALID_REPLICATION_FACTOR, create(CreateTopicRequest.of("t", 1, 4)));
        assertEquals(Errors.NONE, create(CreateTopicRequest.of("t", -1, -1)));
        assertEquals(1, h.image.topic("t").orElseThrow().partitionCount());
        assertEquals(Errors.TOPIC_ALREADY_EXISTS, create(CreateTopicRequest.of("t", 1, 1)));
    }

    @Test
    void manualAssignmentsAreValidatedAndFencedReplicasStartOutOfSync() {
        h.register(4, null);
        assertEquals(Errors.INVALID_REQUEST, create(new CreateTopicRequest("m", 2, (short) -1, List.of(List.of(1)), null)));
        assertEquals(Errors.INVALID_REPLICA_ASSIGNMENT, create(new CreateTopicRequest("m", -1, (short) -1,
                List.of(List.of(1, 2), List.of(3)), null)));
        assertEquals(Errors.INVALID_REPLICA_ASSIGNMENT, create(new CreateTopicRequest("m", -1, (short) -1, List.of(List.of(1, 1)), null)));
        assertEquals(Errors.INVALID_REPLICA_ASSIGNMENT, create(new CreateTopicRequest("m", -1, (short) -1, List.of(List.of(9)), null)));
        assertEquals(Errors.INVALID_REPLICA_ASSIGNMENT, create(new CreateTopicRequest("m", -1, (short) -1, List.of(List.of(4)), null)));
        assertEquals(Errors.NONE, create(new CreateTopicRequest("m", -1, (short) -1, List.of(List.of(4, 2), List.of(3, 1)), null)));
        assertEquals(new PartitionRegistration(List.of(4, 2), List.of(2), 2, 0, 0), h.partition("m", 0));
        assertEquals(new PartitionRegistration(List.of(3, 1), List.of(3, 1), 3, 0, 0), h.partition("m", 1));
    }

    @Test
    void configsAreValidatedAsASetByTheCallersValidator() {
        h.validator = (type, name, configs) -> configs.containsKey("a") && !configs.containsKey("b")
                ? ApiError.of(Errors.INVALID_CONFIG, "a needs b") : ApiError.NONE;
        assertEquals(Errors.INVALID_CONFIG, create(new CreateTopicRequest("c", 1, (short) 1, null, Map.of("a", "1"))));
        assertEquals(Errors.NONE, create(new CreateTopicRequest("c", 1, (short) 1, null, Map.of("a", "1", "b", "2"))));
        assertEquals(Map.of("a", "1", "b", "2"), h.image.topic("c").orElseThrow().configs());
        assertEquals(Errors.INVALID_CONFIG, h.run(h.controller.alterConfigs(h.image, ResourceType.TOPIC, "c",
                List.of(new ConfigChange("b", null)))).error());
        assertEquals(ApiError.NONE, h.run(h.controller.alterConfigs(h.image, ResourceType.TOPIC, "c",
                List.of(new ConfigChange("b", null), new ConfigChange("a", null), new ConfigChange("x", "y")))));
        assertEquals(Map.of("x", "y"), h.image.topic("c").orElseThrow().configs());
        assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION, h.run(h.controller.alterConfigs(h.image, ResourceType.TOPIC, "nope",
                List.of(new ConfigChange("x", "y")))).error());
        assertEquals(Errors.INVALID_REQUEST, h.run(h.controller.alterConfigs(h.image, ResourceType.BROKER, "one",
                List.of(new ConfigChange("x", "y")))).error());
        assertEquals(ApiError.NONE, h.run(h.controller.alterConfigs(h.image, ResourceType.BROKER, "",
                List.of(new ConfigChange("x", "y")))));
        assertEquals(Map.of("x", "y"), h.image.brokerConfig(""));
        assertEquals(List.of(), h.controller.alterConfigs(h.image, ResourceType.BROKER, "", List.of(new ConfigChange("x", "y")))
                .records(), "setting the same value writes nothing");
    }

    @Test
    void partitionsOnlyGrowAndNewOnesArePlaced() {
        Uuid id = h.createTopic("t", 2, 2);
        assertEquals(Errors.INVALID_PARTITIONS, h.run(h.controller.createPartitions(h.image, "t", 1, null)).error());
        assertEquals(Errors.INVALID_PARTITIONS, h.run(h.controller.createPartitions(h.image, "t", 2, null)).error());
        assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION, h.run(h.controller.createPartitions(h.image, "x", 3, null)).error());
        assertEquals(Errors.INVALID_REPLICA_ASSIGNMENT, h.run(h.controller.createPartitions(h.image, "t", 4,
                List.of(List.of(1, 2)))).error());
        assertEquals(Errors.INVALID_REPLICA_ASSIGNMENT, h.run(h.controller.createPartitions(h.image, "t", 3,
                List.of(List.of(1)))).error());
        assertEquals(ApiError.NONE, h.run(h.controller.createPartitions(h.image, "t", 3, List.of(List.of(3, 1)))));
        assertEquals(ApiError.NONE, h.run(h.controller.createPartitions(h.image, "t", 5, null)));
        assertEquals(5, h.image.topic(id).orElseThrow().partitionCount());
        assertEquals(List.of(3, 1), h.image.topic(id).orElseThrow().replicas(2));
        assertEquals(2, h.image.topic(id).orElseThrow().replicas(4).size());
    }

    @Test
    void deleteRemovesTheTopicAndItsNameCanBeReused() {
        Uuid id = h.createTopic("t", 1, 1);
        assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION, h.run(h.controller.deleteTopic(h.image, "x")).error());
        assertEquals(Errors.UNKNOWN_TOPIC_ID, h.run(h.controller.deleteTopic(h.image, Uuid.randomUuid())).error());
        assertEquals(ApiError.NONE, h.run(h.controller.deleteTopic(h.image, id)));
        assertTrue(h.image.topic("t").isEmpty());
        Uuid again = h.createTopic("t", 1, 1);
        assertTrue(!again.equals(id));
        assertEquals(ApiError.NONE, h.run(h.controller.deleteTopic(h.image, "t")));
    }
}
