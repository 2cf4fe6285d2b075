package org.tributary.grid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.hazelcast.core.HazelcastInstance;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.tributary.grid.PublishedMetadata.Publication;
import org.tributary.metadata.MetadataImage;
import org.tributary.testing.FreePorts;
import org.tributary.testing.GridMembers;

/** The published view only moves forward, and the active controller repairs it when it went back. */
class GridPublisherTest {
    private final GridMembers grid = new GridMembers(FreePorts.next());
    private final List<MetadataImage> img = GridSplitMergeTest.images(); // offsets 7, 8, 9 at epoch 2; 10 at epoch 3

    @AfterEach
    void shutdown() {
        grid.close();
    }

    private static long offset(HazelcastInstance hz) {
        return PublishedMetadata.read(hz, "c1").map(PublishedMetadata::offset).orElse(-1L);
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 10_000;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                fail("waited 10 s for: " + what);
            }
            Thread.sleep(20);
        }
    }

    @Test
    void aPublicationNeverReplacesANewerImage() {
        HazelcastInstance hz = grid.start();
        assertEquals(Publication.WRITTEN, PublishedMetadata.publish(hz, "c1", img.get(2), 1));
        assertEquals(Publication.REFUSED_NEWER_THERE, PublishedMetadata.publish(hz, "c1", img.get(0), 1), "a lower offset, same epoch");
        assertEquals(9, offset(hz));
        assertEquals(Publication.UNCHANGED, PublishedMetadata.publish(hz, "c1", img.get(2), 1));
        assertEquals(Publication.WRITTEN, PublishedMetadata.publish(hz, "c1", img.get(2), 2), "the same image under a new controller");
        assertEquals(2, PublishedMetadata.read(hz, "c1").orElseThrow().controllerId());
        assertEquals(Publication.WRITTEN, PublishedMetadata.publish(hz, "c1", img.get(3), 1));
        assertEquals(Publication.REFUSED_NEWER_THERE, PublishedMetadata.publish(hz, "c1", img.get(2), 2), "a lower offset, lower epoch");
        assertEquals(10, offset(hz));
    }

    @Test
    void whatMayReplaceWhat() {
        String at9epoch2 = PublishedMetadata.format(img.get(2), 1);
        assertTrue(PublishedMetadata.supersedes(10, 2, at9epoch2));
        assertTrue(PublishedMetadata.supersedes(10, 3, at9epoch2));
        assertTrue(PublishedMetadata.supersedes(9, 3, at9epoch2), "the same offset at a higher epoch");
        assertTrue(PublishedMetadata.supersedes(9, 2, at9epoch2), "the same image (maybe another controller)");
        assertTrue(PublishedMetadata.supersedes(3, 5, at9epoch2), "a lower offset at a higher epoch: a log started afresh");
        assertFalse(PublishedMetadata.supersedes(8, 2, at9epoch2));
        assertFalse(PublishedMetadata.supersedes(8, 1, at9epoch2));
        assertFalse(PublishedMetadata.supersedes(9, 1, at9epoch2));
        assertTrue(PublishedMetadata.supersedes(0, 0, "damaged"));
        assertTrue(PublishedMetadata.supersedes(0, 0, "offset x epoch 1 controller 1\n"));
    }

    @Test
    void theActiveControllerRepairsAViewThatWentBackWithoutANewImage() throws Exception {
        HazelcastInstance hz = grid.start();
        try (GridPublisher p = new GridPublisher(hz, "c1", 1, () -> 1, Executors.defaultThreadFactory(), Duration.ofMillis(200))) {
            p.accept(img.get(2));
            await("offset 9 published", () -> offset(hz) == 9);
            // what a merge that kept the other side's entry leaves behind
            hz.<String, String>getMap(PublishedMetadata.MAP + ".c1").set(PublishedMetadata.KEY, PublishedMetadata.format(img.get(0), 1));
            assertEquals(7, offset(hz));
            await("the view repaired to offset 9", () -> offset(hz) == 9);
        }
    }

    @Test
    void aNodeThatBecomesLeaderPublishesItsImageWithoutWaitingForANewOne() throws Exception {
        HazelcastInstance hz = grid.start();
        AtomicInteger leader = new AtomicInteger(2);
        try (GridPublisher p = new GridPublisher(hz, "c1", 1, leader::get, Executors.defaultThreadFactory(), Duration.ofMillis(200))) {
            p.accept(img.get(1));
            leader.set(1);
            await("offset 8 published by the new leader", () -> offset(hz) == 8);
        }
    }
}
