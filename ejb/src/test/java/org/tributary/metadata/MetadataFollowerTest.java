package org.tributary.metadata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.tributary.metadata.MetadataRecord.TopicRecord;

/** The follower applies entries on the quorum's thread; slow listeners run on the publisher thread. */
@Timeout(30)
class MetadataFollowerTest {

    private static byte[] topic(String name) {
        return MetadataCodec.encode(List.of(new TopicRecord(name, Uuid.randomUuid())));
    }

    @Test
    void aSlowListenerHoldsUpNeitherTheApplyNorTheWaitersAndGetsTheNewestImage() throws Exception {
        MetadataFollower follower = new MetadataFollower(Executors.defaultThreadFactory());
        try {
            CountDownLatch busy = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            List<MetadataImage> seen = new CopyOnWriteArrayList<>();
            List<String> threads = new CopyOnWriteArrayList<>();
            follower.addListener(img -> {
                seen.add(img);
                threads.add(Thread.currentThread().getName());
                busy.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            follower.apply(1, 1, topic("a"));
            assertTrue(busy.await(10, TimeUnit.SECONDS), "the listener runs");
            CompletableFuture<MetadataImage> waiter = follower.awaitOffset(3);
            CompletableFuture<MetadataImage> served = follower.awaitPublished(3);
            follower.apply(2, 1, topic("b")); // returns although the listener is still busy
            follower.apply(3, 1, topic("c"));
            assertEquals(3, waiter.get(5, TimeUnit.SECONDS).offset(), "image waiters do not wait for the listeners");
            assertEquals(3, follower.image().topics().size());
            assertFalse(served.isDone(), "listener waiters do");
            release.countDown();
            assertEquals(3, served.get(5, TimeUnit.SECONDS).offset());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (seen.get(seen.size() - 1).offset() != 3 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(List.of(1L, 3L), seen.stream().map(MetadataImage::offset).toList(),
                    "the listener gets the newest image; the one a newer image replaced while it was busy is skipped");
            assertTrue(threads.stream().allMatch("tributary-metadata-publisher"::equals), threads.toString());
        } finally {
            follower.close();
        }
    }

    @Test
    void withoutAPublisherThreadListenersRunBeforeTheWaitersAreReleased() throws Exception {
        MetadataFollower follower = new MetadataFollower();
        List<Long> seen = new CopyOnWriteArrayList<>();
        follower.addListener(img -> seen.add(img.offset()));
        CompletableFuture<MetadataImage> waiter = follower.awaitOffset(2);
        CompletableFuture<Integer> seenWhenReleased = waiter.thenApply(img -> seen.size());
        follower.apply(1, 1, topic("a"));
        follower.apply(2, 1, topic("b"));
        assertEquals(2, waiter.get(1, TimeUnit.SECONDS).offset());
        assertEquals(2, seenWhenReleased.get(1, TimeUnit.SECONDS), "the listeners had both images when the waiter was released");
        assertEquals(List.of(1L, 2L), seen);
        follower.close();
    }
}
