package org.tributary.audit;

/**
 * Where the engine hands audit events. Implementations must return at once: the caller is a
 * request-handler or network thread, which never waits for a database. An implementation that
 * cannot keep up drops events and counts them; it never throws.
 */
@FunctionalInterface
public interface AuditSink {

    /** A sink that keeps nothing (embedded brokers, tests, or no database). */
    AuditSink NONE = event -> { };

    void record(AuditEvent event);
}
