package org.tributary.web;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.tributary.testkit.LocalPostgres;

/**
 * Starts a PostgreSQL server of its own and, before Arquillian starts the container, points the
 * node's console database at it ({@code tributary.db.url}, {@code .user}, {@code .password} in the
 * JVM options {@code arquillian.xml} reads). Registered as a static extension field, so it runs
 * while JUnit prepares the class; stops the server after the class. Without PostgreSQL the node
 * keeps its H2 file and {@link #available()} is false (in CI that is a failure instead).
 */
final class PostgresForNode implements AfterAllCallback {
    private final LocalPostgres pg;

    PostgresForNode() {
        if (LocalPostgres.binaries().isEmpty() && !"true".equalsIgnoreCase(System.getenv("CI"))) {
            pg = null;
            return;
        }
        try {
            pg = LocalPostgres.start();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start PostgreSQL: " + e.getMessage(), e);
        }
        System.setProperty("arquillian.jvm", System.getProperty("arquillian.jvm") + " -Dtributary.db.url=" + pg.jdbcUrl()
                + " -Dtributary.db.user=" + LocalPostgres.USER + " -Dtributary.db.password=" + LocalPostgres.PASSWORD);
    }

    boolean available() {
        return pg != null;
    }

    String jdbcUrl() {
        return pg.jdbcUrl();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (pg != null) {
            pg.close();
        }
    }
}
