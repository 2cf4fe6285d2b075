package org.tributary.broker;

import java.util.logging.Logger;

/**
 * Logging that still reaches the operator while the JVM shuts down: on SIGTERM the logging
 * system's own shutdown hook may already have closed every handler, so the line goes to
 * standard error (which the launcher keeps in the node's log) instead of vanishing.
 */
public final class ShutdownLog {
    private ShutdownLog() {
    }

    public static void info(Logger log, String message) {
        if (Logger.getLogger("").getHandlers().length == 0) {
            System.err.println("[" + java.time.Instant.now() + "] [INFO] [" + log.getName() + "] " + message);
        } else {
            log.info(message);
        }
    }
}
