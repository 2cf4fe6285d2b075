package org.tributary.network;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import org.apache.kafka.common.security.auth.KafkaPrincipal;

/**
 * The SASL layer of one connection, above the {@link Transport} on whole frames: every frame read
 * on a SASL listener passes {@link #onFrame} on the network thread before it may reach the request
 * layer. It answers the authentication exchange itself (SaslHandshake, SaslAuthenticate), lets
 * ApiVersions and, once authenticated, everything else pass, and closes the connection for
 * anything else. Implementations must not block (no disk, no other broker). Not thread-safe: one
 * network thread owns it.
 */
public interface Authenticator {

    /** Decides about one complete frame (positioned at the request header; the position is left unchanged). */
    Verdict onFrame(ByteBuffer frame);

    /** Creates one authenticator per accepted connection of a listener. */
    @FunctionalInterface
    interface Factory {
        Authenticator create(String listenerName, InetAddress clientAddress);
    }

    /** What {@link #onFrame} decided. */
    enum Kind {
        /** Not the authenticator's business: the request layer answers it. */
        PASS,
        /** Answer with {@code response} and carry on; {@code principal} (when not null) now speaks for the connection. */
        RESPOND,
        /**
         * Authentication failed: answer with {@code response} (if not null) after {@code delayMs},
         * then close; {@code reason} is logged (summarised).
         */
        FAIL,
        /** Close at once without an answer; {@code reason} is logged (summarised). */
        CLOSE
    }

    /** The decision, with the size-prefixed response where there is one. */
    record Verdict(Kind kind, ByteBuffer response, KafkaPrincipal principal, long delayMs, String reason) {
        public static final Verdict PASS = new Verdict(Kind.PASS, null, null, 0, null);

        public static Verdict respond(ByteBuffer response, KafkaPrincipal authenticated) {
            return new Verdict(Kind.RESPOND, response, authenticated, 0, null);
        }

        public static Verdict fail(ByteBuffer response, long delayMs, String reason) {
            return new Verdict(Kind.FAIL, response, null, delayMs, reason);
        }

        public static Verdict close(String reason) {
            return new Verdict(Kind.CLOSE, null, null, 0, reason);
        }
    }
}
