package org.tributary.security;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.sasl.SaslClient;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.message.SaslAuthenticateRequestData;
import org.apache.kafka.common.message.SaslAuthenticateResponseData;
import org.apache.kafka.common.message.SaslHandshakeRequestData;
import org.apache.kafka.common.message.SaslHandshakeResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.RequestUtils;
import org.apache.kafka.common.requests.ResponseHeader;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.security.scram.ScramCredential;
import org.apache.kafka.common.security.scram.ScramExtensionsCallback;
import org.apache.kafka.common.security.scram.internals.ScramFormatter;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.apache.kafka.common.security.scram.internals.ScramSaslClient;
import org.junit.jupiter.api.Test;
import org.tributary.network.Authenticator.Kind;
import org.tributary.network.Authenticator.Verdict;
import org.tributary.testing.FakeTime;

/** The SASL state machine on frames, driven by kafka-clients' own SASL clients, with injected time. */
class SaslAuthenticatorTest {
    private static final List<String> ENABLED = List.of("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512");
    private final FakeTime time = new FakeTime(1_000_000L);
    private final ScramCredential alice256;
    private final ScramCredential alice512;
    private int correlation;

    SaslAuthenticatorTest() throws Exception {
        alice256 = new ScramFormatter(ScramMechanism.SCRAM_SHA_256).generateCredential("alice-pw", 4096);
        alice512 = new ScramFormatter(ScramMechanism.SCRAM_SHA_512).generateCredential("alice-pw", 4096);
    }

    private SaslAuthenticator authenticator(long maxReauthMs) {
        ScramCredentialLookup scram = (user, m) -> user.equals("alice")
                ? Optional.of(m == ScramMechanism.SCRAM_SHA_256 ? alice256 : alice512) : Optional.empty();
        return new SaslAuthenticator(ENABLED, new SaslServers(Map.of("alice", "alice-pw", "bob", "bob-pw"), scram), maxReauthMs, 100,
                time::nanoseconds);
    }

    private ByteBuffer frame(ApiKeys api, short version, ApiMessage body) {
        RequestHeaderData h = new RequestHeaderData().setRequestApiKey(api.id).setRequestApiVersion(version).setClientId("test")
                .setCorrelationId(++correlation);
        return RequestUtils.serialize(h, api.requestHeaderVersion(version), body, version);
    }

    private static ByteBuffer body(Verdict v, ApiKeys api, short version) {
        ByteBuffer b = v.response().duplicate();
        assertEquals(b.remaining() - 4, b.getInt(), "size prefix");
        ResponseHeader.parse(b, api.responseHeaderVersion(version));
        return b;
    }

    private Verdict handshake(SaslAuthenticator a, String mechanism) {
        return a.onFrame(frame(ApiKeys.SASL_HANDSHAKE, (short) 1, new SaslHandshakeRequestData().setMechanism(mechanism)));
    }

    private Verdict authenticate(SaslAuthenticator a, short version, byte[] token) {
        return a.onFrame(frame(ApiKeys.SASL_AUTHENTICATE, version, new SaslAuthenticateRequestData().setAuthBytes(token)));
    }

    private static SaslAuthenticateResponseData authResponse(Verdict v, short version) {
        return new SaslAuthenticateResponseData(new ByteBufferAccessor(body(v, ApiKeys.SASL_AUTHENTICATE, version)), version);
    }

    private static byte[] plain(String user, String password) {
        return ("\u0000" + user + "\u0000" + password).getBytes(StandardCharsets.UTF_8);
    }

    /** Runs a full SCRAM exchange; returns the last verdict. */
    private Verdict scram(SaslAuthenticator a, ScramMechanism m, String user, String password) throws Exception {
        SaslClient client = new ScramSaslClient(m, callbacks -> {
            for (Callback c : callbacks) {
                if (c instanceof NameCallback n) {
                    n.setName(user);
                } else if (c instanceof PasswordCallback p) {
                    p.setPassword(password.toCharArray());
                } else if (!(c instanceof ScramExtensionsCallback)) {
                    throw new javax.security.auth.callback.UnsupportedCallbackException(c);
                }
            }
        });
        assertEquals(Kind.RESPOND, handshake(a, m.mechanismName()).kind());
        Verdict v = authenticate(a, (short) 2, client.evaluateChallenge(new byte[0]));
        if (v.kind() != Kind.RESPOND) {
            return v;
        }
        v = authenticate(a, (short) 2, client.evaluateChallenge(authResponse(v, (short) 2).authBytes()));
        if (v.kind() == Kind.RESPOND) {
            assertNull(client.evaluateChallenge(authResponse(v, (short) 2).authBytes()), "the client accepts the server's signature");
            assertTrue(client.isComplete());
        }
        return v;
    }

    @Test
    void apiVersionsPassesAndPlainLogsTheUserIn() {
        SaslAuthenticator a = authenticator(0);
        assertEquals(Kind.PASS, a.onFrame(frame(ApiKeys.API_VERSIONS, (short) 3, new ApiVersionsRequestData())).kind());
        Verdict hs = handshake(a, "PLAIN");
        assertEquals(Kind.RESPOND, hs.kind());
        SaslHandshakeResponseData h = new SaslHandshakeResponseData(new ByteBufferAccessor(body(hs, ApiKeys.SASL_HANDSHAKE, (short) 1)),
                (short) 1);
        assertEquals(Errors.NONE.code(), h.errorCode());
        assertEquals(ENABLED, h.mechanisms());
        Verdict done = authenticate(a, (short) 2, plain("alice", "alice-pw"));
        assertEquals(Kind.RESPOND, done.kind());
        assertEquals(new KafkaPrincipal("User", "alice"), done.principal());
        assertEquals(0, authResponse(done, (short) 2).sessionLifetimeMs());
        assertEquals(Kind.PASS, a.onFrame(frame(ApiKeys.METADATA, (short) 12, new MetadataRequestData())).kind());
        time.advance(365L * 24 * 3600 * 1000);
        assertEquals(Kind.PASS, a.onFrame(frame(ApiKeys.METADATA, (short) 12, new MetadataRequestData())).kind(),
                "without connections.max.reauth.ms a session never expires");
    }

    @Test
    void aWrongPasswordOrUnknownUserFailsWithKafkasMessageAfterTheDelay() {
        for (String[] up : new String[][] {{"alice", "wrong"}, {"mallory", "alice-pw"}}) {
            SaslAuthenticator a = authenticator(0);
            handshake(a, "PLAIN");
            Verdict v = authenticate(a, (short) 2, plain(up[0], up[1]));
            assertEquals(Kind.FAIL, v.kind());
            assertEquals(100, v.delayMs());
            SaslAuthenticateResponseData r = authResponse(v, (short) 2);
            assertEquals(Errors.SASL_AUTHENTICATION_FAILED.code(), r.errorCode());
            assertEquals("Authentication failed: Invalid username or password", r.errorMessage());
            assertFalse(v.reason().contains(up[1]), "no password in the log line: " + v.reason());
            assertEquals(Kind.CLOSE, a.onFrame(frame(ApiKeys.METADATA, (short) 12, new MetadataRequestData())).kind());
        }
    }

    @Test
    void anUnknownMechanismGetsTheEnabledList() {
        SaslAuthenticator a = authenticator(0);
        Verdict v = handshake(a, "GSSAPI");
        assertEquals(Kind.FAIL, v.kind());
        SaslHandshakeResponseData h = new SaslHandshakeResponseData(new ByteBufferAccessor(body(v, ApiKeys.SASL_HANDSHAKE, (short) 1)),
                (short) 1);
        assertEquals(Errors.UNSUPPORTED_SASL_MECHANISM.code(), h.errorCode());
        assertEquals(ENABLED, h.mechanisms());
    }

    @Test
    void anyOtherRequestBeforeAuthenticationClosesWithoutAnswer() {
        SaslAuthenticator a = authenticator(0);
        Verdict v = a.onFrame(frame(ApiKeys.METADATA, (short) 12, new MetadataRequestData()));
        assertEquals(Kind.CLOSE, v.kind());
        assertNull(v.response());
        SaslAuthenticator b = authenticator(0);
        handshake(b, "PLAIN");
        assertEquals(Kind.CLOSE, b.onFrame(frame(ApiKeys.API_VERSIONS, (short) 3, new ApiVersionsRequestData())).kind(),
                "after the handshake only SaslAuthenticate");
        SaslAuthenticator c = authenticator(0);
        assertEquals(Kind.CLOSE, c.onFrame(ByteBuffer.wrap(new byte[] {0x60, 1, 2})).kind(), "not a Kafka request");
    }

    @Test
    void scramVerifiesAgainstTheStoredCredential() throws Exception {
        for (ScramMechanism m : ScramMechanism.values()) {
            Verdict ok = scram(authenticator(0), m, "alice", "alice-pw");
            assertEquals(Kind.RESPOND, ok.kind(), m.mechanismName());
            assertEquals(new KafkaPrincipal("User", "alice"), ok.principal());

            Verdict wrong = scram(authenticator(0), m, "alice", "not-her-pw");
            assertEquals(Kind.FAIL, wrong.kind());
            assertEquals("Authentication failed during authentication due to invalid credentials with SASL mechanism " + m.mechanismName(),
                    authResponse(wrong, (short) 2).errorMessage());

            Verdict unknown = scram(authenticator(0), m, "mallory", "x");
            assertEquals(Kind.FAIL, unknown.kind());
            assertEquals(Errors.SASL_AUTHENTICATION_FAILED.code(), authResponse(unknown, (short) 2).errorCode());
        }
    }

    @Test
    void aSessionExpiresAfterTheMaxReauthTimeUnlessTheClientReauthenticates() throws Exception {
        SaslAuthenticator a = authenticator(1_000);
        Verdict first = scram(a, ScramMechanism.SCRAM_SHA_512, "alice", "alice-pw");
        assertEquals(1_000, authResponse(first, (short) 2).sessionLifetimeMs());
        time.advance(900);
        assertEquals(Kind.PASS, a.onFrame(frame(ApiKeys.METADATA, (short) 12, new MetadataRequestData())).kind());
        Verdict again = scram(a, ScramMechanism.SCRAM_SHA_512, "alice", "alice-pw");
        assertEquals(Kind.RESPOND, again.kind(), "re-authentication on the live connection");
        time.advance(900);
        assertEquals(Kind.PASS, a.onFrame(frame(ApiKeys.METADATA, (short) 12, new MetadataRequestData())).kind(),
                "the new session runs from the re-authentication");
        time.advance(200);
        Verdict expired = a.onFrame(frame(ApiKeys.METADATA, (short) 12, new MetadataRequestData()));
        assertEquals(Kind.CLOSE, expired.kind());
        assertTrue(expired.reason().contains("expired"), expired.reason());
    }

    @Test
    void handshakeVersionZeroExchangesBareTokens() {
        SaslAuthenticator a = authenticator(0);
        assertEquals(Kind.RESPOND, a.onFrame(frame(ApiKeys.SASL_HANDSHAKE, (short) 0,
                new SaslHandshakeRequestData().setMechanism("PLAIN"))).kind());
        Verdict v = a.onFrame(ByteBuffer.wrap(plain("alice", "alice-pw")));
        assertEquals(Kind.RESPOND, v.kind());
        assertEquals(0, v.response().getInt(0), "PLAIN's empty server token, size-prefixed");
        assertEquals(new KafkaPrincipal("User", "alice"), v.principal());

        SaslAuthenticator b = authenticator(0);
        b.onFrame(frame(ApiKeys.SASL_HANDSHAKE, (short) 0, new SaslHandshakeRequestData().setMechanism("PLAIN")));
        Verdict wrong = b.onFrame(ByteBuffer.wrap(plain("alice", "nope")));
        assertEquals(Kind.FAIL, wrong.kind());
        assertNull(wrong.response(), "v0 has no error frame: the connection closes after the delay");
    }

    @Test
    void reauthenticationMayNotChangeThePrincipal() {
        SaslAuthenticator a = authenticator(1_000);
        handshake(a, "PLAIN");
        assertEquals(Kind.RESPOND, authenticate(a, (short) 2, plain("alice", "alice-pw")).kind());
        handshake(a, "PLAIN");
        Verdict v = authenticate(a, (short) 2, plain("bob", "bob-pw"));
        assertEquals(Kind.FAIL, v.kind());
        assertEquals("Cannot change principals during re-authentication from User.alice: User.bob",
                authResponse(v, (short) 2).errorMessage());
    }

    @Test
    void aVersionZeroClientIsNotToldTheLifetimeButItsSessionEndsAllTheSame() {
        SaslAuthenticator a = authenticator(1_000);
        handshake(a, "PLAIN");
        Verdict v = authenticate(a, (short) 0, plain("alice", "alice-pw"));
        assertEquals(Kind.RESPOND, v.kind());
        assertArrayEquals(new byte[0], authResponse(v, (short) 0).authBytes());
        time.advance(999);
        assertEquals(Kind.PASS, a.onFrame(frame(ApiKeys.METADATA, (short) 12, new MetadataRequestData())).kind());
        time.advance(1);
        assertEquals(Kind.CLOSE, a.onFrame(frame(ApiKeys.METADATA, (short) 12, new MetadataRequestData())).kind());
    }

    @Test
    void reauthenticationWithAnotherMechanismFails() throws Exception {
        SaslAuthenticator a = authenticator(1_000);
        handshake(a, "PLAIN");
        assertEquals(Kind.RESPOND, authenticate(a, (short) 2, plain("alice", "alice-pw")).kind());
        assertEquals(Kind.RESPOND, handshake(a, "SCRAM-SHA-256").kind());
        Verdict v = authenticate(a, (short) 2, new byte[] {1});
        assertEquals(Kind.FAIL, v.kind());
        assertEquals("SASL mechanism 'SCRAM-SHA-256' requested by client is not supported for re-authentication of mechanism 'PLAIN'",
                authResponse(v, (short) 2).errorMessage());
    }
}
