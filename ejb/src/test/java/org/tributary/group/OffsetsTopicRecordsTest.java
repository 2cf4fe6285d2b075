package org.tributary.group;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.ByteBuffer;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.apache.kafka.coordinator.group.generated.GroupMetadataKey;
import org.apache.kafka.coordinator.group.generated.GroupMetadataValue;
import org.apache.kafka.coordinator.group.generated.OffsetCommitKey;
import org.apache.kafka.coordinator.group.generated.OffsetCommitValue;
import org.junit.jupiter.api.Test;

/** Our __consumer_offsets records are Kafka's: Kafka's own generated schema classes (test-only dependency) read them. */
class OffsetsTopicRecordsTest {

    private static ByteBufferAccessor body(byte[] record, short expectedVersion) {
        ByteBuffer b = ByteBuffer.wrap(record);
        assertEquals(expectedVersion, b.getShort());
        return new ByteBufferAccessor(b);
    }

    @Test
    void offsetCommitRecordsReadByKafka() {
        byte[] key = OffsetsTopicRecords.offsetKey("my-group", new TopicPartition("orders", 7));
        OffsetCommitKey k = new OffsetCommitKey(body(key, (short) 1), (short) 0);
        assertEquals("my-group", k.group());
        assertEquals("orders", k.topic());
        assertEquals(7, k.partition());

        byte[] value = OffsetsTopicRecords.offsetValue(new CommittedOffset(1234, 5, "meta", 99L, -1L));
        OffsetCommitValue v = new OffsetCommitValue(body(value, (short) 3), (short) 3);
        assertEquals(1234, v.offset());
        assertEquals(5, v.leaderEpoch());
        assertEquals("meta", v.metadata());
        assertEquals(99L, v.commitTimestamp());

        byte[] expiring = OffsetsTopicRecords.offsetValue(new CommittedOffset(1, -1, "", 10L, 20L));
        OffsetCommitValue v1 = new OffsetCommitValue(body(expiring, (short) 1), (short) 1);
        assertEquals(20L, v1.expireTimestamp());
        assertEquals(new CommittedOffset(1, -1, "", 10L, 20L), OffsetsTopicRecords.readOffsetValue(expiring));
    }

    @Test
    void kafkaWrittenOffsetValueIsReadBack() {
        OffsetCommitValue v = new OffsetCommitValue().setOffset(77).setLeaderEpoch(2).setMetadata("m").setCommitTimestamp(5L);
        ObjectSerializationCache cache = new ObjectSerializationCache();
        ByteBuffer buf = ByteBuffer.allocate(2 + v.size(cache, (short) 3));
        buf.putShort((short) 3);
        v.write(new ByteBufferAccessor(buf), cache, (short) 3);
        assertEquals(new CommittedOffset(77, 2, "m", 5L, -1L), OffsetsTopicRecords.readOffsetValue(buf.array()));
    }

    @Test
    void groupMetadataRecordsReadByKafka() {
        byte[] key = OffsetsTopicRecords.groupKey("g");
        assertEquals("g", new GroupMetadataKey(body(key, (short) 2), (short) 0).group());
        OffsetsTopicRecords.StoredGroup g = new OffsetsTopicRecords.StoredGroup("consumer", 4, "range", "m-1", 1000L,
                List.of(new OffsetsTopicRecords.StoredMember("m-1", "instance-1", "client", "/127.0.0.1", 30000, 10000,
                        new byte[] {1, 2}, new byte[] {3})));
        byte[] value = OffsetsTopicRecords.groupValue(g);
        GroupMetadataValue v = new GroupMetadataValue(body(value, (short) 3), (short) 3);
        assertEquals("consumer", v.protocolType());
        assertEquals(4, v.generation());
        assertEquals("range", v.protocol());
        assertEquals("m-1", v.leader());
        assertEquals(1000L, v.currentStateTimestamp());
        GroupMetadataValue.MemberMetadata m = v.members().get(0);
        assertEquals("instance-1", m.groupInstanceId());
        assertEquals(30000, m.rebalanceTimeout());
        assertArrayEquals(new byte[] {1, 2}, m.subscription());
        assertArrayEquals(new byte[] {3}, m.assignment());
        OffsetsTopicRecords.StoredGroup back = OffsetsTopicRecords.readGroupValue(value);
        assertEquals(4, back.generation());
        assertEquals("instance-1", back.members().get(0).groupInstanceId());
        OffsetsTopicRecords.StoredGroup empty = OffsetsTopicRecords.readGroupValue(OffsetsTopicRecords.groupValue(
                new OffsetsTopicRecords.StoredGroup("consumer", 5, null, null, 1L, List.of())));
        assertNull(empty.protocol());
        assertEquals(0, empty.members().size());
    }
}
