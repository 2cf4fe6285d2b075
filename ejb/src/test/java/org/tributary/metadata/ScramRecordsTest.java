package org.tributary.metadata;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import org.apache.kafka.common.security.scram.ScramCredential;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.junit.jupiter.api.Test;
import org.tributary.metadata.MetadataCodec.CorruptRecordException;
import org.tributary.metadata.MetadataRecord.RemoveUserScramCredentialRecord;
import org.tributary.metadata.MetadataRecord.UserScramCredentialRecord;

/** SCRAM credential records (codes 12, 13): codec, delta, image and snapshot; keys stay hidden in text. */
class ScramRecordsTest {
    static final ScramMechanism SHA256 = ScramMechanism.SCRAM_SHA_256;
    static final ScramMechanism SHA512 = ScramMechanism.SCRAM_SHA_512;

    static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (seed * 31 + i);
        }
        return b;
    }

    static UserScramCredentialRecord credential(String user, ScramMechanism m, int seed, int iterations) {
        int len = m == SHA256 ? 32 : 64;
        return new UserScramCredentialRecord(user, m, bytes(16, seed), bytes(len, seed + 1), bytes(len, seed + 2), iterations);
    }

    @Test
    void credentialRecordsRoundTripThroughTheCodecWithKafkasMechanismCodes() {
        List<MetadataRecord> batch = List.of(credential("alice", SHA256, 1, 4096), credential("b\u00f6b", SHA512, 2, 16384),
                new RemoveUserScramCredentialRecord("alice", SHA256));
        byte[] encoded = MetadataCodec.encode(batch);
        assertEquals(batch, MetadataCodec.decode(encoded));
        ByteBuffer b = ByteBuffer.wrap(encoded, 9, encoded.length - 9);
        assertEquals(12, b.get(), "type code of a credential");
        assertEquals(0, b.get());
        b.getInt();
        assertEquals(5, b.getInt());
        b.position(b.position() + 5);
        assertEquals(1, b.get(), "SCRAM-SHA-256 is Kafka's mechanism type 1");
        UserScramCredentialRecord r = (UserScramCredentialRecord) MetadataCodec.decode(encoded).get(0);
        assertArrayEquals(bytes(32, 2), r.storedKey());
        assertArrayEquals(bytes(32, 3), r.serverKey());
        assertArrayEquals(bytes(16, 1), r.salt());
    }

    private static byte[] resum(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, 5, bytes.length - 5);
        ByteBuffer.wrap(bytes).putInt(1, (int) crc.getValue());
        return bytes;
    }

    /** Offset of the mechanism byte of the first record, for a user of {@code userLength} bytes. */
    private static int mechanismAt(int userLength) {
        return 9 + 6 + 4 + userLength;
    }

    @Test
    void damagedCredentialRecordsAreRefusedEvenWithAValidChecksum() {
        byte[] good = MetadataCodec.encode(List.of(credential("alice", SHA256, 1, 8192)));
        byte[] unknownMechanism = resum(good.clone());
        unknownMechanism[mechanismAt(5)] = 3;
        CorruptRecordException e = assertThrows(CorruptRecordException.class, () -> MetadataCodec.decode(resum(unknownMechanism)));
        assertTrue(e.getMessage().contains("SCRAM mechanism"), e.getMessage());

        // SHA-512 claimed for 32-byte keys
        byte[] wrongLength = good.clone();
        wrongLength[mechanismAt(5)] = 2;
        e = assertThrows(CorruptRecordException.class, () -> MetadataCodec.decode(resum(wrongLength)));
        assertTrue(e.getMessage().contains("keys"), e.getMessage());

        // iterations (the last int32) set to 1
        byte[] fewIterations = good.clone();
        ByteBuffer.wrap(fewIterations).putInt(fewIterations.length - 4, 1);
        e = assertThrows(CorruptRecordException.class, () -> MetadataCodec.decode(resum(fewIterations)));
        assertTrue(e.getMessage().contains("iterations"), e.getMessage());

        // a salt length running past the record
        byte[] longSalt = good.clone();
        ByteBuffer.wrap(longSalt).putInt(mechanismAt(5) + 1, 1_000_000);
        assertThrows(CorruptRecordException.class, () -> MetadataCodec.decode(resum(longSalt)));

        // an empty user name in a removal
        byte[] removal = MetadataCodec.encode(List.of(new RemoveUserScramCredentialRecord("a", SHA512)));
        ByteBuffer.wrap(removal).putInt(9 + 6, 0);
        byte[] shortened = new byte[removal.length - 1];
        System.arraycopy(removal, 0, shortened, 0, 19);
        System.arraycopy(removal, 20, shortened, 19, removal.length - 20);
        ByteBuffer.wrap(shortened).putInt(9 + 2, 5); // record size: user length + mechanism
        e = assertThrows(CorruptRecordException.class, () -> MetadataCodec.decode(resum(shortened)));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());

        for (int cut = 1; cut < good.length - 9; cut++) {
            byte[] truncated = Arrays.copyOf(good, good.length - cut);
            assertThrows(CorruptRecordException.class, () -> MetadataCodec.decode(resum(truncated)), "cut " + cut);
        }
    }

    @Test
    void recordsRefuseWhatCannotBeACredential() {
        assertThrows(IllegalArgumentException.class, () -> credential("", SHA256, 1, 4096));
        assertThrows(IllegalArgumentException.class, () -> credential("u", SHA256, 1, 4095));
        assertThrows(IllegalArgumentException.class, () -> credential("u", SHA512, 1, 16385));
        assertThrows(IllegalArgumentException.class, () -> new UserScramCredentialRecord("u", SHA512, bytes(16, 1), bytes(32, 1),
                bytes(32, 1), 4096));
        assertThrows(IllegalArgumentException.class, () -> new UserScramCredentialRecord("u", SHA256, new byte[0], bytes(32, 1),
                bytes(32, 1), 4096));
        assertThrows(IllegalArgumentException.class, () -> new RemoveUserScramCredentialRecord("", SHA256));
    }

    @Test
    void theTextOfRecordsImagesAndCredentialsNamesUsersButNeverSaltsOrKeys() {
        UserScramCredentialRecord r = credential("alice", SHA256, 1, 4096);
        MetadataImage img = MetadataDelta.apply(MetadataImage.EMPTY, List.of(r), 0, 1);
        for (String text : List.of(r.toString(), img.toString(), img.scram().toString())) {
            for (byte[] secret : List.of(r.salt(), r.storedKey(), r.serverKey())) {
                assertFalse(text.contains(HexFormat.of().formatHex(secret)), text);
                assertFalse(text.contains(java.util.Base64.getEncoder().encodeToString(secret)), text);
                assertFalse(text.contains(Arrays.toString(secret)), text);
            }
        }
        assertTrue(img.scram().toString().contains("alice"), img.scram().toString());
    }

    @Test
    void theDeltaSetsReplacesAndRemovesCredentialsAndRefusesRemovingOneThatIsNotThere() {
        assertTrue(MetadataImage.EMPTY.scram().isEmpty());
        MetadataImage one = MetadataDelta.apply(MetadataImage.EMPTY, List.of(credential("alice", SHA256, 1, 4096),
                credential("alice", SHA512, 2, 8192), credential("bob", SHA256, 3, 4096)), 0, 1);
        ScramCredentials s = one.scram();
        assertEquals(List.of("alice", "bob"), List.copyOf(s.users()));
        assertEquals(Map.of(SHA256, 4096, SHA512, 8192), s.iterations("alice"));
        ScramCredential c = s.find("alice", SHA512).orElseThrow();
        assertArrayEquals(bytes(64, 3), c.storedKey());
        assertArrayEquals(bytes(64, 4), c.serverKey());
        assertArrayEquals(bytes(16, 2), c.salt());
        assertEquals(8192, c.iterations());
        c.storedKey()[0]++;
        assertArrayEquals(bytes(64, 3), s.find("alice", SHA512).orElseThrow().storedKey(), "a caller cannot change a stored key");
        assertTrue(s.find("carol", SHA256).isEmpty());
        assertTrue(s.find("bob", SHA512).isEmpty());
        assertTrue(s.find(null, SHA256).isEmpty());

        MetadataImage two = MetadataDelta.apply(one, List.of(credential("alice", SHA256, 9, 10000),
                new RemoveUserScramCredentialRecord("alice", SHA512), new RemoveUserScramCredentialRecord("bob", SHA256)), 1, 1);
        assertEquals(List.of("alice"), List.copyOf(two.scram().users()));
        assertEquals(Map.of(SHA256, 10000), two.scram().iterations("alice"));
        assertArrayEquals(bytes(32, 10), two.scram().find("alice", SHA256).orElseThrow().storedKey());
        assertEquals(3, one.scram().size(), "the earlier image is unchanged");

        assertThrows(IllegalStateException.class, () -> MetadataDelta.apply(two, List.of(
                new RemoveUserScramCredentialRecord("alice", SHA512)), 2, 1), "removing a credential that is not there");
        assertThrows(IllegalStateException.class, () -> MetadataDelta.apply(two, List.of(
                new RemoveUserScramCredentialRecord("bob", SHA256)), 2, 1), "removing a user that has no credential");
    }

    @Test
    void credentialsAreInSnapshotsAndComeBackEqual() {
        MetadataImage img = MetadataDelta.apply(MetadataDeltaTest.threeBrokersAndTopicA(), List.of(credential("alice", SHA256, 1, 4096),
                credential("alice", SHA512, 2, 8192), credential("zed", SHA512, 5, 16384)), 30, 5);
        List<MetadataRecord> records = MetadataSnapshot.records(img);
        assertTrue(records.contains(credential("zed", SHA512, 5, 16384)));
        MetadataImage loaded = MetadataSnapshot.load(MetadataCodec.decode(MetadataCodec.encode(records)), img.offset(), img.epoch());
        assertEquals(img, loaded);
        assertEquals(img.scram(), loaded.scram());
        assertArrayEquals(img.scram().find("zed", SHA512).orElseThrow().serverKey(),
                loaded.scram().find("zed", SHA512).orElseThrow().serverKey());
        MetadataImage other = MetadataDelta.apply(MetadataDeltaTest.threeBrokersAndTopicA(), List.of(credential("alice", SHA256, 1, 4096),
                credential("alice", SHA512, 2, 8192), credential("zed", SHA512, 6, 16384)), 30, 5);
        assertFalse(img.equals(other), "images differing only in a key are not equal");
    }

    @Test
    void anEntryThatChangesNoCredentialKeepsTheSameCredentialsObject() {
        MetadataImage one = MetadataDelta.apply(MetadataImage.EMPTY, List.of(credential("alice", SHA256, 1, 4096)), 0, 1);
        MetadataImage two = MetadataDelta.apply(one, List.of(new MetadataRecord.NoOpRecord()), 1, 1);
        org.junit.jupiter.api.Assertions.assertSame(one.scram(), two.scram());
    }

    @Test
    void aSnapshotOfManyCredentialsLoadsWithoutCopyingThemPerRecord() {
        List<MetadataRecord> records = new java.util.ArrayList<>();
        int users = 20_000;
        for (int i = 0; i < users; i++) {
            records.add(credential("user-" + i, i % 2 == 0 ? SHA256 : SHA512, i, 4096));
        }
        MetadataSnapshot.load(records.subList(0, 2000), 5, 1); // warm-up
        long start = System.nanoTime();
        MetadataImage img = MetadataSnapshot.load(records, 5, 1);
        long ms = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("scram: a snapshot of %d credentials applied in %d ms%n", users, ms);
        assertEquals(users, img.scram().size());
        assertTrue(ms < 10_000, "applied in " + ms + " ms");
    }
}
