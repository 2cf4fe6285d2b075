package org.tributary.network;

import java.util.function.LongSupplier;
import java.util.logging.Logger;
import org.tributary.util.RepeatedWarning;

/**
 * The warnings any peer can provoke on purpose, one {@link RepeatedWarning} per kind, shared by
 * a listener's network threads: each kind logs its first occurrence, then at most one summary
 * line per interval.
 * <ul>
 *   <li>TRIB-NET-001: a connection closed for its request (malformed header or body, a request
 *       that cannot be answered);</li>
 *   <li>TRIB-NET-004: a malformed frame (negative size);</li>
 *   <li>TRIB-NET-005: a frame larger than {@code socket.request.max.bytes};</li>
 *   <li>TRIB-NET-006: a failed TLS handshake or TLS record (a plaintext client on a TLS port, an
 *       untrusted or missing client certificate, no common protocol);</li>
 *   <li>TRIB-NET-007: a failed SASL authentication (wrong password, unknown user or mechanism)
 *       or a connection closed by the SASL layer (a request before authentication, an expired
 *       session); never a password.</li>
 * </ul>
 * Thread-safe.
 */
final class NetworkWarnings {
    static final long DEFAULT_INTERVAL_MS = 60_000L;
    private static final Logger LOG = Logger.getLogger(Processor.class.getName());
    private static final int ADDRESSES = 5;

    private final RepeatedWarning request;
    private final RepeatedWarning malformed;
    private final RepeatedWarning oversize;
    private final RepeatedWarning tls;
    private final RepeatedWarning authentication;

    NetworkWarnings(long intervalMs, LongSupplier clock) {
        request = new RepeatedWarning(LOG, "TRIB-NET-001", "connections closed for bad requests", intervalMs, ADDRESSES, clock);
        malformed = new RepeatedWarning(LOG, "TRIB-NET-004", "malformed frames", intervalMs, ADDRESSES, clock);
        oversize = new RepeatedWarning(LOG, "TRIB-NET-005", "oversized frames", intervalMs, ADDRESSES, clock);
        tls = new RepeatedWarning(LOG, "TRIB-NET-006", "TLS failures", intervalMs, ADDRESSES, clock);
        authentication = new RepeatedWarning(LOG, "TRIB-NET-007", "failed SASL authentications", intervalMs, ADDRESSES, clock);
    }

    RepeatedWarning request() {
        return request;
    }

    RepeatedWarning frame(boolean tooLarge) {
        return tooLarge ? oversize : malformed;
    }

    RepeatedWarning tls() {
        return tls;
    }

    RepeatedWarning authentication() {
        return authentication;
    }

    /** Writes the summaries whose interval has ended. */
    void flush() {
        request.flush();
        malformed.flush();
        oversize.flush();
        tls.flush();
        authentication.flush();
    }
}
