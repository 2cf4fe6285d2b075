package org.tributary.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.CallbackHandler;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.sasl.SaslException;
import javax.security.sasl.SaslServer;
import org.apache.kafka.common.security.plain.PlainAuthenticateCallback;
import org.apache.kafka.common.security.plain.internals.PlainSaslServer;
import org.apache.kafka.common.security.scram.ScramCredentialCallback;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.apache.kafka.common.security.scram.internals.ScramSaslServer;
import org.apache.kafka.common.security.token.delegation.internals.DelegationTokenCredentialCallback;

/**
 * Creates the server side of one SASL exchange: kafka-clients' own {@link PlainSaslServer} and
 * {@link ScramSaslServer} (RFC 5802: the client's proof is checked against the stored key; the
 * server never sees or derives the password), with callback handlers of ours (KIP-86) that answer
 * from the listener's PLAIN users and the cluster's SCRAM credentials. Delegation tokens are not
 * supported: a token login fails like a wrong password. Both servers cost a few hashes per
 * exchange, so they run on the network thread. Immutable and thread-safe; each created server
 * belongs to one connection.
 */
public final class SaslServers {
    private final Map<String, String> plainUsers;
    private final ScramCredentialLookup scram;

    public SaslServers(Map<String, String> plainUsers, ScramCredentialLookup scram) {
        this.plainUsers = Map.copyOf(plainUsers);
        this.scram = scram;
    }

    /** A fresh server for {@code mechanism} (PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512). */
    public SaslServer create(String mechanism) throws SaslException {
        if (mechanism.equals(PlainSaslServer.PLAIN_MECHANISM)) {
            return new PlainSaslServer(this::plain);
        }
        ScramMechanism m = ScramMechanism.forMechanismName(mechanism);
        if (m == null) {
            throw new SaslException("unsupported mechanism " + mechanism);
        }
        try {
            return new ScramSaslServer(m, Map.of(), scramHandler(m));
        } catch (NoSuchAlgorithmException e) {
            throw new SaslException("no " + m.hashAlgorithm() + " in this JVM", e);
        }
    }

    /** PLAIN: the password is compared in constant time; an unknown user costs the same comparison. */
    private void plain(Callback[] callbacks) throws UnsupportedCallbackException {
        String user = null;
        for (Callback c : callbacks) {
            if (c instanceof NameCallback n) {
                user = n.getDefaultName();
            } else if (c instanceof PlainAuthenticateCallback p) {
                String expected = user == null ? null : plainUsers.get(user);
                byte[] given = new String(p.password()).getBytes(StandardCharsets.UTF_8);
                byte[] want = (expected == null ? "\u0000unknown-user" : expected).getBytes(StandardCharsets.UTF_8);
                p.authenticated(MessageDigest.isEqual(given, want) && expected != null);
            } else {
                throw new UnsupportedCallbackException(c);
            }
        }
    }

    private CallbackHandler scramHandler(ScramMechanism mechanism) {
        return callbacks -> {
            String user = null;
            for (Callback c : callbacks) {
                if (c instanceof NameCallback n) {
                    user = n.getDefaultName();
                } else if (c instanceof DelegationTokenCredentialCallback) {
                    throw new UnsupportedCallbackException(c, "delegation tokens are not supported");
                } else if (c instanceof ScramCredentialCallback s) {
                    s.scramCredential(user == null ? null : scram.find(user, mechanism).orElse(null));
                } else {
                    throw new UnsupportedCallbackException(c);
                }
            }
        };
    }
}
