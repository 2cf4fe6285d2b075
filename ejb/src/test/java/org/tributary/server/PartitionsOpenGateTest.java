package org.tributary.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.tributary.api.ApiDispatcher;
import org.tributary.api.ApiRegistry;
import org.tributary.metadata.MetadataCodec;
import org.tributary.metadata.MetadataFollower;
import org.tributary.metadata.MetadataRecord.TopicRecord;
import org.tributary.metrics.BrokerMetrics;
import org.tributary.network.ListenerAddress;
import org.tributary.network.SocketServer;

/**
 * A broker answers a topic creation once its image has the topic, and opens the topic's logs a
 * moment later on the metadata publisher's thread: partition requests that arrive in between wait
 * for that (a client producing right after its CreateTopics answer is not refused), others do not,
 * nor does a produce whose partitions are already open here, nor anything once the listeners have
 * caught up; a listener that never catches up holds a request back only for the bounded wait.
 */
@Timeout(60)
class PartitionsOpenGateTest {
    private MetadataFollower follower;
    private final CountDownLatch listenerRelease = new CountDownLatch(1);

    @BeforeEach
    void start() {
        follower = new MetadataFollower(Executors.defaultThreadFactory());
        follower.addListener(img -> {
            if (img.topic("slow").isPresent()) {
                try {
                    listenerRelease.await(30, TimeUnit.SECONDS); // the replica manager opening many logs
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
    }

    @AfterEach
    void stop() {
        listenerRelease.countDown();
        follower.close();
    }

    @Test
    void partitionRequestsWaitWhileTheImageIsAheadOfWhatIsOpenAndNothingElseDoes() throws Exception {
        Set<TopicPartition> led = java.util.concurrent.ConcurrentHashMap.newKeySet();
        led.add(new TopicPartition("old", 0));
        PartitionsOpenGate gate = new PartitionsOpenGate(follower, led::contains, 10_000);
        follower.apply(1, 1, MetadataCodec.encode(List.of(new TopicRecord("old", Uuid.randomUuid()))));
        assertTrue(awaitPublished(1), "the first image is published");
        assertNull(gate.before(ApiKeys.PRODUCE, produce("slow", 0)), "steady state: nothing waits");

        follower.apply(2, 1, MetadataCodec.encode(List.of(new TopicRecord("slow", Uuid.randomUuid()))));
        assertEquals(2, follower.image().offset());
        assertTrue(follower.publishedOffset() < 2, "the listener is still opening the new topic's logs");

        CompletionStage<?> produceNew = gate.before(ApiKeys.PRODUCE, produce("slow", 0));
        CompletionStage<?> listOffsets = gate.before(ApiKeys.LIST_OFFSETS, listOffsets("slow", 0));
        assertNotNull(produceNew, "a produce to a partition not open yet waits");
        assertNotNull(listOffsets, "so does ListOffsets");
        assertNull(gate.before(ApiKeys.METADATA, metadata()), "Metadata is answered from the image: it never waits");
        assertNull(gate.before(ApiKeys.PRODUCE, produce("old", 0)), "a produce to partitions open here goes straight on");
        Thread.sleep(200);
        assertFalse(produceNew.toCompletableFuture().isDone(), "still waiting while the listener works");

        listenerRelease.countDown();
        produceNew.toCompletableFuture().get(5, TimeUnit.SECONDS);
        listOffsets.toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertTrue(follower.publishedOffset() >= 2);
        assertNull(gate.before(ApiKeys.PRODUCE, produce("slow", 0)), "caught up: nothing waits");
    }

    @Test
    void aListenerThatNeverCatchesUpHoldsARequestOnlyForTheBoundedWait() throws Exception {
        PartitionsOpenGate gate = new PartitionsOpenGate(follower, tp -> false, 300);
        follower.apply(1, 1, MetadataCodec.encode(List.of(new TopicRecord("slow", Uuid.randomUuid()))));
        long t0 = System.nanoTime();
        CompletionStage<?> held = gate.before(ApiKeys.LIST_OFFSETS, listOffsets("slow", 0));
        assertNotNull(held);
        held.toCompletableFuture().get(5, TimeUnit.SECONDS);
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(ms >= 250 && ms < 3_000, "let through after the bounded wait, took " + ms + " ms");
        assertTrue(follower.publishedOffset() < 1, "the listener is still busy");
    }

    /** Through a real socket and the dispatcher: a held request reaches its handler only once the gate lets it through. */
    @Test
    void theDispatcherRunsAHeldRequestsHandlerOnlyOnceTheGateLetsItThrough() throws Exception {
        ExecutorService handlers = Executors.newFixedThreadPool(2);
        CompletableFuture<Void> open = new CompletableFuture<>();
        AtomicLong handledAt = new AtomicLong();
        CountDownLatch handled = new CountDownLatch(1);
        ApiRegistry registry = new ApiRegistry().register(ApiKeys.LIST_OFFSETS, ApiKeys.LIST_OFFSETS.oldestVersion(), ApiKeys.LIST_OFFSETS.latestVersion(),
                (ctx, request) -> {
                    handledAt.set(System.nanoTime());
                    handled.countDown();
                    return CompletableFuture.completedFuture((ApiMessage) new ListOffsetsResponseData());
                });
        ApiDispatcher dispatcher = new ApiDispatcher(registry, handlers, follower::image, new BrokerMetrics(System::currentTimeMillis),
                null, () -> org.tributary.audit.AuditSink.NONE, ctx -> true, (key, body) -> key == ApiKeys.LIST_OFFSETS ? open : null);
        try (SocketServer server = new SocketServer(List.of(new ListenerAddress("PLAINTEXT", "127.0.0.1", 0, SecurityProtocol.PLAINTEXT, null)),
                1, 1 << 20, 60_000, dispatcher::onRequest, Thread::new)) {
            int port = server.bind().get("PLAINTEXT");
            server.start();
            try (RawClient client = new RawClient(port)) {
                client.sendOnly(listOffsets("t", 0));
                assertFalse(handled.await(500, TimeUnit.MILLISECONDS), "held: the handler has not run");
                long released = System.nanoTime();
                open.complete(null);
                assertTrue(handled.await(10, TimeUnit.SECONDS), "let through: the handler ran");
                assertTrue(handledAt.get() >= released);
                ByteBuffer answer = client.readFrame();
                assertTrue(answer.remaining() > 0, "and the client got its answer");
            }
        } finally {
            handlers.shutdownNow();
        }
    }

    private boolean awaitPublished(long offset) throws Exception {
        follower.awaitPublished(offset).get(5, TimeUnit.SECONDS);
        return follower.publishedOffset() >= offset;
    }

    private static ProduceRequest produce(String topic, int partition) {
        ProduceRequestData data = new ProduceRequestData().setAcks((short) 1).setTimeoutMs(1000);
        ProduceRequestData.TopicProduceData t = new ProduceRequestData.TopicProduceData().setName(topic);
        t.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(partition));
        data.topicData().add(t);
        return new ProduceRequest(data, (short) 9);
    }

    private static ListOffsetsRequest listOffsets(String topic, int partition) {
        ListOffsetsRequestData.ListOffsetsTopic t = new ListOffsetsRequestData.ListOffsetsTopic().setName(topic);
        t.partitions().add(new ListOffsetsRequestData.ListOffsetsPartition().setPartitionIndex(partition).setTimestamp(-1));
        return ListOffsetsRequest.Builder.forConsumer(false, org.apache.kafka.common.IsolationLevel.READ_UNCOMMITTED)
                .setTargetTimes(List.of(t)).build((short) 7);
    }

    private static AbstractRequest metadata() {
        return new MetadataRequest(new MetadataRequestData(), (short) 12);
    }
}
