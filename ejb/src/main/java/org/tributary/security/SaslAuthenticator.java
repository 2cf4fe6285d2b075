package org.tributary.security;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.LongSupplier;
import javax.security.sasl.SaslException;
import javax.security.sasl.SaslServer;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.message.SaslAuthenticateRequestData;
import org.apache.kafka.common.message.SaslAuthenticateResponseData;
import org.apache.kafka.common.message.SaslHandshakeRequestData;
import org.apache.kafka.common.message.SaslHandshakeResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.RequestUtils;
import org.apache.kafka.common.requests.ResponseHeader;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.tributary.network.Authenticator;

/**
 * The broker side of SASL on one connection, as Kafka's SaslServerAuthenticator behaves on the
 * wire (KIP-43 handshake, KIP-152 SaslAuthenticate, KIP-368 re-authentication):
 *
 * <pre>
 *   AWAIT_HANDSHAKE --SaslHandshake v1, enabled mechanism--> AWAIT_AUTHENTICATE
 *   AWAIT_AUTHENTICATE --SaslAuthenticate, exchange complete--> AUTHENTICATED (principal User:name)
 *   AUTHENTICATED --SaslHandshake (re-authentication, same mechanism and principal)--> AWAIT_AUTHENTICATE
 *   any state --failure--> FAILED (the failure answer is delayed, then the connection closes)
 * </pre>
 *
 * Before authentication only ApiVersions (passed on to the request layer), SaslHandshake and
 * SaslAuthenticate are accepted; anything else closes the connection without an answer. With
 * {@code connections.max.reauth.ms} &gt; 0 every session ends after that long (a client that sent
 * SaslAuthenticate v1+ is told the lifetime, KIP-368); once it has passed, any request other than
 * SaslHandshake (a re-authentication, same mechanism and principal) closes the connection.
 * SaslHandshake v0 (bare SASL tokens after the handshake, for clients before KIP-152) is served
 * too: librdkafka requires v0 to be advertised before it uses v1 with SaslAuthenticate. Not thread-safe: one network thread owns it. Time is injected.
 */
public final class SaslAuthenticator implements Authenticator {

    /** Where the exchange stands. */
    enum State {
        AWAIT_HANDSHAKE, AWAIT_AUTHENTICATE, AUTHENTICATED, FAILED
    }

    private final List<String> mechanisms;
    private final SaslServers servers;
    private final long maxReauthMs;
    private final long failureDelayMs;
    private final LongSupplier nanoTime;
    private State state = State.AWAIT_HANDSHAKE;
    private String mechanism;
    private SaslServer server;
    private KafkaPrincipal principal;
    private boolean reauthenticating;
    /** Set when a re-authentication asked for another mechanism: its SaslAuthenticate fails with this message. */
    private String badMechanism;
    /** After SaslHandshake v0: the frames that follow are bare SASL tokens, answered with bare tokens (pre-KIP-152). */
    private boolean rawTokens;
    /** When the session ends (System.nanoTime() scale); only meaningful when {@link #sessionExpires}. */
    private long sessionEndNanos;
    private boolean sessionExpires;

    public SaslAuthenticator(List<String> mechanisms, SaslServers servers, long maxReauthMs, long failureDelayMs, LongSupplier nanoTime) {
        this.mechanisms = List.copyOf(mechanisms);
        this.servers = servers;
        this.maxReauthMs = maxReauthMs;
        this.failureDelayMs = failureDelayMs;
        this.nanoTime = nanoTime;
    }

    State state() {
        return state;
    }

    @Override
    public Verdict onFrame(ByteBuffer frame) {
        ByteBuffer buf = frame.duplicate();
        if (state == State.AWAIT_AUTHENTICATE && rawTokens) {
            return rawToken(buf);
        }
        RequestHeader header;
        try {
            header = RequestHeader.parse(buf);
        } catch (RuntimeException e) {
            state = State.FAILED;
            return Verdict.close("not a Kafka request on a SASL listener (a client configured for another security protocol?)");
        }
        ApiKeys key = header.apiKey();
        switch (state) {
            case AUTHENTICATED:
                if (key == ApiKeys.SASL_HANDSHAKE) {
                    reauthenticating = true;
                    return handshake(header, buf);
                }
                if (sessionExpires && nanoTime.getAsLong() - sessionEndNanos >= 0) {
                    state = State.FAILED;
                    return Verdict.close("the SASL session of " + principal + " expired (connections.max.reauth.ms=" + maxReauthMs
                            + ") and the client sent " + key + " instead of re-authenticating");
                }
                return Verdict.PASS;
            case AWAIT_HANDSHAKE:
                if (key == ApiKeys.API_VERSIONS && !reauthenticating) {
                    return Verdict.PASS;
                }
                if (key == ApiKeys.SASL_HANDSHAKE) {
                    return handshake(header, buf);
                }
                state = State.FAILED;
                return Verdict.close("unexpected " + key + " request before SASL authentication");
            case AWAIT_AUTHENTICATE:
                if (key == ApiKeys.SASL_AUTHENTICATE) {
                    return authenticate(header, buf);
                }
                state = State.FAILED;
                return Verdict.close("unexpected " + key + " request during SASL authentication");
            default:
                return Verdict.close("request after a failed SASL authentication");
        }
    }

    private Verdict handshake(RequestHeader header, ByteBuffer body) {
        short version = header.apiVersion();
        if (version > 1 || (version == 0 && reauthenticating)) {
            state = State.FAILED;
            return Verdict.close("SaslHandshake v" + version + (version == 0 ? " cannot re-authenticate" : " is not supported"));
        }
        SaslHandshakeRequestData request;
        try {
            request = new SaslHandshakeRequestData(new ByteBufferAccessor(body), version);
        } catch (RuntimeException e) {
            state = State.FAILED;
            return Verdict.close("malformed SaslHandshake: " + e.getMessage());
        }
        String wanted = request.mechanism();
        if (!mechanisms.contains(wanted)) {
            state = State.FAILED;
            return Verdict.fail(encode(header, new SaslHandshakeResponseData().setErrorCode(Errors.UNSUPPORTED_SASL_MECHANISM.code())
                    .setMechanisms(mechanisms)), failureDelayMs, "unsupported SASL mechanism '" + printable(wanted) + "' (enabled: "
                    + mechanisms + ")");
        }
        if (reauthenticating && !wanted.equals(mechanism)) {
            // as Kafka: the handshake is answered, the SaslAuthenticate that follows fails
            badMechanism = "SASL mechanism '" + printable(wanted) + "' requested by client is not supported for re-authentication of "
                    + "mechanism '" + mechanism + "'";
            state = State.AWAIT_AUTHENTICATE;
            return Verdict.respond(encode(header, new SaslHandshakeResponseData().setErrorCode(Errors.NONE.code())
                    .setMechanisms(mechanisms)), null);
        }
        try {
            server = servers.create(wanted);
        } catch (SaslException e) {
            state = State.FAILED;
            return Verdict.close("no SASL server for " + wanted + ": " + e.getMessage());
        }
        mechanism = wanted;
        rawTokens = version == 0;
        state = State.AWAIT_AUTHENTICATE;
        return Verdict.respond(encode(header, new SaslHandshakeResponseData().setErrorCode(Errors.NONE.code())
                .setMechanisms(mechanisms)), null);
    }

    private Verdict authenticate(RequestHeader header, ByteBuffer body) {
        short version = header.apiVersion();
        if (version < 0 || version > 2) {
            state = State.FAILED;
            return Verdict.close("SaslAuthenticate v" + version + " is not supported (v0-v2 are)");
        }
        SaslAuthenticateRequestData request;
        try {
            request = new SaslAuthenticateRequestData(new ByteBufferAccessor(body), version);
        } catch (RuntimeException e) {
            state = State.FAILED;
            return Verdict.close("malformed SaslAuthenticate: " + e.getMessage());
        }
        if (badMechanism != null) {
            return failed(header, badMechanism);
        }
        byte[] token;
        try {
            token = server.evaluateResponse(request.authBytes());
        } catch (SaslAuthenticationException e) {
            return failed(header, e.getMessage());
        } catch (SaslException | RuntimeException e) {
            // like Kafka: the client learns nothing more specific (e.g. whether the user exists)
            return failed(header, "Authentication failed during " + (reauthenticating ? "re-authentication" : "authentication")
                    + " due to invalid credentials with SASL mechanism " + mechanism);
        }
        SaslAuthenticateResponseData response = new SaslAuthenticateResponseData().setErrorCode(Errors.NONE.code())
                .setAuthBytes(token == null ? new byte[0] : token);
        if (!server.isComplete()) {
            return Verdict.respond(encode(header, response), null);
        }
        KafkaPrincipal who = new KafkaPrincipal(KafkaPrincipal.USER_TYPE, server.getAuthorizationID());
        dispose();
        if (reauthenticating && !who.equals(principal)) {
            return failed(header, "Cannot change principals during re-authentication from " + principal.getPrincipalType() + "."
                    + principal.getName() + ": " + who.getPrincipalType() + "." + who.getName());
        }
        principal = who;
        reauthenticating = false;
        state = State.AUTHENTICATED;
        sessionExpires = maxReauthMs > 0;
        if (sessionExpires) {
            // as Kafka: the session ends for every client; only v1+ can be told (and re-authenticate)
            sessionEndNanos = nanoTime.getAsLong() + maxReauthMs * 1_000_000L;
            if (version > 0) {
                response.setSessionLifetimeMs(maxReauthMs);
            }
        }
        return Verdict.respond(encode(header, response), who);
    }

    /** SaslHandshake v0's exchange: a bare token in, a bare token out; a failure closes without an answer (as Kafka). */
    private Verdict rawToken(ByteBuffer frame) {
        byte[] in = new byte[frame.remaining()];
        frame.get(in);
        byte[] token;
        try {
            token = server.evaluateResponse(in);
        } catch (SaslException | RuntimeException e) {
            state = State.FAILED;
            dispose();
            return Verdict.fail(null, failureDelayMs, mechanism + " authentication failed (SaslHandshake v0): " + e.getMessage());
        }
        ByteBuffer out = ByteBuffer.allocate(4 + (token == null ? 0 : token.length));
        out.putInt(token == null ? 0 : token.length);
        if (token != null) {
            out.put(token);
        }
        out.flip();
        if (!server.isComplete()) {
            return Verdict.respond(out, null);
        }
        principal = new KafkaPrincipal(KafkaPrincipal.USER_TYPE, server.getAuthorizationID());
        dispose();
        rawTokens = false;
        state = State.AUTHENTICATED;
        sessionExpires = maxReauthMs > 0;
        sessionEndNanos = nanoTime.getAsLong() + maxReauthMs * 1_000_000L;
        return Verdict.respond(out, principal);
    }

    private Verdict failed(RequestHeader header, String message) {
        state = State.FAILED;
        dispose();
        return Verdict.fail(encode(header, new SaslAuthenticateResponseData().setErrorCode(Errors.SASL_AUTHENTICATION_FAILED.code())
                .setErrorMessage(message).setAuthBytes(new byte[0])), failureDelayMs, mechanism + " "
                + (reauthenticating ? "re-authentication" : "authentication") + " failed: " + message);
    }

    private void dispose() {
        if (server != null) {
            try {
                server.dispose();
            } catch (SaslException e) {
                // nothing held
            }
            server = null;
        }
    }

    private static ByteBuffer encode(RequestHeader header, ApiMessage body) {
        ResponseHeader rh = header.toResponseHeader();
        ByteBuffer payload = RequestUtils.serialize(rh.data(), rh.headerVersion(), body, header.apiVersion());
        ByteBuffer framed = ByteBuffer.allocate(4 + payload.remaining());
        framed.putInt(payload.remaining()).put(payload).flip();
        return framed;
    }

    private static String printable(String s) {
        if (s == null) {
            return "";
        }
        String t = s.length() > 40 ? s.substring(0, 40) + "..." : s;
        return t.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
