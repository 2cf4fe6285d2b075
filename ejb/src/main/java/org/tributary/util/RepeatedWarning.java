package org.tributary.util;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One kind of warning that hostile or broken peers can provoke at will (malformed frames, TLS
 * handshake failures, failed logins), logged so that they cannot fill the disk: the first
 * occurrence after a quiet interval is logged in full; later ones within the interval are only
 * counted, and at most one summary line per interval reports how many there were, the first few
 * peer addresses and the last detail. A burst that then stops is summarised by {@link #flush},
 * which the owner calls now and then (a network thread calls it once per select loop).
 *
 * <p>Thread-safe. Time is injected (milliseconds), so tests need not sleep.
 */
public final class RepeatedWarning {
    private final Logger log;
    private final String code;
    private final String what;
    private final long intervalMs;
    private final int maxAddresses;
    private final LongSupplier clock;
    private long quietUntil = Long.MIN_VALUE;
    private long suppressed;
    private final Set<String> addresses = new LinkedHashSet<>();
    private boolean moreAddresses;
    private String lastDetail;

    /**
     * @param code the stable log code of both the full and the summary line
     * @param what the plural noun the summary counts, e.g. "malformed frames"
     */
    public RepeatedWarning(Logger log, String code, String what, long intervalMs, int maxAddresses, LongSupplier clock) {
        if (intervalMs <= 0 || maxAddresses < 1) {
            throw new IllegalArgumentException("interval and address count must be positive");
        }
        this.log = log;
        this.code = code;
        this.what = what;
        this.intervalMs = intervalMs;
        this.maxAddresses = maxAddresses;
        this.clock = clock;
    }

    /** One occurrence from {@code address} (may be null); {@code detail} is built only when it is logged. */
    public void warn(String address, Supplier<String> detail) {
        String line = null;
        synchronized (this) {
            long now = clock.getAsLong();
            if (now >= quietUntil && suppressed == 0) {
                quietUntil = now + intervalMs;
                line = code + " " + detail.get();
            } else {
                count(address, detail.get());
                if (now >= quietUntil) {
                    line = summary(now);
                }
            }
        }
        if (line != null && log.isLoggable(Level.WARNING)) {
            log.warning(line);
        }
    }

    /** Writes the pending summary if its interval has ended. */
    public void flush() {
        String line;
        synchronized (this) {
            long now = clock.getAsLong();
            if (suppressed == 0 || now < quietUntil) {
                return;
            }
            line = summary(now);
        }
        log.warning(line);
    }

    /** Occurrences counted and not yet reported in a summary line. */
    public synchronized long pending() {
        return suppressed;
    }

    private void count(String address, String detail) {
        suppressed++;
        lastDetail = detail;
        String a = address == null ? "unknown" : address;
        if (addresses.size() < maxAddresses) {
            addresses.add(a);
        } else if (!addresses.contains(a)) {
            moreAddresses = true;
        }
    }

    private String summary(long now) {
        String line = code + " " + suppressed + " more " + what + " from " + String.join(", ", addresses)
                + (moreAddresses ? " and others" : "") + " (last: " + lastDetail + "); summarised, at most one line per "
                + seconds(intervalMs);
        suppressed = 0;
        addresses.clear();
        moreAddresses = false;
        lastDetail = null;
        quietUntil = now + intervalMs;
        return line;
    }

    private static String seconds(long ms) {
        return ms % 1000 == 0 ? (ms / 1000) + " s" : ms + " ms";
    }
}
