package org.tributary.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;
import org.tributary.metadata.MetadataDelta;
import org.tributary.metadata.MetadataImage;
import org.tributary.metadata.MetadataRecord;
import org.tributary.metadata.MetadataRecord.ConfigRecord;
import org.tributary.metadata.MetadataRecord.ResourceType;
import org.tributary.metadata.MetadataRecord.TopicRecord;
import org.tributary.util.ThrottledReplicas;

class ReplicationThrottleTest {
    private static MetadataImage image(MetadataRecord... records) {
        return MetadataDelta.apply(MetadataImage.EMPTY, List.of(records), 0, 0);
    }

    @Test
    void throttlesTheListedReplicasOfThisBrokerAtItsRateOrTheClusterDefault() {
        MetadataImage img = image(new TopicRecord("a", Uuid.randomUuid()), new TopicRecord("b", Uuid.randomUuid()),
                new ConfigRecord(ResourceType.TOPIC, "a", "leader.replication.throttled.replicas", "0:1, 1:2, 2:1"),
                new ConfigRecord(ResourceType.TOPIC, "b", "follower.replication.throttled.replicas", "*"),
                new ConfigRecord(ResourceType.BROKER, "", "leader.replication.throttled.rate", "1000"),
                new ConfigRecord(ResourceType.BROKER, "1", "leader.replication.throttled.rate", "500"));
        AtomicLong now = new AtomicLong(1_000_000);
        ReplicationThrottle leader1 = new ReplicationThrottle(ReplicationThrottle.Side.LEADER, 1, () -> img, now::get);
        assertEquals(500, leader1.limit(), "the broker's own rate wins over the cluster default");
        assertTrue(leader1.throttles(new TopicPartition("a", 0)));
        assertFalse(leader1.throttles(new TopicPartition("a", 1)), "listed for broker 2, not 1");
        assertTrue(leader1.throttles(new TopicPartition("a", 2)));
        assertFalse(leader1.throttles(new TopicPartition("b", 0)), "b throttles followers only");
        ReplicationThrottle leader2 = new ReplicationThrottle(ReplicationThrottle.Side.LEADER, 2, () -> img, now::get);
        assertEquals(1000, leader2.limit());
        assertTrue(leader2.throttles(new TopicPartition("a", 1)));
        // no follower rate set: nothing is throttled on the follower side even where replicas are listed
        ReplicationThrottle follower = new ReplicationThrottle(ReplicationThrottle.Side.FOLLOWER, 1, () -> img, now::get);
        assertEquals(Long.MAX_VALUE, follower.limit());
        assertFalse(follower.throttles(new TopicPartition("b", 0)));
        assertEquals(Long.MAX_VALUE, follower.headroomBytes());

        // headroom: 500 B/s over at least 10 windows = 5000 bytes at first; used up, then regained as windows expire
        assertEquals(5000, leader1.headroomBytes());
        assertTrue(leader1.idle());
        leader1.record(5000);
        assertFalse(leader1.idle());
        assertTrue(leader1.headroomBytes() <= 0);
        now.addAndGet(11_000);
        assertEquals(5000, leader1.headroomBytes(), "the window that held the bytes has expired");
    }

    @Test
    void aNewImageChangesTheThrottleAtOnce() {
        Uuid id = Uuid.randomUuid();
        AtomicReference<MetadataImage> img = new AtomicReference<>(image(new TopicRecord("a", id),
                new ConfigRecord(ResourceType.TOPIC, "a", "follower.replication.throttled.replicas", "0:3"),
                new ConfigRecord(ResourceType.BROKER, "3", "follower.replication.throttled.rate", "100")));
        ReplicationThrottle t = new ReplicationThrottle(ReplicationThrottle.Side.FOLLOWER, 3, img::get, () -> 0L);
        assertTrue(t.throttles(new TopicPartition("a", 0)));
        img.set(MetadataDelta.apply(img.get(), List.of(new ConfigRecord(ResourceType.BROKER, "3", "follower.replication.throttled.rate",
                null)), 1, 0));
        assertFalse(t.throttles(new TopicPartition("a", 0)), "rate removed: no throttle");
    }

    @Test
    void throttledReplicaListsAreParsedAsKafkaWritesThem() {
        assertEquals(1, ThrottledReplicas.parse(" * ").size());
        assertEquals(-1, ThrottledReplicas.parse("*").get(0)[0]);
        List<int[]> l = ThrottledReplicas.parse("0:101,1:102, 2:103 ");
        assertEquals(3, l.size());
        assertEquals(102, l.get(1)[1]);
        assertThrows(IllegalArgumentException.class, () -> ThrottledReplicas.parse("0-101"));
        assertThrows(IllegalArgumentException.class, () -> ThrottledReplicas.parse("0:1:2"));
        assertThrows(IllegalArgumentException.class, () -> ThrottledReplicas.parse("x:1"));
        assertThrows(IllegalArgumentException.class, () -> ThrottledReplicas.parse("-1:1"));
        // a topic config with a malformed list is refused when set, never half-honoured
        assertThrows(org.apache.kafka.common.errors.InvalidConfigurationException.class, () -> org.tributary.log.LogConfig.from(
                java.util.Map.of(), java.util.Map.of("leader.replication.throttled.replicas", "0-101")));
        org.tributary.log.LogConfig.from(java.util.Map.of(), java.util.Map.of("follower.replication.throttled.replicas", "0:101,1:102"));
    }
}
