package org.tributary.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreatePartitionsResponseData;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.jupiter.api.Test;
import org.tributary.cluster.BrokerInfo;
import org.tributary.cluster.LocalClusterView;
import org.tributary.config.BrokerConfig;
import org.tributary.controller.ControllerClient;
import org.tributary.controller.ControllerRpc;
import org.tributary.metadata.MetadataFollower;
import org.tributary.metadata.MetadataImage;
import org.tributary.metadata.MetadataStore;
import org.tributary.metadata.TopicImage;
import org.tributary.quorum.QuorumException;

/**
 * CreateTopics, DeleteTopics and CreatePartitions against a stand-in controller channel: every
 * topic that passes the local checks goes to the controller in ONE request, the handler does not
 * wait for the answer, and the answer is merged with the local errors in the request's order.
 */
class TopicsHandlerTest {
    /** What the handlers sent to the controller, and the answers still to give. */
    private final List<ApiMessage> sent = new ArrayList<>();
    private final List<CompletableFuture<byte[]>> unanswered = new ArrayList<>();
    private final Map<String, TopicImage> existing = new HashMap<>();
    private final TopicsHandler handler;

    TopicsHandlerTest() {
        for (int i = 0; i < 10; i++) {
            existing.put("t" + i, new TopicImage("t" + i, Uuid.randomUuid(), List.of(List.of(1)), Map.of()));
        }
        MetadataStore store = new FixedStore(new MetadataImage(1, existing));
        ControllerClient.LeaderChannel channel = (bytes, id, timeout) -> {
            sent.add(ControllerRpc.decodeRequest(bytes));
            CompletableFuture<byte[]> answer = new CompletableFuture<>();
            unanswered.add(answer);
            return answer;
        };
        ControllerClient controller = new ControllerClient(channel, new MetadataFollower());
        BrokerConfig config = BrokerConfig.of(Map.of());
        LocalClusterView cluster = new LocalClusterView("dHJpYnV0YXJ5LXRlc3Qx00", new BrokerInfo(1, "127.0.0.1", 9092, 0, null), 0);
        TopicAdmin admin = new TopicAdmin(store, cluster, controller, config);
        handler = new TopicsHandler(new ApiServices(config, cluster, store, null, null, admin, null, null, controller));
    }

    private RequestContext ctx(ApiKeys key, int version) throws Exception {
        return new RequestContext(new RequestHeader(key, (short) version, "test-client", 1), "c1", InetAddress.getLoopbackAddress(),
                new MetadataImage(1, existing));
    }

    private static CreateTopicsRequestData.CreatableTopic topic(String name, int partitions) {
        return new CreateTopicsRequestData.CreatableTopic().setName(name).setNumPartitions(partitions).setReplicationFactor((short) 1);
    }

    /** Answers the one request sent so far with {@code answer}'s response to it. */
    private void answer(Function<ApiMessage, ApiMessage> answer) {
        assertEquals(1, sent.size(), "one controller request");
        unanswered.get(0).complete(ControllerRpc.encodeAnswer(-1, answer.apply(sent.get(0))));
    }

    /** The controller's CreateTopics answer: success, except TOPIC_ALREADY_EXISTS for names starting with "exists". */
    private static CreateTopicsResponseData created(ApiMessage request) {
        CreateTopicsResponseData resp = new CreateTopicsResponseData();
        for (CreateTopicsRequestData.CreatableTopic t : ((CreateTopicsRequestData) request).topics()) {
            CreateTopicsResponseData.CreatableTopicResult r = new CreateTopicsResponseData.CreatableTopicResult().setName(t.name());
            if (t.name().startsWith("exists")) {
                r.setErrorCode(Errors.TOPIC_ALREADY_EXISTS.code()).setErrorMessage("Topic '" + t.name() + "' already exists.");
            } else {
                r.setTopicId(Uuid.randomUuid()).setNumPartitions(t.numPartitions()).setReplicationFactor(t.replicationFactor());
            }
            resp.topics().add(r);
        }
        return resp;
    }

    private static <T> T done(CompletionStage<ApiMessage> stage, Class<T> type) throws Exception {
        return type.cast(stage.toCompletableFuture().get(10, TimeUnit.SECONDS));
    }

    @Test
    void fiftyTopicsGoToTheControllerAsOneRequestWithoutBlockingTheCaller() throws Exception {
        CreateTopicsRequestData req = new CreateTopicsRequestData().setTimeoutMs(30_000);
        for (int i = 0; i < 50; i++) {
            req.topics().add(topic(String.format("batch-%02d", i), 10));
        }
        CompletionStage<ApiMessage> stage = handler.createTopics(ctx(ApiKeys.CREATE_TOPICS, 7), req);
        assertFalse(stage.toCompletableFuture().isDone(), "the handler returns before the controller answers");
        assertEquals(1, sent.size(), "one controller request for 50 topics");
        List<String> names = ((CreateTopicsRequestData) sent.get(0)).topics().stream().map(t -> t.name()).toList();
        assertEquals(req.topics().stream().map(t -> t.name()).toList(), names);

        answer(TopicsHandlerTest::created);
        CreateTopicsResponseData resp = done(stage, CreateTopicsResponseData.class);
        List<CreateTopicsResponseData.CreatableTopicResult> results = new ArrayList<>(resp.topics());
        assertEquals(names, results.stream().map(r -> r.name()).toList(), "results in the request's order");
        for (CreateTopicsResponseData.CreatableTopicResult r : results) {
            assertEquals(Errors.NONE.code(), r.errorCode(), r.name() + ": " + r.errorMessage());
            assertFalse(r.topicId().equals(Uuid.ZERO_UUID), "v7 has the topic id");
            assertEquals(10, r.numPartitions());
            assertEquals(1, r.replicationFactor());
            assertTrue(r.configs().stream().anyMatch(c -> c.name().equals("retention.ms")), "v5+ lists the configs");
        }
    }

    @Test
    void localAndControllerErrorsAreMergedInTheRequestsOrder() throws Exception {
        CreateTopicsRequestData req = new CreateTopicsRequestData().setTimeoutMs(30_000);
        req.topics().add(topic("a", 2));
        req.topics().add(topic("bad/name", 1));
        req.topics().add(topic("dup", 1));
        req.topics().add(topic("dup", 1));
        CreateTopicsRequestData.CreatableTopic badConfig = topic("cfg", 1);
        badConfig.configs().add(new CreateTopicsRequestData.CreatableTopicConfig().setName("retention.ms").setValue("soon"));
        req.topics().add(badConfig);
        req.topics().add(topic("exists-already", 1));
        CreateTopicsRequestData.CreatableTopic gap = new CreateTopicsRequestData.CreatableTopic().setName("gap").setNumPartitions(-1)
                .setReplicationFactor((short) -1);
        gap.assignments().add(new CreateTopicsRequestData.CreatableReplicaAssignment().setPartitionIndex(1).setBrokerIds(List.of(1)));
        req.topics().add(gap);
        req.topics().add(topic("zero", 0));
        req.topics().add(topic("z", 3));
        CompletionStage<ApiMessage> stage = handler.createTopics(ctx(ApiKeys.CREATE_TOPICS, 4), req);
        assertEquals(List.of("a", "exists-already", "z"), ((CreateTopicsRequestData) sent.get(0)).topics().stream()
                .map(t -> t.name()).toList(), "only the topics that pass the local checks go to the controller");
        answer(TopicsHandlerTest::created);

        List<CreateTopicsResponseData.CreatableTopicResult> r = new ArrayList<>(done(stage, CreateTopicsResponseData.class).topics());
        assertEquals(List.of("a", "bad/name", "dup", "cfg", "exists-already", "gap", "zero", "z"), r.stream().map(x -> x.name()).toList(),
                "one result per name, in the request's order");
        assertEquals(List.of(Errors.NONE, Errors.INVALID_TOPIC_EXCEPTION, Errors.INVALID_REQUEST, Errors.INVALID_CONFIG,
                Errors.TOPIC_ALREADY_EXISTS, Errors.INVALID_REPLICA_ASSIGNMENT, Errors.INVALID_PARTITIONS, Errors.NONE),
                r.stream().map(x -> Errors.forCode(x.errorCode())).toList());
        assertEquals("Create topics request from client `test-client` contains multiple entries for the following topics: dup",
                r.get(2).errorMessage());
        assertTrue(r.get(3).errorMessage().contains("retention.ms"), r.get(3).errorMessage());
        assertEquals("Topic 'exists-already' already exists.", r.get(4).errorMessage());
        assertEquals("Partitions should be consecutive and start from 0", r.get(5).errorMessage());
        assertEquals(Uuid.ZERO_UUID, r.get(0).topicId(), "no topic id before v7");
        assertEquals(-1, r.get(0).numPartitions(), "no partition count before v5");
        assertTrue(r.get(0).configs().isEmpty(), "no configs before v5");
    }

    @Test
    void aControllerFailureIsTheRetriableErrorOfEveryTopicSent() throws Exception {
        for (QuorumException.Kind kind : List.of(QuorumException.Kind.NOT_LEADER, QuorumException.Kind.TIMEOUT)) {
            sent.clear();
            unanswered.clear();
            CreateTopicsRequestData req = new CreateTopicsRequestData().setTimeoutMs(30_000);
            req.topics().add(topic("x1", 1));
            req.topics().add(topic("bad/name", 1));
            req.topics().add(topic("x2", 1));
            CompletionStage<ApiMessage> stage = handler.createTopics(ctx(ApiKeys.CREATE_TOPICS, 7), req);
            unanswered.get(0).completeExceptionally(new QuorumException(kind, "test"));
            List<CreateTopicsResponseData.CreatableTopicResult> r = new ArrayList<>(done(stage, CreateTopicsResponseData.class).topics());
            Errors expected = kind == QuorumException.Kind.NOT_LEADER ? Errors.NOT_CONTROLLER : Errors.REQUEST_TIMED_OUT;
            assertEquals(List.of(expected, Errors.INVALID_TOPIC_EXCEPTION, expected), r.stream().map(x -> Errors.forCode(x.errorCode()))
                    .toList(), kind.name());
            assertTrue(r.get(0).errorMessage().contains("test"), r.get(0).errorMessage());
        }
    }

    @Test
    void deleteTopicsSendsOneRequestAndKeepsTheLocalErrors() throws Exception {
        DeleteTopicsRequestData req = new DeleteTopicsRequestData().setTimeoutMs(30_000);
        req.topics().add(new DeleteTopicsRequestData.DeleteTopicState().setName("t0"));
        req.topics().add(new DeleteTopicsRequestData.DeleteTopicState().setName("missing"));
        for (int i = 1; i < 10; i++) {
            req.topics().add(new DeleteTopicsRequestData.DeleteTopicState().setName("t" + i));
        }
        Uuid unknownId = Uuid.randomUuid();
        req.topics().add(new DeleteTopicsRequestData.DeleteTopicState().setName(null).setTopicId(unknownId));
        CompletionStage<ApiMessage> stage = handler.deleteTopics(ctx(ApiKeys.DELETE_TOPICS, 6), req);
        assertFalse(stage.toCompletableFuture().isDone());
        List<String> names = ((DeleteTopicsRequestData) sent.get(0)).topics().stream().map(t -> t.name()).toList();
        assertEquals(List.of("t0", "t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8", "t9"), names);
        answer(request -> {
            DeleteTopicsResponseData resp = new DeleteTopicsResponseData();
            for (DeleteTopicsRequestData.DeleteTopicState t : ((DeleteTopicsRequestData) request).topics()) {
                DeleteTopicsResponseData.DeletableTopicResult r = new DeleteTopicsResponseData.DeletableTopicResult().setName(t.name());
                if (t.name().equals("t5")) {
                    r.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code()).setErrorMessage("The topic 't5' does not exist.");
                }
                resp.responses().add(r);
            }
            return resp;
        });
        List<DeleteTopicsResponseData.DeletableTopicResult> r = new ArrayList<>(done(stage, DeleteTopicsResponseData.class).responses());
        assertEquals(12, r.size());
        assertEquals(unknownId, r.get(0).topicId());
        assertEquals(Errors.UNKNOWN_TOPIC_ID.code(), r.get(0).errorCode());
        assertEquals("t0", r.get(1).name());
        assertEquals(existing.get("t0").id(), r.get(1).topicId(), "v6 names the topic id");
        assertEquals(Errors.NONE.code(), r.get(1).errorCode());
        assertEquals("missing", r.get(2).name());
        assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION.code(), r.get(2).errorCode());
        assertEquals("This server does not host this topic: missing", r.get(2).errorMessage());
        DeleteTopicsResponseData.DeletableTopicResult t5 = r.stream().filter(x -> "t5".equals(x.name())).findFirst().orElseThrow();
        assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION.code(), t5.errorCode());
        assertEquals("The topic 't5' does not exist.", t5.errorMessage());
    }

    @Test
    void deleteTopicsBeforeV5HasNoErrorMessages() throws Exception {
        DeleteTopicsRequestData req = new DeleteTopicsRequestData().setTimeoutMs(30_000).setTopicNames(List.of("missing", "t1"));
        CompletionStage<ApiMessage> stage = handler.deleteTopics(ctx(ApiKeys.DELETE_TOPICS, 4), req);
        unanswered.get(0).completeExceptionally(new QuorumException(QuorumException.Kind.NOT_LEADER, "moved"));
        List<DeleteTopicsResponseData.DeletableTopicResult> r = new ArrayList<>(done(stage, DeleteTopicsResponseData.class).responses());
        assertEquals(List.of(Errors.UNKNOWN_TOPIC_OR_PARTITION.code(), Errors.NOT_CONTROLLER.code()), r.stream()
                .map(x -> x.errorCode()).toList());
        assertNull(r.get(1).errorMessage());
    }

    @Test
    void createPartitionsSendsOneRequestAndKeepsTheLocalErrors() throws Exception {
        CreatePartitionsRequestData req = new CreatePartitionsRequestData().setTimeoutMs(30_000);
        for (int i = 0; i < 5; i++) {
            req.topics().add(new CreatePartitionsRequestData.CreatePartitionsTopic().setName("t" + i).setCount(3).setAssignments(null));
        }
        req.topics().add(new CreatePartitionsRequestData.CreatePartitionsTopic().setName("missing").setCount(3).setAssignments(null));
        req.topics().add(new CreatePartitionsRequestData.CreatePartitionsTopic().setName("t6").setCount(100_000).setAssignments(null));
        CompletionStage<ApiMessage> stage = handler.createPartitions(ctx(ApiKeys.CREATE_PARTITIONS, 3), req);
        assertFalse(stage.toCompletableFuture().isDone());
        assertEquals(List.of("t0", "t1", "t2", "t3", "t4"), ((CreatePartitionsRequestData) sent.get(0)).topics().stream()
                .map(t -> t.name()).toList());
        answer(request -> {
            CreatePartitionsResponseData resp = new CreatePartitionsResponseData();
            for (CreatePartitionsRequestData.CreatePartitionsTopic t : ((CreatePartitionsRequestData) request).topics()) {
                CreatePartitionsResponseData.CreatePartitionsTopicResult r = new CreatePartitionsResponseData.CreatePartitionsTopicResult()
                        .setName(t.name());
                if (t.name().equals("t3")) {
                    r.setErrorCode(Errors.INVALID_PARTITIONS.code()).setErrorMessage(null);
                }
                resp.results().add(r);
            }
            return resp;
        });
        List<CreatePartitionsResponseData.CreatePartitionsTopicResult> r = done(stage, CreatePartitionsResponseData.class).results();
        assertEquals(List.of("t0", "t1", "t2", "t3", "t4", "missing", "t6"), r.stream().map(x -> x.name()).toList());
        assertEquals(List.of(Errors.NONE, Errors.NONE, Errors.NONE, Errors.INVALID_PARTITIONS, Errors.NONE,
                Errors.UNKNOWN_TOPIC_OR_PARTITION, Errors.INVALID_PARTITIONS), r.stream().map(x -> Errors.forCode(x.errorCode())).toList());
        assertEquals(Errors.INVALID_PARTITIONS.message(), r.get(3).errorMessage(), "the code's own message when the controller sent none");
        assertEquals("The topic 'missing' does not exist.", r.get(5).errorMessage());
    }

    @Test
    void theBlockingCallersMakeTheSameChecksBeforeTheyAskTheController() {
        TopicAdmin admin = new TopicAdmin(new FixedStore(new MetadataImage(1, existing)), new LocalClusterView(
                "dHJpYnV0YXJ5LXRlc3Qx00", new BrokerInfo(1, "127.0.0.1", 9092, 0, null), 0), new ControllerClient((b, id, t) -> {
                    throw new AssertionError("a topic that fails the local checks is not sent");
                }, new MetadataFollower()), BrokerConfig.of(Map.of()));
        assertThrows(org.apache.kafka.common.errors.InvalidTopicException.class,
                () -> admin.create("bad/name", 1, (short) 1, List.of(), Map.of(), false));
        assertThrows(org.apache.kafka.common.errors.UnknownTopicOrPartitionException.class,
                () -> admin.delete("missing"));
        assertThrows(org.apache.kafka.common.errors.InvalidPartitionsException.class,
                () -> admin.createPartitions("t1", 100_000, List.of(), false));
    }

    /** A store that always has one image. */
    private record FixedStore(MetadataImage image) implements MetadataStore {
        @Override
        public void addListener(Consumer<MetadataImage> listener) {
        }

        @Override
        public void close() {
        }
    }
}
