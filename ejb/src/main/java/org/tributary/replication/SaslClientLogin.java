package org.tributary.replication;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.sasl.SaslClient;
import javax.security.sasl.SaslException;
import org.apache.kafka.common.message.SaslAuthenticateRequestData;
import org.apache.kafka.common.message.SaslAuthenticateResponseData;
import org.apache.kafka.common.message.SaslHandshakeRequestData;
import org.apache.kafka.common.message.SaslHandshakeResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.security.scram.ScramExtensionsCallback;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.apache.kafka.common.security.scram.internals.ScramSaslClient;
import org.tributary.config.SaslConfig;

/**
 * The client side of a SASL login on a fresh broker-to-broker connection, as kafka-clients does it:
 * SaslHandshake v1 with the mechanism, then SaslAuthenticate v2 rounds until the exchange is
 * complete (PLAIN: one token; SCRAM: kafka-clients' {@link ScramSaslClient}, which also checks the
 * server's signature). Returns the session lifetime the peer granted (0: none). A refusal is an
 * {@link IOException} naming the mechanism and the peer's message, never the password.
 */
final class SaslClientLogin {
    /** One blocking request/response on the channel being set up. */
    @FunctionalInterface
    interface Exchange {
        <R> R send(ApiKeys api, short version, org.apache.kafka.common.protocol.ApiMessage body, BrokerChannel.Parser<R> parser)
                throws IOException;
    }

    private SaslClientLogin() {
    }

    static long login(Exchange exchange, SaslConfig.Client client) throws IOException {
        SaslHandshakeResponseData hs = exchange.send(ApiKeys.SASL_HANDSHAKE, (short) 1,
                new SaslHandshakeRequestData().setMechanism(client.mechanism()), SaslHandshakeResponseData::new);
        if (hs.errorCode() != Errors.NONE.code()) {
            throw new IOException("SASL handshake for " + client.mechanism() + " refused: " + Errors.forCode(hs.errorCode())
                    + " (the peer enables " + hs.mechanisms() + ")");
        }
        SaslClient sasl = saslClient(client);
        try {
            byte[] token = sasl.hasInitialResponse() ? sasl.evaluateChallenge(new byte[0]) : new byte[0];
            while (true) {
                SaslAuthenticateResponseData r = exchange.send(ApiKeys.SASL_AUTHENTICATE, (short) 2,
                        new SaslAuthenticateRequestData().setAuthBytes(token), SaslAuthenticateResponseData::new);
                if (r.errorCode() != Errors.NONE.code()) {
                    throw new IOException("SASL " + client.mechanism() + " login as " + client.username() + " failed: "
                            + Errors.forCode(r.errorCode()) + " " + r.errorMessage());
                }
                if (sasl.isComplete()) {
                    return r.sessionLifetimeMs();
                }
                token = sasl.evaluateChallenge(r.authBytes());
                if (sasl.isComplete() && token == null) {
                    return r.sessionLifetimeMs();
                }
            }
        } catch (SaslException e) {
            throw new IOException("SASL " + client.mechanism() + " login as " + client.username() + " failed: " + e.getMessage(), e);
        } finally {
            sasl.dispose();
        }
    }

    private static SaslClient saslClient(SaslConfig.Client client) throws IOException {
        if (client.mechanism().equals(SaslConfig.PLAIN)) {
            return new PlainClient(client.username(), client.password());
        }
        try {
            return new ScramSaslClient(ScramMechanism.forMechanismName(client.mechanism()), callbacks -> {
                for (Callback c : callbacks) {
                    if (c instanceof NameCallback n) {
                        n.setName(client.username());
                    } else if (c instanceof PasswordCallback p) {
                        p.setPassword(client.password().toCharArray());
                    } else if (!(c instanceof ScramExtensionsCallback)) {
                        throw new UnsupportedCallbackException(c);
                    }
                }
            });
        } catch (NoSuchAlgorithmException e) {
            throw new IOException("no hash for " + client.mechanism() + " in this JVM", e);
        }
    }

    /** PLAIN (RFC 4616): one message, {@code \0user\0password}, no authorization id. */
    private static final class PlainClient implements SaslClient {
        private final String user;
        private final String password;
        private boolean complete;

        PlainClient(String user, String password) {
            this.user = user;
            this.password = password;
        }

        @Override
        public String getMechanismName() {
            return SaslConfig.PLAIN;
        }

        @Override
        public boolean hasInitialResponse() {
            return true;
        }

        @Override
        public byte[] evaluateChallenge(byte[] challenge) {
            if (complete) {
                return null;
            }
            complete = true;
            return ("\u0000" + user + "\u0000" + password).getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public boolean isComplete() {
            return complete;
        }

        @Override
        public byte[] unwrap(byte[] incoming, int offset, int len) {
            throw new IllegalStateException("PLAIN has no security layer");
        }

        @Override
        public byte[] wrap(byte[] outgoing, int offset, int len) {
            throw new IllegalStateException("PLAIN has no security layer");
        }

        @Override
        public Object getNegotiatedProperty(String propName) {
            return null;
        }

        @Override
        public void dispose() {
        }
    }
}
