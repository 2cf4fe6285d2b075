package org.tributary.metadata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tributary.metadata.MetadataCodec.CorruptRecordException;
import org.tributary.metadata.MetadataRecord.ConfigRecord;
import org.tributary.metadata.MetadataRecord.ControlledShutdownRecord;
import org.tributary.metadata.MetadataRecord.FenceBrokerRecord;
import org.tributary.metadata.MetadataRecord.NoOpRecord;
import org.tributary.metadata.MetadataRecord.PartitionChangeRecord;
import org.tributary.metadata.MetadataRecord.PartitionRecord;
import org.tributary.metadata.MetadataRecord.ProducerIdsRecord;
import org.tributary.metadata.MetadataRecord.RegisterBrokerRecord;
import org.tributary.metadata.MetadataRecord.RemoveTopicRecord;
import org.tributary.metadata.MetadataRecord.ResourceType;
import org.tributary.metadata.MetadataRecord.TopicRecord;
import org.tributary.metadata.MetadataRecord.UnfenceBrokerRecord;

class MetadataCodecTest {
    static final Uuid T = Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAQ");

    static Stream<MetadataRecord> everyRecordType() {
        return Stream.of(
                new RegisterBrokerRecord(1, Uuid.randomUuid(), -1, "host-1", 9092, 8080, "rack-a", true, false),
                new RegisterBrokerRecord(1001, Uuid.randomUuid(), 42, "h\u00e9te", 1, 2, null, false, true),
                new RegisterBrokerRecord(5, Uuid.randomUuid(), 7, "b5", 9092, 8080, null, true, false, List.of(
                        new BrokerEndpoint("PLAINTEXT", "b5", 9092, (short) 0), new BrokerEndpoint("INTERNAL", "10.0.0.5", 9093, (short) 1))),
                new FenceBrokerRecord(3, 17),
                new UnfenceBrokerRecord(3, 17),
                new ControlledShutdownRecord(4, Long.MAX_VALUE),
                new TopicRecord("orders.\u00e9v\u00e9nements_1", T),
                new PartitionRecord(T, 7, List.of(1, 2, 3), List.of(2, 3), 2, 5, 9),
                new PartitionChangeRecord(T, 0, List.of(1), MetadataRecord.NO_LEADER_CHANGE, null),
                new PartitionChangeRecord(T, 0, null, MetadataRecord.NO_LEADER, List.of(3, 1)),
                new PartitionRecord(T, 2, List.of(4, 5, 6, 1), List.of(1, 4), 1, 3, 8, List.of(1), List.of(5, 6)),
                new PartitionChangeRecord(T, 1, null, MetadataRecord.NO_LEADER_CHANGE, List.of(4, 5, 6, 1), List.of(1), List.of(5, 6)),
                new PartitionChangeRecord(T, 1, List.of(4, 5), 4, List.of(4, 5), List.of(), List.of()),
                new PartitionChangeRecord(T, 1, null, MetadataRecord.NO_LEADER_CHANGE, null, null, List.of()),
                new ConfigRecord(ResourceType.TOPIC, "orders", "retention.ms", "1000"),
                new ConfigRecord(ResourceType.BROKER, "", "unclean.leader.election.enable", null),
                new RemoveTopicRecord(T),
                new ProducerIdsRecord(1, 2, 3000),
                new NoOpRecord());
    }

    @ParameterizedTest
    @MethodSource("everyRecordType")
    void eachRecordTypeSurvivesARoundTrip(MetadataRecord r) {
        assertEquals(List.of(r), MetadataCodec.decode(MetadataCodec.encode(List.of(r))));
    }

    @Test
    void aBrokerWithOnlyItsPlaintextListenerIsWrittenAsVersion0AndOthersAsVersion1() {
        RegisterBrokerRecord plain = new RegisterBrokerRecord(1, T, 3, "h", 9092, 0, null, false, false);
        RegisterBrokerRecord ssl = new RegisterBrokerRecord(1, T, 3, "h", 9093, 0, null, false, false,
                List.of(new BrokerEndpoint("SSL", "h", 9093, (short) 1)));
        byte[] v0 = MetadataCodec.encode(List.of(plain));
        byte[] v1 = MetadataCodec.encode(List.of(ssl));
        assertEquals(0, v0[10]); // format, crc, count, then type and version
        assertEquals(1, v1[10]);
        assertEquals(List.of(new BrokerEndpoint("PLAINTEXT", "h", 9092, (short) 0)),
                ((RegisterBrokerRecord) MetadataCodec.decode(v0).get(0)).endpoints());
        assertEquals(ssl, MetadataCodec.decode(v1).get(0));
    }

    @Test
    void aBatchKeepsItsRecordsInOrder() {
        List<MetadataRecord> batch = everyRecordType().toList();
        assertEquals(batch, MetadataCodec.decode(MetadataCodec.encode(batch)));
        assertEquals(List.of(), MetadataCodec.decode(MetadataCodec.encode(List.of())));
    }

    @Test
    void everyTruncationIsRefusedWithAClearError() {
        byte[] bytes = MetadataCodec.encode(everyRecordType().toList());
        for (int len = 0; len < bytes.length; len++) {
            byte[] cut = Arrays.copyOf(bytes, len);
            CorruptRecordException e = assertThrows(CorruptRecordException.class, () -> MetadataCodec.decode(cut), "length " + len);
            assertTrue(e.getMessage().contains("metadata batch") || e.getMessage().contains("record"), e.getMessage());
        }
    }

    @Test
    void everyFlippedBitFailsTheChecksumOrTheHeader() {
        byte[] bytes = MetadataCodec.encode(everyRecordType().toList());
        for (int i = 0; i < bytes.length; i++) {
            byte[] bad = bytes.clone();
            bad[i] ^= 0x10;
            assertThrows(IllegalArgumentException.class, () -> MetadataCodec.decode(bad), "byte " + i);
        }
    }

    @Test
    void unknownTypeIsRefusedEvenWithAValidChecksum() {
        byte[] bytes = MetadataCodec.encode(List.of(new FenceBrokerRecord(1, 2)));
        bytes[9] = 99; // type of the first record
        CorruptRecordException e = assertThrows(CorruptRecordException.class, () -> MetadataCodec.decode(resum(bytes)));
        assertTrue(e.getMessage().contains("unknown type 99"), e.getMessage());
    }

    @Test
    void newerRecordVersionIsRefused() {
        byte[] bytes = MetadataCodec.encode(List.of(new FenceBrokerRecord(1, 2)));
        bytes[10] = 1; // version of the first record
        CorruptRecordException e = assertThrows(CorruptRecordException.class, () -> MetadataCodec.decode(resum(bytes)));
        assertTrue(e.getMessage().contains("version 1"), e.getMessage());
    }

    @Test
    void unknownFormatAndTrailingBytesAreRefused() {
        byte[] bytes = MetadataCodec.encode(List.of(new NoOpRecord()));
        byte[] format = bytes.clone();
        format[0] = 2;
        assertTrue(assertThrows(CorruptRecordException.class, () -> MetadataCodec.decode(format)).getMessage().contains("format 2"));
        byte[] trailing = Arrays.copyOf(bytes, bytes.length + 1);
        assertTrue(assertThrows(CorruptRecordException.class, () -> MetadataCodec.decode(resum(trailing))).getMessage()
                .contains("trailing"));
        assertThrows(CorruptRecordException.class, () -> MetadataCodec.decode(null));
    }

    @Test
    void damagedPayloadWithValidChecksumIsRefused() {
        byte[] bytes = MetadataCodec.encode(List.of(new TopicRecord("t", T)));
        ByteBuffer.wrap(bytes).putInt(15, 1_000_000); // the topic name's length
        assertThrows(CorruptRecordException.class, () -> MetadataCodec.decode(resum(bytes)));
    }

    /** A batch as the codec before reassignments wrote it, built by hand: partition records of version 0. */
    private static byte[] versionZeroBatch() {
        ByteBuffer body = ByteBuffer.allocate(200);
        body.putInt(2); // records
        body.put((byte) 6).put((byte) 0).putInt(16 + 4 + 4 + 12 + 4 + 8 + 12); // PartitionRecord v0
        body.putLong(T.getMostSignificantBits()).putLong(T.getLeastSignificantBits()).putInt(7);
        body.putInt(3).putInt(1).putInt(2).putInt(3); // replicas
        body.putInt(2).putInt(2).putInt(3); // isr
        body.putInt(2).putInt(5).putInt(9); // leader, leader epoch, partition epoch
        body.put((byte) 7).put((byte) 0).putInt(16 + 4 + 8 + 4 + 4); // PartitionChangeRecord v0
        body.putLong(T.getMostSignificantBits()).putLong(T.getLeastSignificantBits()).putInt(0);
        body.putInt(1).putInt(1); // isr
        body.putInt(MetadataRecord.NO_LEADER_CHANGE);
        body.putInt(-1); // replicas unchanged
        byte[] out = new byte[5 + body.position()];
        out[0] = MetadataCodec.FORMAT;
        System.arraycopy(body.array(), 0, out, 5, body.position());
        return resum(out);
    }

    @Test
    void partitionRecordsWrittenBeforeReassignmentsStillDecode() {
        List<MetadataRecord> decoded = MetadataCodec.decode(versionZeroBatch());
        assertEquals(List.of(new PartitionRecord(T, 7, List.of(1, 2, 3), List.of(2, 3), 2, 5, 9, List.of(), List.of()),
                new PartitionChangeRecord(T, 0, List.of(1), MetadataRecord.NO_LEADER_CHANGE, null, null, null)), decoded);
        PartitionRegistration reg = ((PartitionRecord) decoded.get(0)).registration();
        assertEquals(List.of(), reg.removingReplicas());
        assertEquals(List.of(), reg.addingReplicas());
        assertTrue(!reg.isReassigning());
    }

    @Test
    void recordsWithoutReassignmentStateAreStillWrittenAsVersionZero() {
        assertTrue(Arrays.equals(versionZeroBatch(), MetadataCodec.encode(List.of(new PartitionRecord(T, 7, List.of(1, 2, 3),
                List.of(2, 3), 2, 5, 9), new PartitionChangeRecord(T, 0, List.of(1), MetadataRecord.NO_LEADER_CHANGE, null)))),
                "byte for byte as before, so an older reader of the same log keeps working until a reassignment is made");
    }

    @Test
    void reassignmentStateIsWrittenAsVersionOneAndVersionTwoIsRefused() {
        byte[] bytes = MetadataCodec.encode(List.of(new PartitionRecord(T, 0, List.of(2, 1), List.of(1), 1, 0, 1, List.of(1),
                List.of(2))));
        assertEquals(1, bytes[10]); // version of the first record
        bytes[10] = 2;
        CorruptRecordException e = assertThrows(CorruptRecordException.class, () -> MetadataCodec.decode(resum(bytes)));
        assertTrue(e.getMessage().contains("version 2"), e.getMessage());
        byte[] change = MetadataCodec.encode(List.of(new PartitionChangeRecord(T, 0, null, 1, null, List.of(), null)));
        assertEquals(1, change[10]);
    }

    @Test
    void aSnapshotKeepsAReassignmentInProgress() {
        PartitionRegistration reassigning = new PartitionRegistration(List.of(1, 2, 3, 0), List.of(0, 1, 2), 0, 0, 1, List.of(0),
                List.of(3));
        MetadataImage img = MetadataDelta.apply(MetadataImage.EMPTY, List.of(new TopicRecord("t", T),
                PartitionRecord.of(T, 0, reassigning)), 0, 1);
        List<MetadataRecord> records = MetadataCodec.decode(MetadataCodec.encode(MetadataSnapshot.records(img)));
        MetadataImage loaded = MetadataSnapshot.load(records, img.offset(), img.epoch());
        assertEquals(img, loaded);
        assertEquals(reassigning, loaded.topic("t").orElseThrow().partition(0));
    }

    private static byte[] resum(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, 5, bytes.length - 5);
        ByteBuffer.wrap(bytes).putInt(1, (int) crc.getValue());
        return bytes;
    }
}
