package org.tributary.web.security;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Failed logins, summarised: the first one of a minute is logged at once with its client address;
 * the rest of that minute are counted and reported in one line (count and up to five addresses)
 * with the next failure after the minute. Never logs a password. Thread-safe.
 */
final class LoginFailures {
    private static final Logger LOG = Logger.getLogger(LoginFailures.class.getName());
    private static final long WINDOW_MS = 60_000L;
    private long windowStart = Long.MIN_VALUE / 2;
    private int suppressed;
    private final Set<String> addresses = new LinkedHashSet<>();

    synchronized void failed(String how, String user, String address) {
        long now = System.currentTimeMillis();
        if (now - windowStart >= WINDOW_MS) {
            if (suppressed > 0) {
                LOG.warning("TRIB-WEB-003 " + suppressed + " more failed login(s) in the last minute from " + addresses);
            }
            windowStart = now;
            suppressed = 0;
            addresses.clear();
            LOG.warning("TRIB-WEB-002 failed " + how + " login for user '" + printable(user) + "' from " + address
                    + " (further failures this minute are summarised)");
        } else {
            suppressed++;
            if (addresses.size() < 5) {
                addresses.add(address);
            }
        }
    }

    private static String printable(String s) {
        if (s == null) {
            return "";
        }
        String p = s.replaceAll("[^\\x20-\\x7e]", "?");
        return p.length() > 64 ? p.substring(0, 64) + "..." : p;
    }
}
