package org.tributary.metadata;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.security.scram.ScramCredential;
import org.apache.kafka.common.security.scram.internals.ScramFormatter;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.junit.jupiter.api.Test;

/** The lookup the SCRAM authenticator uses: by user and mechanism, immutable, by value, secrets never in text. */
class ScramCredentialsTest {
    private static final ScramMechanism SHA256 = ScramMechanism.SCRAM_SHA_256;
    private static final ScramMechanism SHA512 = ScramMechanism.SCRAM_SHA_512;

    private static ScramCredential credential(ScramMechanism m, String password, int iterations) throws Exception {
        return new ScramFormatter(m).generateCredential(password, iterations);
    }

    @Test
    void findsByUserAndMechanismOnly() throws Exception {
        assertTrue(ScramCredentials.EMPTY.find("alice", SHA256).isEmpty());
        ScramCredential c = credential(SHA256, "pw", 4096);
        ScramCredentials s = ScramCredentials.EMPTY.with("alice", SHA256, c);
        ScramCredential found = s.find("alice", SHA256).orElseThrow();
        assertArrayEquals(c.salt(), found.salt());
        assertArrayEquals(c.storedKey(), found.storedKey());
        assertArrayEquals(c.serverKey(), found.serverKey());
        assertEquals(4096, found.iterations());
        assertTrue(s.find("alice", SHA512).isEmpty());
        assertTrue(s.find("Alice", SHA256).isEmpty(), "user names are exact");
        assertTrue(s.find(null, SHA256).isEmpty());
        assertTrue(s.find("alice", null).isEmpty());
        assertTrue(ScramCredentials.EMPTY.isEmpty(), "adding made a new object");
    }

    @Test
    void neitherTheCallerThatAddedNorTheOneThatFoundCanChangeAStoredKey() throws Exception {
        ScramCredential c = credential(SHA512, "pw", 8192);
        byte[] key = c.storedKey().clone();
        ScramCredentials s = ScramCredentials.EMPTY.with("bob", SHA512, c);
        c.storedKey()[0] ^= 1;
        s.find("bob", SHA512).orElseThrow().storedKey()[1] ^= 1;
        assertArrayEquals(key, s.find("bob", SHA512).orElseThrow().storedKey());
    }

    @Test
    void listsUsersAndIterationsAndRemovesPerMechanism() throws Exception {
        ScramCredentials s = ScramCredentials.EMPTY.with("zed", SHA256, credential(SHA256, "a", 4096))
                .with("amy", SHA512, credential(SHA512, "b", 5000)).with("amy", SHA256, credential(SHA256, "c", 6000));
        assertEquals(List.of("amy", "zed"), List.copyOf(s.users()));
        assertEquals(Map.of(SHA256, 6000, SHA512, 5000), s.iterations("amy"));
        assertEquals(Map.of(), s.iterations("nobody"));
        assertEquals(3, s.size());
        ScramCredentials fewer = s.without("amy", SHA512);
        assertEquals(Map.of(SHA256, 6000), fewer.iterations("amy"));
        assertEquals(List.of("zed"), List.copyOf(fewer.without("amy", SHA256).users()));
        assertSame(fewer, fewer.without("nobody", SHA256));
        assertEquals(3, s.size(), "unchanged");
    }

    @Test
    void equalityIsByTheBytesAndTheTextHidesThem() throws Exception {
        ScramCredential c = credential(SHA256, "pw", 4096);
        ScramCredential copy = new ScramCredential(c.salt().clone(), c.storedKey().clone(), c.serverKey().clone(), 4096);
        ScramCredentials a = ScramCredentials.EMPTY.with("u", SHA256, c);
        assertEquals(a, ScramCredentials.EMPTY.with("u", SHA256, copy));
        assertEquals(a.hashCode(), ScramCredentials.EMPTY.with("u", SHA256, copy).hashCode());
        assertNotEquals(a, ScramCredentials.EMPTY.with("u", SHA256, credential(SHA256, "pw", 4096)), "another salt");
        String text = a.toString();
        assertTrue(text.contains("u: SCRAM-SHA-256"), text);
        for (byte[] secret : List.of(c.salt(), c.storedKey(), c.serverKey())) {
            assertFalse(text.contains(HexFormat.of().formatHex(secret)), text);
            assertFalse(text.contains(java.util.Base64.getEncoder().encodeToString(secret)), text);
        }
    }
}
