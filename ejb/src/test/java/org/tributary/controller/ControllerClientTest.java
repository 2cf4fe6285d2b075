package org.tributary.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.tributary.metadata.MetadataCodec;
import org.tributary.metadata.MetadataFollower;
import org.tributary.metadata.MetadataRecord.TopicRecord;
import org.tributary.quorum.QuorumException;

/** What a controller answer waits for on the asking broker. */
@Timeout(30)
class ControllerClientTest {

    /**
     * An answer waits until this broker's image has the change (a client sees the topic here at
     * once), and no longer: opening the topic's logs (the listeners' work, which may take seconds
     * for thousands of partitions) is not on the answer's path; the partition APIs wait for it.
     */
    @Test
    void anAnswerWaitsForThisBrokersImageButNotForItsListeners() throws Exception {
        MetadataFollower follower = new MetadataFollower(Executors.defaultThreadFactory());
        CountDownLatch release = new CountDownLatch(1);
        follower.addListener(img -> {
            try {
                release.await(20, TimeUnit.SECONDS); // opening many logs on a busy disk
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try {
            byte[] answer = ControllerRpc.encodeAnswer(1, new CreateTopicsResponseData());
            ControllerClient client = new ControllerClient((bytes, id, timeout) -> CompletableFuture.completedFuture(answer), follower);
            CompletableFuture<CreateTopicsResponseData> sent = client.send(new CreateTopicsRequestData(), CreateTopicsResponseData.class,
                    Duration.ofSeconds(10));
            Thread.sleep(200);
            assertFalse(sent.isDone(), "the controller answered, but this broker's image does not have the change yet");
            follower.apply(1, 1, MetadataCodec.encode(List.of(new TopicRecord("t", Uuid.randomUuid()))));
            sent.get(5, TimeUnit.SECONDS);
            assertEquals(1, follower.image().topics().size(), "answered with the change in this broker's image");
            assertTrue(follower.publishedOffset() < 1, "answered while the listeners still work on it");
            release.countDown();
            follower.awaitPublished(1).get(5, TimeUnit.SECONDS);
        } finally {
            release.countDown();
            follower.close();
        }
    }

    /**
     * A leader that cannot be reached for a moment (its connection closing as a partition heals) is
     * asked again until the deadline, so a write right after the heal succeeds; one never reached
     * ends in Kafka's retriable timeout at the deadline, not before.
     */
    @Test
    void aLeaderUnreachableForAMomentIsAskedAgainUntilTheDeadline() throws Exception {
        MetadataFollower follower = new MetadataFollower(Executors.defaultThreadFactory());
        try {
            follower.apply(1, 1, MetadataCodec.encode(List.of(new TopicRecord("t", Uuid.randomUuid()))));
            byte[] answer = ControllerRpc.encodeAnswer(1, new CreateTopicsResponseData());
            AtomicInteger calls = new AtomicInteger();
            ControllerClient healing = new ControllerClient((bytes, id, timeout) -> calls.incrementAndGet() <= 2
                    ? CompletableFuture.failedFuture(new QuorumException(QuorumException.Kind.NO_QUORUM,
                            "leader request: Closing connection to 1|127.0.0.1:9193"))
                    : CompletableFuture.completedFuture(answer), follower);
            healing.send(new CreateTopicsRequestData(), CreateTopicsResponseData.class, Duration.ofSeconds(10)).get(5, TimeUnit.SECONDS);
            assertEquals(3, calls.get());

            ControllerClient cutOff = new ControllerClient((bytes, id, timeout) -> CompletableFuture.failedFuture(
                    new QuorumException(QuorumException.Kind.NO_QUORUM, "leader request: no leader reachable")), follower);
            long t0 = System.nanoTime();
            ExecutionException e = assertThrows(ExecutionException.class, () -> cutOff.send(new CreateTopicsRequestData(),
                    CreateTopicsResponseData.class, Duration.ofMillis(600)).get(5, TimeUnit.SECONDS));
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertInstanceOf(org.apache.kafka.common.errors.TimeoutException.class, e.getCause());
            assertTrue(ms >= 400 && ms < 3_000, "failed at the deadline, after " + ms + " ms");
        } finally {
            follower.close();
        }
    }

    /**
     * "No leader reachable" from the engine may come after a leader ran the request (the engine's
     * client gave up waiting for its answer): the next try carries the same request id, so that
     * leader answers it from its first run. A "not active" answer ran nothing: the next try is a
     * new request.
     */
    @Test
    void aRequestAskedAgainAfterAnUnknownOutcomeKeepsItsIdAndOneRefusedAsNotActiveDoesNot() throws Exception {
        MetadataFollower follower = new MetadataFollower(Executors.defaultThreadFactory());
        try {
            follower.apply(1, 1, MetadataCodec.encode(List.of(new TopicRecord("t", Uuid.randomUuid()))));
            byte[] answer = ControllerRpc.encodeAnswer(1, new CreateTopicsResponseData());
            List<Long> ids = new java.util.concurrent.CopyOnWriteArrayList<>();
            ControllerClient client = new ControllerClient((bytes, id, timeout) -> {
                ids.add(id);
                return switch (ids.size()) {
                    case 1, 2 -> CompletableFuture.failedFuture(new QuorumException(QuorumException.Kind.NO_QUORUM,
                            "leader request: no leader reachable (Failed RaftClientRequest after 10 attempts)"));
                    case 3 -> CompletableFuture.completedFuture(ControllerRpc.encodeNotActive());
                    default -> CompletableFuture.completedFuture(answer);
                };
            }, follower);
            client.send(new CreateTopicsRequestData(), CreateTopicsResponseData.class, Duration.ofSeconds(10)).get(5, TimeUnit.SECONDS);
            assertEquals(4, ids.size());
            assertEquals(ids.get(0), ids.get(1), "asked again after an unknown outcome: the same request");
            assertEquals(ids.get(0), ids.get(2));
            assertTrue(!ids.get(3).equals(ids.get(2)), "after a \"not active\" answer: a new request");
            Long first = ids.get(0);
            client.send(new CreateTopicsRequestData(), CreateTopicsResponseData.class, Duration.ofSeconds(10)).get(5, TimeUnit.SECONDS);
            assertTrue(!ids.get(4).equals(first), "another send is another request");
        } finally {
            follower.close();
        }
    }
}
