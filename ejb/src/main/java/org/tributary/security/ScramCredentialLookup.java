package org.tributary.security;

import java.util.Optional;
import org.apache.kafka.common.security.scram.ScramCredential;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;

/**
 * Where SCRAM logins find a user's stored credential (salt, stored key, server key, iterations).
 * The broker reads the current metadata image on every call, so credentials created or deleted
 * through the Kafka Admin API count from the next login on. Must not block.
 */
@FunctionalInterface
public interface ScramCredentialLookup {
    ScramCredentialLookup NONE = (user, mechanism) -> Optional.empty();

    Optional<ScramCredential> find(String user, ScramMechanism mechanism);
}
