package org.tributary.grid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.core.HazelcastInstance;
import java.util.List;
import java.util.concurrent.Executors;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.tributary.metadata.MetadataDelta;
import org.tributary.metadata.MetadataImage;
import org.tributary.metadata.MetadataRecord;

/** The committed image as published into the grid, read by another member that runs no broker. */
class PublishedMetadataTest {
    private final org.tributary.testing.GridMembers grid = new org.tributary.testing.GridMembers(15901);

    @AfterEach
    void shutdown() {
        grid.close();
    }

    private HazelcastInstance member() {
        return grid.start();
    }

    static MetadataImage image() {
        Uuid topic = new Uuid(1, 2);
        List<MetadataRecord> batch = List.of(
                new MetadataRecord.RegisterBrokerRecord(1, new Uuid(3, 4), -1, "127.0.0.1", 9093, 8081, "rack a", true, true),
                new MetadataRecord.RegisterBrokerRecord(2, new Uuid(5, 6), -1, "127.0.0.1", 9094, 8082, null, true, true),
                new MetadataRecord.TopicRecord("orders", topic),
                new MetadataRecord.PartitionRecord(topic, 0, List.of(1, 2), List.of(1), 1, 0, 0),
                new MetadataRecord.PartitionRecord(topic, 1, List.of(2, 1), List.of(2), 2, 3, 4));
        MetadataImage img = MetadataDelta.apply(MetadataImage.EMPTY, batch, 5, 2);
        return MetadataDelta.apply(img, List.of(new MetadataRecord.UnfenceBrokerRecord(1, 5)), 7, 2);
    }

    @Test
    void aMemberWithoutABrokerReadsWhatTheControllerPublished() {
        HazelcastInstance controller = member();
        HazelcastInstance das = member();
        assertTrue(PublishedMetadata.read(das, "c1").isEmpty(), "nothing published yet");
        PublishedMetadata.publish(controller, "c1", image(), 1);
        PublishedMetadata seen = PublishedMetadata.read(das, "c1").orElseThrow();
        assertEquals(7, seen.offset());
        assertEquals(2, seen.epoch());
        assertEquals(1, seen.controllerId());
        assertEquals(List.of(new PublishedMetadata.Broker(1, "127.0.0.1", 9093, 8081, "rack a", true),
                new PublishedMetadata.Broker(2, "127.0.0.1", 9094, 8082, null, false)), seen.brokers());
        assertEquals(List.of(new PublishedMetadata.Partition("orders", new Uuid(1, 2).toString(), 0, 1, 0, List.of(1, 2), List.of(1)),
                new PublishedMetadata.Partition("orders", new Uuid(1, 2).toString(), 1, 2, 3, List.of(2, 1), List.of(2))), seen.partitions());
        assertTrue(PublishedMetadata.read(das, "another-cluster").isEmpty());
    }

    @Test
    void onlyTheActiveControllerPublishes() throws Exception {
        HazelcastInstance hz = member();
        int[] leader = {2};
        try (GridPublisher follower = new GridPublisher(hz, "c1", 1, () -> leader[0], Executors.defaultThreadFactory())) {
            follower.accept(image());
            Thread.sleep(300); // nothing to wait for: a publication must NOT happen; give it time to show up if it would
            assertFalse(PublishedMetadata.read(hz, "c1").isPresent(), "a follower publishes nothing");
            leader[0] = 1;
            follower.accept(image());
            long deadline = System.currentTimeMillis() + 10_000;
            while (PublishedMetadata.read(hz, "c1").isEmpty() && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(7, PublishedMetadata.read(hz, "c1").orElseThrow().offset());
        }
    }

    @Test
    void damagedTextIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> PublishedMetadata.parse("hello"));
        assertThrows(IllegalArgumentException.class, () -> PublishedMetadata.parse("offset 1 epoch 1 controller 1\nmystery 3"));
    }
}
