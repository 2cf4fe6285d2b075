package org.tributary.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.tributary.metadata.MetadataCodec;
import org.tributary.metadata.MetadataFollower;
import org.tributary.metadata.MetadataRecord.TopicRecord;

/** What a controller answer waits for on the asking broker. */
@Timeout(30)
class ControllerClientTest {

    @Test
    void anAnswerWaitsForThisBrokersListenersButNotPastItsDeadline() throws Exception {
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
            ControllerClient client = new ControllerClient((bytes, timeout) -> CompletableFuture.completedFuture(answer), follower);
            CompletableFuture<CreateTopicsResponseData> quick = client.send(new CreateTopicsRequestData(), CreateTopicsResponseData.class,
                    Duration.ofSeconds(10));
            CompletableFuture<CreateTopicsResponseData> bounded = client.send(new CreateTopicsRequestData(), CreateTopicsResponseData.class,
                    Duration.ofMillis(500));
            follower.apply(1, 1, MetadataCodec.encode(List.of(new TopicRecord("t", Uuid.randomUuid()))));
            bounded.get(5, TimeUnit.SECONDS); // answered (the change is committed), not a timeout
            assertFalse(quick.isDone(), "within its deadline an answer waits until this broker's listeners have the change");
            release.countDown();
            quick.get(5, TimeUnit.SECONDS);
            assertTrue(quick.isDone());
            assertEquals(1, follower.image().topics().size());
        } finally {
            release.countDown();
            follower.close();
        }
    }
}
