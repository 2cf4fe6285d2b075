package org.tributary.metadata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;
import org.tributary.metadata.MetadataCodec.CorruptRecordException;
import org.tributary.metadata.MetadataRecord.AccessControlEntryRecord;
import org.tributary.metadata.MetadataRecord.ConfigRecord;
import org.tributary.metadata.MetadataRecord.RemoveAccessControlEntryRecord;

/** ACL records (codes 14 and 15): codec, delta, image and snapshot. */
class AclRecordsTest {
    static final Uuid ID1 = Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAQ");
    static final Uuid ID2 = Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAg");
    static final AclBinding WRITE_ORDERS = new AclBinding(new ResourcePattern(ResourceType.TOPIC, "orders-", PatternType.PREFIXED),
            new AccessControlEntry("User:alice", "*", AclOperation.WRITE, AclPermissionType.ALLOW));
    static final AclBinding DENY_GROUP = new AclBinding(new ResourcePattern(ResourceType.GROUP, "g", PatternType.LITERAL),
            new AccessControlEntry("User:*", "10.0.0.1", AclOperation.READ, AclPermissionType.DENY));

    @Test
    void aclRecordsRoundTripThroughTheCodecWithKafkasCodes() {
        List<MetadataRecord> batch = List.of(new AccessControlEntryRecord(ID1, WRITE_ORDERS), new AccessControlEntryRecord(ID2,
                DENY_GROUP), new RemoveAccessControlEntryRecord(ID1));
        byte[] bytes = MetadataCodec.encode(batch);
        assertEquals(batch, MetadataCodec.decode(bytes));
        // record 0: type 14, version 0, then the id and Kafka's codes: TOPIC = 2, PREFIXED = 4, WRITE = 4, ALLOW = 3
        ByteBuffer b = ByteBuffer.wrap(bytes, 9, bytes.length - 9);
        assertEquals(14, b.get());
        assertEquals(0, b.get());
        b.getInt();
        assertEquals(ID1.getMostSignificantBits(), b.getLong());
        assertEquals(ID1.getLeastSignificantBits(), b.getLong());
        assertEquals(ResourceType.TOPIC.code(), b.get());
    }

    @Test
    void anUnknownCodeInAnAclRecordIsRefused() {
        byte[] bytes = MetadataCodec.encode(List.of(new AccessControlEntryRecord(ID1, WRITE_ORDERS)));
        int resourceTypeAt = 9 + 6 + 16;
        bytes[resourceTypeAt] = 99;
        CRC32C crc = new CRC32C();
        crc.update(bytes, 5, bytes.length - 5);
        ByteBuffer.wrap(bytes).putInt(1, (int) crc.getValue());
        CorruptRecordException e = assertThrows(CorruptRecordException.class, () -> MetadataCodec.decode(bytes));
        assertTrue(e.getMessage().contains("resource type"), e.getMessage());
    }

    @Test
    void onlyConcreteAclsMakeRecords() {
        assertThrows(IllegalArgumentException.class, () -> new AccessControlEntryRecord(ID1, new AclBinding(
                new ResourcePattern(ResourceType.TOPIC, "t", PatternType.LITERAL),
                new AccessControlEntry("User:a", "*", AclOperation.ANY, AclPermissionType.ALLOW))));
        assertThrows(IllegalArgumentException.class, () -> new AccessControlEntryRecord(ID1, new AclBinding(
                new ResourcePattern(ResourceType.UNKNOWN, "t", PatternType.LITERAL),
                new AccessControlEntry("User:a", "*", AclOperation.READ, AclPermissionType.ALLOW))));
    }

    @Test
    void theDeltaAddsAndRemovesAclsAndRefusesWhatDoesNotFit() {
        MetadataImage one = MetadataDelta.apply(MetadataImage.EMPTY, List.of(new AccessControlEntryRecord(ID1, WRITE_ORDERS),
                new AccessControlEntryRecord(ID2, DENY_GROUP)), 0, 1);
        assertEquals(Map.of(ID1, WRITE_ORDERS, ID2, DENY_GROUP), one.acls().byId());
        MetadataImage two = MetadataDelta.apply(one, List.of(new RemoveAccessControlEntryRecord(ID1)), 1, 1);
        assertEquals(Map.of(ID2, DENY_GROUP), two.acls().byId());
        assertThrows(IllegalStateException.class, () -> MetadataDelta.apply(two, List.of(new RemoveAccessControlEntryRecord(ID1)), 2, 1),
                "removing an unknown id");
        assertThrows(IllegalStateException.class, () -> MetadataDelta.apply(two, List.of(new AccessControlEntryRecord(ID2,
                WRITE_ORDERS)), 2, 1), "reusing an id in force");
        assertThrows(IllegalStateException.class, () -> MetadataDelta.apply(one, List.of(new RemoveAccessControlEntryRecord(ID1),
                new AccessControlEntryRecord(ID1, WRITE_ORDERS)), 2, 1), "reusing an id removed in the same batch");
        MetadataImage addRemove = MetadataDelta.apply(MetadataImage.EMPTY, List.of(new AccessControlEntryRecord(ID1, WRITE_ORDERS),
                new RemoveAccessControlEntryRecord(ID1)), 0, 1);
        assertTrue(addRemove.acls().isEmpty());
    }

    @Test
    void anEntryThatChangesNoAclKeepsTheSameAclSet() {
        MetadataImage one = MetadataDelta.apply(MetadataImage.EMPTY, List.of(new AccessControlEntryRecord(ID1, WRITE_ORDERS)), 0, 1);
        MetadataImage two = MetadataDelta.apply(one, List.of(new ConfigRecord(MetadataRecord.ResourceType.BROKER, "", "k", "v")), 1, 1);
        assertSame(one.acls(), two.acls(), "the authorizer keeps its index while the set is the same object");
    }

    @Test
    void aclsAreInSnapshots() {
        MetadataImage img = MetadataDelta.apply(MetadataDeltaTest.threeBrokersAndTopicA(), List.of(
                new AccessControlEntryRecord(ID1, WRITE_ORDERS), new AccessControlEntryRecord(ID2, DENY_GROUP)), 30, 5);
        List<MetadataRecord> records = MetadataSnapshot.records(img);
        assertTrue(records.contains(new AccessControlEntryRecord(ID1, WRITE_ORDERS)));
        MetadataImage loaded = MetadataSnapshot.load(MetadataCodec.decode(MetadataCodec.encode(records)), img.offset(), img.epoch());
        assertEquals(img, loaded);
        assertEquals(img.acls().byId(), loaded.acls().byId());
    }
}
