package org.tributary.controller;

import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.message.AlterUserScramCredentialsRequestData;
import org.apache.kafka.common.message.AlterUserScramCredentialsRequestData.ScramCredentialDeletion;
import org.apache.kafka.common.message.AlterUserScramCredentialsRequestData.ScramCredentialUpsertion;
import org.apache.kafka.common.message.AlterUserScramCredentialsResponseData;
import org.apache.kafka.common.message.AlterUserScramCredentialsResponseData.AlterUserScramCredentialsResult;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.security.scram.internals.ScramFormatter;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.tributary.metadata.MetadataImage;
import org.tributary.metadata.MetadataRecord;
import org.tributary.metadata.MetadataRecord.RemoveUserScramCredentialRecord;
import org.tributary.metadata.MetadataRecord.UserScramCredentialRecord;
import org.tributary.metadata.ScramCredentials;

/**
 * The controller's SCRAM credential rules (KIP-554's AlterUserScramCredentials), decided as
 * Kafka's controller decides them, with one result per user:
 * <ul>
 * <li>a user may appear once per request: a second deletion or upsertion of the same user (any
 * mechanism) fails that user with DUPLICATE_RESOURCE and nothing of it is written;</li>
 * <li>an empty user name is UNACCEPTABLE_CREDENTIAL, a mechanism other than SCRAM-SHA-256/512
 * UNSUPPORTED_SASL_MECHANISM;</li>
 * <li>an upsertion needs 4096 to 16384 iterations (UNACCEPTABLE_CREDENTIAL "Too few/many
 * iterations"), and a non-empty salt and salted password;</li>
 * <li>deleting a credential that does not exist is RESOURCE_NOT_FOUND.</li>
 * </ul>
 * An upsertion's salted password becomes the stored key and the server key here, so the password
 * and the salted password are never written. All records of one request go in one entry; a user's
 * error leaves the other users' changes in. Stateless.
 */
final class ScramControl {
    private static final String DUPLICATE = "A user credential cannot be altered twice in the same request";

    private ScramControl() {
    }

    /** The records to append and the response, with one result per distinct user, in the order users first appear. */
    static ControllerResult<AlterUserScramCredentialsResponseData> alter(MetadataImage pending, AlterUserScramCredentialsRequestData req) {
        ScramCredentials current = pending.scram();
        Map<String, ApiError> results = new LinkedHashMap<>();
        Map<String, ScramCredentialDeletion> deletions = new HashMap<>();
        Map<String, ScramCredentialUpsertion> upsertions = new HashMap<>();
        for (ScramCredentialDeletion d : req.deletions()) {
            if (results.containsKey(d.name()) && !results.get(d.name()).isSuccess()) {
                continue;
            }
            if (deletions.remove(d.name()) != null) {
                results.put(d.name(), ApiError.of(Errors.DUPLICATE_RESOURCE, DUPLICATE));
                continue;
            }
            ApiError e = validateDeletion(current, d);
            results.put(d.name(), e);
            if (e.isSuccess()) {
                deletions.put(d.name(), d);
            }
        }
        for (ScramCredentialUpsertion u : req.upsertions()) {
            if (results.containsKey(u.name()) && !results.get(u.name()).isSuccess()) {
                continue;
            }
            if (deletions.remove(u.name()) != null || upsertions.remove(u.name()) != null) {
                results.put(u.name(), ApiError.of(Errors.DUPLICATE_RESOURCE, DUPLICATE));
                continue;
            }
            ApiError e = validateUpsertion(u);
            results.put(u.name(), e);
            if (e.isSuccess()) {
                upsertions.put(u.name(), u);
            }
        }
        List<MetadataRecord> records = new ArrayList<>();
        for (ScramCredentialDeletion d : req.deletions()) {
            if (deletions.remove(d.name(), d)) {
                records.add(new RemoveUserScramCredentialRecord(d.name(), mechanism(d.mechanism())));
            }
        }
        for (ScramCredentialUpsertion u : req.upsertions()) {
            if (upsertions.remove(u.name(), u)) {
                try {
                    records.add(credentialRecord(u));
                } catch (GeneralSecurityException | RuntimeException e) {
                    results.put(u.name(), ApiError.of(Errors.UNACCEPTABLE_CREDENTIAL, "The credential cannot be derived: "
                            + e.getClass().getSimpleName()));
                }
            }
        }
        AlterUserScramCredentialsResponseData resp = new AlterUserScramCredentialsResponseData();
        results.forEach((user, e) -> resp.results().add(new AlterUserScramCredentialsResult().setUser(user)
                .setErrorCode(e.error().code()).setErrorMessage(e.message())));
        return new ControllerResult<>(records, resp);
    }

    /** Kafka's internal mechanism for the request's type code, or null when it is not a SCRAM mechanism Kafka knows. */
    static ScramMechanism mechanism(byte type) {
        for (ScramMechanism m : ScramMechanism.values()) {
            if (m.type() == type) {
                return m;
            }
        }
        return null;
    }

    private static ApiError validateUserAndMechanism(String user, byte mechanism) {
        if (user == null || user.isEmpty()) {
            return ApiError.of(Errors.UNACCEPTABLE_CREDENTIAL, "Username must not be empty");
        }
        if (mechanism(mechanism) == null) {
            return ApiError.of(Errors.UNSUPPORTED_SASL_MECHANISM, "Unknown SCRAM mechanism");
        }
        return ApiError.NONE;
    }

    private static ApiError validateDeletion(ScramCredentials current, ScramCredentialDeletion d) {
        ApiError e = validateUserAndMechanism(d.name(), d.mechanism());
        if (!e.isSuccess()) {
            return e;
        }
        if (!current.contains(d.name(), mechanism(d.mechanism()))) {
            return ApiError.of(Errors.RESOURCE_NOT_FOUND, "Attempt to delete a user credential that does not exist");
        }
        return ApiError.NONE;
    }

    private static ApiError validateUpsertion(ScramCredentialUpsertion u) {
        ApiError e = validateUserAndMechanism(u.name(), u.mechanism());
        if (!e.isSuccess()) {
            return e;
        }
        ScramMechanism m = mechanism(u.mechanism());
        if (u.iterations() < m.minIterations()) {
            return ApiError.of(Errors.UNACCEPTABLE_CREDENTIAL, "Too few iterations");
        }
        if (u.iterations() > MetadataRecord.MAX_SCRAM_ITERATIONS) {
            return ApiError.of(Errors.UNACCEPTABLE_CREDENTIAL, "Too many iterations");
        }
        if (u.salt() == null || u.salt().length == 0 || u.saltedPassword() == null || u.saltedPassword().length == 0) {
            return ApiError.of(Errors.UNACCEPTABLE_CREDENTIAL, "The salt and the salted password must not be empty");
        }
        return ApiError.NONE;
    }

    /** The record of an upsertion: the stored key and server key derived from the salted password (RFC 5802). */
    private static UserScramCredentialRecord credentialRecord(ScramCredentialUpsertion u) throws GeneralSecurityException {
        ScramMechanism m = mechanism(u.mechanism());
        ScramFormatter f = new ScramFormatter(m);
        byte[] saltedPassword = u.saltedPassword();
        return new UserScramCredentialRecord(u.name(), m, u.salt(), f.storedKey(f.clientKey(saltedPassword)),
                f.serverKey(saltedPassword), u.iterations());
    }
}
