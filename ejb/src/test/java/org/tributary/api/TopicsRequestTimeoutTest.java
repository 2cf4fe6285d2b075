package org.tributary.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData;
import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData;
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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
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
 * The request's {@code timeoutMs} bounds how long CreateTopics, DeleteTopics, CreatePartitions and
 * AlterPartitionReassignments wait for the controller (a broker whose quorum has no majority): REQUEST_TIMED_OUT when it
 * passes, not the broker's default 15 s; 0 or less is a deadline already passed:
 * REQUEST_TIMED_OUT at once, nothing sent.
 * Real time (the controller client's clock), a few seconds in all.
 */
@Timeout(60)
class TopicsRequestTimeoutTest {
    private final Map<String, TopicImage> existing = new HashMap<>();
    /** Controller requests seen, and whether the channel answers them (false: no quorum, as with two of three voters down). */
    private final List<ApiMessage> sent = new ArrayList<>();
    private final List<CompletableFuture<byte[]>> pending = new ArrayList<>();
    private volatile boolean quorumLost = true;
    private final TopicsHandler handler;

    TopicsRequestTimeoutTest() {
        existing.put("t0", new TopicImage("t0", Uuid.randomUuid(), List.of(List.of(1)), Map.of()));
        ControllerClient.LeaderChannel channel = (bytes, id, timeout) -> {
            synchronized (sent) {
                sent.add(ControllerRpc.decodeRequest(bytes));
            }
            if (quorumLost) {
                return CompletableFuture.failedFuture(new QuorumException(QuorumException.Kind.NO_QUORUM,
                        "leader request: no leader reachable"));
            }
            CompletableFuture<byte[]> answer = new CompletableFuture<>();
            pending.add(answer);
            return answer;
        };
        ControllerClient controller = new ControllerClient(channel, new MetadataFollower());
        BrokerConfig config = BrokerConfig.of(Map.of());
        LocalClusterView cluster = new LocalClusterView("dHJpYnV0YXJ5LXRlc3Qx00", new BrokerInfo(1, "127.0.0.1", 9092, 0, null), 0);
        MetadataStore store = new FixedStore(new MetadataImage(1, existing));
        TopicAdmin admin = new TopicAdmin(store, cluster, controller, config);
        handler = new TopicsHandler(new ApiServices(config, cluster, store, null, null, admin, null, null, controller));
    }

    /**
     * One round of each request with a 1 ms timeout first, so the timed rounds measure the wait
     * and not this JVM loading the classes involved (seconds on a busy machine).
     */
    @BeforeEach
    void warmUp() throws Exception {
        done(handler.createTopics(ctx(ApiKeys.CREATE_TOPICS, 7), create(1, false, "warm")), CreateTopicsResponseData.class);
        DeleteTopicsRequestData del = new DeleteTopicsRequestData().setTimeoutMs(1);
        del.topics().add(new DeleteTopicsRequestData.DeleteTopicState().setName("t0"));
        done(handler.deleteTopics(ctx(ApiKeys.DELETE_TOPICS, 6), del), DeleteTopicsResponseData.class);
        CreatePartitionsRequestData cp = new CreatePartitionsRequestData().setTimeoutMs(1);
        cp.topics().add(new CreatePartitionsRequestData.CreatePartitionsTopic().setName("t0").setCount(3).setAssignments(null));
        done(handler.createPartitions(ctx(ApiKeys.CREATE_PARTITIONS, 3), cp), CreatePartitionsResponseData.class);
        synchronized (sent) {
            sent.clear();
        }
    }

    private RequestContext ctx(ApiKeys key, int version) throws Exception {
        return new RequestContext(new RequestHeader(key, (short) version, "test-client", 1), "c1", InetAddress.getLoopbackAddress(),
                new MetadataImage(1, existing));
    }

    private static CreateTopicsRequestData create(int timeoutMs, boolean validateOnly, String... names) {
        CreateTopicsRequestData req = new CreateTopicsRequestData().setTimeoutMs(timeoutMs).setValidateOnly(validateOnly);
        for (String n : names) {
            req.topics().add(new CreateTopicsRequestData.CreatableTopic().setName(n).setNumPartitions(1).setReplicationFactor((short) 1));
        }
        return req;
    }

    private static <T> T done(CompletionStage<ApiMessage> stage, Class<T> type) throws Exception {
        return type.cast(stage.toCompletableFuture().get(30, TimeUnit.SECONDS));
    }

    private static long since(long t0) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    }

    @Test
    void createTopicsWithoutAQuorumAnswersRequestTimedOutWhenItsTimeoutPassesNotAfterTheDefault15s() throws Exception {
        long t0 = System.nanoTime();
        CreateTopicsResponseData resp = done(handler.createTopics(ctx(ApiKeys.CREATE_TOPICS, 7), create(2_000, false, "a", "bad/name")),
                CreateTopicsResponseData.class);
        long ms = since(t0);
        assertTrue(ms >= 1_900 && ms < 6_000, "answered after " + ms + " ms for a timeoutMs of 2000 (the default wait is 15 s)");
        assertEquals(Errors.REQUEST_TIMED_OUT.code(), resp.topics().find("a").errorCode());
        assertTrue(resp.topics().find("a").errorMessage().contains("is a majority of the metadata quorum's voters running?"),
                resp.topics().find("a").errorMessage());
        assertEquals(Errors.INVALID_TOPIC_EXCEPTION.code(), resp.topics().find("bad/name").errorCode(), "local errors are kept");
        assertTrue(sent.size() > 1, "the controller was asked again until the deadline");
        assertEquals(2_000, ((CreateTopicsRequestData) sent.get(0)).timeoutMs(), "the controller gets the request's timeout");
    }

    @Test
    void deleteTopicsAndCreatePartitionsHonourTheirTimeoutToo() throws Exception {
        DeleteTopicsRequestData del = new DeleteTopicsRequestData().setTimeoutMs(1_000);
        del.topics().add(new DeleteTopicsRequestData.DeleteTopicState().setName("t0"));
        long t0 = System.nanoTime();
        DeleteTopicsResponseData d = done(handler.deleteTopics(ctx(ApiKeys.DELETE_TOPICS, 6), del), DeleteTopicsResponseData.class);
        long ms = since(t0);
        assertTrue(ms >= 900 && ms < 5_000, "DeleteTopics answered after " + ms + " ms for a timeoutMs of 1000");
        assertEquals(Errors.REQUEST_TIMED_OUT.code(), d.responses().find("t0").errorCode());

        CreatePartitionsRequestData cp = new CreatePartitionsRequestData().setTimeoutMs(1_000);
        cp.topics().add(new CreatePartitionsRequestData.CreatePartitionsTopic().setName("t0").setCount(3).setAssignments(null));
        t0 = System.nanoTime();
        CreatePartitionsResponseData c = done(handler.createPartitions(ctx(ApiKeys.CREATE_PARTITIONS, 3), cp),
                CreatePartitionsResponseData.class);
        ms = since(t0);
        assertTrue(ms >= 900 && ms < 5_000, "CreatePartitions answered after " + ms + " ms for a timeoutMs of 1000");
        assertEquals(Errors.REQUEST_TIMED_OUT.code(), c.results().get(0).errorCode());
    }

    /**
     * A timeoutMs of 0 (or less) is a deadline that has already passed: as a KRaft controller does,
     * every topic is REQUEST_TIMED_OUT at once and nothing reaches the controller, validate-only or
     * not.
     */
    @Test
    void aZeroTimeoutIsADeadlineAlreadyPassedAndChangesNothing() throws Exception {
        quorumLost = false; // a controller that would answer
        for (int timeoutMs : new int[] {0, -1}) {
            for (boolean validateOnly : new boolean[] {false, true}) {
                sent.clear();
                long t0 = System.nanoTime();
                CreateTopicsResponseData resp = done(handler.createTopics(ctx(ApiKeys.CREATE_TOPICS, 7),
                        create(timeoutMs, validateOnly, "z" + -timeoutMs)), CreateTopicsResponseData.class);
                assertTrue(since(t0) < 1_000, "answered without waiting");
                assertEquals(Errors.REQUEST_TIMED_OUT.code(), resp.topics().iterator().next().errorCode());
                assertEquals(List.of(), sent, "nothing was sent to the controller (timeoutMs " + timeoutMs + ", validateOnly "
                        + validateOnly + ")");
            }
        }
    }

    /**
     * AlterPartitionReassignments too: its timeoutMs bounds the wait for a controller that does not
     * answer (not the old fixed 30 s), and 0 or less answers REQUEST_TIMED_OUT at once with nothing
     * sent (Kafka's controller: deadline = now + timeoutMs).
     */
    @Test
    void alterPartitionReassignmentsHonoursItsTimeoutAndAZeroTimeoutChangesNothing() throws Exception {
        ReassignmentsHandler reassignments = new ReassignmentsHandler(new ApiServices(BrokerConfig.of(Map.of()), null, null, null, null,
                null, null, null, new ControllerClient((bytes, id, timeout) -> {
                    synchronized (sent) {
                        sent.add(ControllerRpc.decodeRequest(bytes));
                    }
                    return quorumLost ? CompletableFuture.failedFuture(new QuorumException(QuorumException.Kind.NO_QUORUM,
                            "leader request: no leader reachable")) : new CompletableFuture<>();
                }, new MetadataFollower())));
        long t0 = System.nanoTime();
        AlterPartitionReassignmentsResponseData slow = done(reassignments.alter(ctx(ApiKeys.ALTER_PARTITION_REASSIGNMENTS, 0),
                reassign(1_000)), AlterPartitionReassignmentsResponseData.class);
        long ms = since(t0);
        assertTrue(ms >= 900 && ms < 5_000, "answered after " + ms + " ms for a timeoutMs of 1000");
        assertEquals(Errors.REQUEST_TIMED_OUT.code(), slow.errorCode(), slow.errorMessage());
        assertTrue(sent.size() >= 1, "the controller was asked");

        quorumLost = false; // a controller that would answer
        for (int timeoutMs : new int[] {0, -1}) {
            synchronized (sent) {
                sent.clear();
            }
            t0 = System.nanoTime();
            AlterPartitionReassignmentsResponseData now = done(reassignments.alter(ctx(ApiKeys.ALTER_PARTITION_REASSIGNMENTS, 0),
                    reassign(timeoutMs)), AlterPartitionReassignmentsResponseData.class);
            assertTrue(since(t0) < 1_000, "answered without waiting");
            assertEquals(Errors.REQUEST_TIMED_OUT.code(), now.errorCode());
            assertTrue(now.errorMessage().contains("nothing was changed"), now.errorMessage());
            assertEquals(List.of(), sent, "nothing was sent to the controller (timeoutMs " + timeoutMs + ")");
        }
    }

    private static AlterPartitionReassignmentsRequestData reassign(int timeoutMs) {
        AlterPartitionReassignmentsRequestData req = new AlterPartitionReassignmentsRequestData().setTimeoutMs(timeoutMs);
        AlterPartitionReassignmentsRequestData.ReassignableTopic t = new AlterPartitionReassignmentsRequestData.ReassignableTopic()
                .setName("t0");
        t.partitions().add(new AlterPartitionReassignmentsRequestData.ReassignablePartition().setPartitionIndex(0).setReplicas(List.of(2)));
        req.topics().add(t);
        return req;
    }

    @Test
    void theWaitIsTheRequestsTimeoutAtMostKafkasSixtySecondForwardingBound() {
        assertEquals(Optional.of(Duration.ofMillis(2_000)), TopicAdmin.requestWait(2_000));
        assertEquals(Optional.of(Duration.ofSeconds(60)), TopicAdmin.requestWait(Integer.MAX_VALUE));
        assertEquals(Optional.empty(), TopicAdmin.requestWait(0));
        assertEquals(Optional.empty(), TopicAdmin.requestWait(-1));
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
