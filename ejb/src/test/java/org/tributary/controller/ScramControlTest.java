package org.tributary.controller;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.message.AlterUserScramCredentialsRequestData;
import org.apache.kafka.common.message.AlterUserScramCredentialsRequestData.ScramCredentialDeletion;
import org.apache.kafka.common.message.AlterUserScramCredentialsRequestData.ScramCredentialUpsertion;
import org.apache.kafka.common.message.AlterUserScramCredentialsResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.security.scram.ScramCredential;
import org.apache.kafka.common.security.scram.internals.ScramFormatter;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.junit.jupiter.api.Test;
import org.tributary.metadata.MetadataCodec;
import org.tributary.metadata.MetadataDelta;
import org.tributary.metadata.MetadataImage;
import org.tributary.metadata.MetadataRecord;
import org.tributary.metadata.MetadataRecord.UserScramCredentialRecord;

/** The controller's AlterUserScramCredentials rules, error by error, as Kafka's controller answers. */
class ScramControlTest {
    private static final byte SHA256 = 1;
    private static final byte SHA512 = 2;
    private static final byte[] SALT = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    static ScramCredentialUpsertion upsert(String user, byte mechanism, int iterations, String password) throws Exception {
        ScramMechanism m = mechanism == SHA512 ? ScramMechanism.SCRAM_SHA_512 : ScramMechanism.SCRAM_SHA_256;
        byte[] salted = new ScramFormatter(m).hi(ScramFormatter.normalize(password), SALT, Math.max(iterations, 1));
        return new ScramCredentialUpsertion().setName(user).setMechanism(mechanism).setIterations(iterations).setSalt(SALT)
                .setSaltedPassword(salted);
    }

    static ScramCredentialDeletion delete(String user, byte mechanism) {
        return new ScramCredentialDeletion().setName(user).setMechanism(mechanism);
    }

    private static ControllerResult<AlterUserScramCredentialsResponseData> alter(MetadataImage img, List<ScramCredentialDeletion> deletions,
            List<ScramCredentialUpsertion> upsertions) {
        return ScramControl.alter(img, new AlterUserScramCredentialsRequestData().setDeletions(deletions).setUpsertions(upsertions));
    }

    /** User to error name, in the response's order. */
    private static Map<String, String> errors(ControllerResult<AlterUserScramCredentialsResponseData> r) {
        Map<String, String> out = new LinkedHashMap<>();
        r.response().results().forEach(x -> out.put(x.user(), Errors.forCode(x.errorCode()).name()));
        return out;
    }

    private static String message(ControllerResult<AlterUserScramCredentialsResponseData> r, String user) {
        return r.response().results().stream().filter(x -> x.user().equals(user)).findFirst().orElseThrow().errorMessage();
    }

    private static MetadataImage apply(MetadataImage img, ControllerResult<?> r) {
        // through the codec, as every broker gets them
        return MetadataDelta.apply(img, MetadataCodec.decode(MetadataCodec.encode(r.records())), img.offset() + 1, 0);
    }

    @Test
    void anUpsertionStoresTheDerivedKeysThatAClientProofForThePasswordMatches() throws Exception {
        ControllerResult<AlterUserScramCredentialsResponseData> r = alter(MetadataImage.EMPTY, List.of(),
                List.of(upsert("alice", SHA256, 8192, "alice-secret"), upsert("bob", SHA512, 4096, "bob-secret")));
        assertEquals(Map.of("alice", "NONE", "bob", "NONE"), errors(r));
        assertNull(message(r, "alice"));
        MetadataImage img = apply(MetadataImage.EMPTY, r);
        for (String[] u : new String[][] {{"alice", "alice-secret", "SCRAM-SHA-256"}, {"bob", "bob-secret", "SCRAM-SHA-512"}}) {
            ScramMechanism m = ScramMechanism.forMechanismName(u[2]);
            ScramCredential stored = img.scram().find(u[0], m).orElseThrow();
            ScramFormatter f = new ScramFormatter(m);
            // what a SCRAM server checks: H(ClientKey) == StoredKey, and ServerKey for its own signature
            byte[] salted = f.saltedPassword(u[1], stored.salt(), stored.iterations());
            assertArrayEquals(f.storedKey(f.clientKey(salted)), stored.storedKey());
            assertArrayEquals(f.serverKey(salted), stored.serverKey());
            byte[] wrong = f.saltedPassword(u[1] + "!", stored.salt(), stored.iterations());
            assertFalse(Arrays.equals(f.storedKey(f.clientKey(wrong)), stored.storedKey()));
        }
        assertEquals(Map.of(ScramMechanism.SCRAM_SHA_256, 8192), img.scram().iterations("alice"));
        for (MetadataRecord rec : r.records()) {
            UserScramCredentialRecord c = (UserScramCredentialRecord) rec;
            byte[] salted = rec.equals(r.records().get(0)) ? upsert("alice", SHA256, 8192, "alice-secret").saltedPassword()
                    : upsert("bob", SHA512, 4096, "bob-secret").saltedPassword();
            assertFalse(Arrays.equals(salted, c.storedKey()) || Arrays.equals(salted, c.serverKey()), "the salted password is not stored");
        }
    }

    @Test
    void anUpsertionReplacesAnEarlierCredentialAndADeletionRemovesIt() throws Exception {
        MetadataImage img = apply(MetadataImage.EMPTY, alter(MetadataImage.EMPTY, List.of(),
                List.of(upsert("alice", SHA256, 4096, "one"))));
        img = apply(img, alter(img, List.of(), List.of(upsert("alice", SHA256, 10000, "two"))));
        assertEquals(Map.of(ScramMechanism.SCRAM_SHA_256, 10000), img.scram().iterations("alice"));
        img = apply(img, alter(img, List.of(), List.of(upsert("alice", SHA512, 4096, "three"))));
        ControllerResult<AlterUserScramCredentialsResponseData> r = alter(img, List.of(delete("alice", SHA256)), List.of());
        assertEquals(Map.of("alice", "NONE"), errors(r));
        img = apply(img, r);
        assertEquals(Map.of(ScramMechanism.SCRAM_SHA_512, 4096), img.scram().iterations("alice"));
        img = apply(img, alter(img, List.of(delete("alice", SHA512)), List.of()));
        assertTrue(img.scram().isEmpty());
    }

    @Test
    void anUnknownMechanismIsUnsupportedSaslMechanism() throws Exception {
        ControllerResult<AlterUserScramCredentialsResponseData> r = alter(MetadataImage.EMPTY, List.of(delete("bob", (byte) 0)),
                List.of(upsert("alice", SHA256, 4096, "p").setMechanism((byte) 3)));
        assertEquals(Map.of("bob", "UNSUPPORTED_SASL_MECHANISM", "alice", "UNSUPPORTED_SASL_MECHANISM"), errors(r));
        assertEquals("Unknown SCRAM mechanism", message(r, "alice"));
        assertTrue(r.records().isEmpty());
    }

    @Test
    void iterationsOutsideKafkasBoundsAreUnacceptable() throws Exception {
        ControllerResult<AlterUserScramCredentialsResponseData> r = alter(MetadataImage.EMPTY, List.of(), List.of(
                upsert("few", SHA256, 4095, "p"), upsert("many", SHA512, 16385, "p"), upsert("least", SHA256, 4096, "p"),
                upsert("most", SHA512, 16384, "p")));
        assertEquals(Map.of("few", "UNACCEPTABLE_CREDENTIAL", "many", "UNACCEPTABLE_CREDENTIAL", "least", "NONE", "most", "NONE"),
                errors(r));
        assertEquals("Too few iterations", message(r, "few"));
        assertEquals("Too many iterations", message(r, "many"));
        assertEquals(2, r.records().size(), "the valid users' credentials still go in");
    }

    @Test
    void anEmptyUserNameOrSaltIsUnacceptable() throws Exception {
        ControllerResult<AlterUserScramCredentialsResponseData> r = alter(MetadataImage.EMPTY, List.of(),
                List.of(upsert("", SHA256, 4096, "p")));
        assertEquals(Map.of("", "UNACCEPTABLE_CREDENTIAL"), errors(r));
        assertEquals("Username must not be empty", message(r, ""));
        r = alter(MetadataImage.EMPTY, List.of(delete("", SHA256)), List.of());
        assertEquals(Map.of("", "UNACCEPTABLE_CREDENTIAL"), errors(r));
        r = alter(MetadataImage.EMPTY, List.of(), List.of(upsert("a", SHA256, 4096, "p").setSalt(new byte[0]),
                upsert("b", SHA256, 4096, "p").setSaltedPassword(new byte[0])));
        assertEquals(Map.of("a", "UNACCEPTABLE_CREDENTIAL", "b", "UNACCEPTABLE_CREDENTIAL"), errors(r));
        assertTrue(r.records().isEmpty());
    }

    @Test
    void aUserTwiceInOneRequestIsADuplicateAndNothingOfItIsWritten() throws Exception {
        MetadataImage img = apply(MetadataImage.EMPTY, alter(MetadataImage.EMPTY, List.of(), List.of(upsert("dup-del", SHA256, 4096, "p"),
                upsert("both", SHA256, 4096, "p"))));
        ControllerResult<AlterUserScramCredentialsResponseData> r = alter(img,
                List.of(delete("dup-del", SHA256), delete("dup-del", SHA256), delete("both", SHA256)),
                List.of(upsert("both", SHA512, 4096, "p"), upsert("dup-up", SHA256, 4096, "p"), upsert("dup-up", SHA256, 8192, "q"),
                        upsert("two-mechs", SHA256, 4096, "p"), upsert("two-mechs", SHA512, 4096, "p"), upsert("fine", SHA256, 4096, "p")));
        assertEquals(Map.of("dup-del", "DUPLICATE_RESOURCE", "both", "DUPLICATE_RESOURCE", "dup-up", "DUPLICATE_RESOURCE",
                "two-mechs", "DUPLICATE_RESOURCE", "fine", "NONE"), errors(r));
        assertEquals("A user credential cannot be altered twice in the same request", message(r, "both"));
        assertEquals(List.of("dup-del", "both", "dup-up", "two-mechs", "fine"), List.copyOf(errors(r).keySet()),
                "one result per user, in the order users first appear");
        img = apply(img, r);
        assertEquals(List.of("both", "dup-del", "fine"), List.copyOf(img.scram().users()));
        assertEquals(Map.of(ScramMechanism.SCRAM_SHA_256, 4096), img.scram().iterations("both"), "neither the deletion nor the upsertion");
    }

    @Test
    void deletingACredentialThatDoesNotExistIsResourceNotFound() throws Exception {
        MetadataImage img = apply(MetadataImage.EMPTY, alter(MetadataImage.EMPTY, List.of(), List.of(upsert("alice", SHA256, 4096, "p"))));
        ControllerResult<AlterUserScramCredentialsResponseData> r = alter(img, List.of(delete("alice", SHA512), delete("nobody", SHA256)),
                List.of(upsert("alice", SHA256, 9999, "p")));
        assertEquals(Map.of("alice", "RESOURCE_NOT_FOUND", "nobody", "RESOURCE_NOT_FOUND"), errors(r));
        assertEquals("Attempt to delete a user credential that does not exist", message(r, "nobody"));
        assertTrue(r.records().isEmpty(), "a user whose deletion failed gets no upsertion either");
    }

    @Test
    void theControllerAnswersTheForwardedRequestWithTheSameRules() throws Exception {
        ControllerApis.Outcome o = ControllerApis.handle(new ClusterController(ControllerConfig.defaults(),
                ConfigValidator.ACCEPT_ALL, org.apache.kafka.common.Uuid::randomUuid, 0), MetadataImage.EMPTY, new AlterUserScramCredentialsRequestData()
                .setUpsertions(List.of(upsert("alice", SHA256, 4096, "p"), upsert("x", SHA256, 100, "p"))), "c", 0);
        assertEquals(1, o.records().size());
        AlterUserScramCredentialsResponseData resp = (AlterUserScramCredentialsResponseData) o.response().apply(MetadataImage.EMPTY);
        assertEquals(Errors.UNACCEPTABLE_CREDENTIAL.code(), resp.results().get(1).errorCode());
    }
}
