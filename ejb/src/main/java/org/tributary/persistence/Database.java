package org.tributary.persistence;

import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.EntityTransaction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import org.eclipse.persistence.jpa.PersistenceProvider;
import org.tributary.config.BrokerConfig;
import org.tributary.config.ConfigException;

/**
 * The console's database (accounts, API tokens, the audit trail) through JPA with EclipseLink,
 * bootstrapped by the application itself (a resource-local unit in
 * {@code META-INF/tributary-persistence.xml}), so the same code runs inside Payara and in plain
 * tests. By default an embedded H2 file under the node's data directory; PostgreSQL (or any
 * database EclipseLink knows) when {@code tributary.db.url} or {@code tributary.db.datasource}
 * is set. Tables are created or extended at first use.
 *
 * <p>Nothing connects until the first use, so a database that is down never delays the broker's
 * start; a failed connection is retried at the next use (a new factory). Thread-safe.
 */
public final class Database implements AutoCloseable {
    public static final String URL = "tributary.db.url";
    public static final String USER = "tributary.db.user";
    public static final String PASSWORD = "tributary.db.password";
    public static final String PASSWORD_FILE = "tributary.db.password.file";
    public static final String DATASOURCE = "tributary.db.datasource";
    static final String UNIT = "tributary";

    private final Map<String, Object> properties;
    private final String description;
    private volatile EntityManagerFactory emf;
    private volatile boolean closed;

    private Database(Map<String, Object> properties, String description) {
        this.properties = properties;
        this.description = description;
    }

    /** The database the configuration names; the H2 file {@code <dataDir>/db/tributary} when none is named. */
    public static Database open(BrokerConfig config, Path dataDir) {
        Map<String, Object> p = new HashMap<>();
        String datasource = config.getString(DATASOURCE, "");
        String url = config.getString(URL, "");
        if (!datasource.isEmpty() && !url.isEmpty()) {
            throw new ConfigException(URL, url, "set either " + URL + " or " + DATASOURCE + ", not both");
        }
        String description;
        if (!datasource.isEmpty()) {
            p.put("jakarta.persistence.nonJtaDataSource", datasource);
            description = "data source " + datasource;
        } else {
            if (url.isEmpty()) {
                url = "jdbc:h2:file:" + dataDir.toAbsolutePath().resolve("db").resolve("tributary") + ";DB_CLOSE_ON_EXIT=FALSE";
            } else if (!url.startsWith("jdbc:")) {
                throw new ConfigException(URL, url, "must be a JDBC URL (jdbc:postgresql://host:5432/db or jdbc:h2:file:/path)");
            }
            p.put("jakarta.persistence.jdbc.url", url);
            p.put("jakarta.persistence.jdbc.user", config.getString(USER, url.startsWith("jdbc:h2:") ? "sa" : ""));
            p.put("jakarta.persistence.jdbc.password", password(config));
            if (url.startsWith("jdbc:h2:")) {
                p.put("jakarta.persistence.jdbc.driver", "org.h2.Driver");
            } else if (url.startsWith("jdbc:postgresql:")) {
                p.put("jakarta.persistence.jdbc.driver", "org.postgresql.Driver");
            }
            description = url.replaceAll("password=[^&;]*", "password=***");
        }
        return of(p, description);
    }

    /** A database from explicit JPA properties (tests). */
    static Database of(Map<String, Object> jpa, String description) {
        Map<String, Object> p = new HashMap<>(jpa);
        p.put("eclipselink.persistencexml", "META-INF/tributary-persistence.xml");
        p.put("eclipselink.classloader", Database.class.getClassLoader());
        return new Database(p, description);
    }

    private static String password(BrokerConfig config) {
        String file = config.getString(PASSWORD_FILE, "");
        if (file.isEmpty()) {
            return config.getString(PASSWORD, "");
        }
        try {
            return Files.readString(Path.of(file)).strip();
        } catch (java.io.IOException e) {
            throw new ConfigException(PASSWORD_FILE, file, "cannot be read: " + e.getMessage());
        }
    }

    /** Where the data lives, without a password, for log lines. */
    public String description() {
        return description;
    }

    /** Runs {@code work} in one transaction; rolls back and rethrows on failure. */
    public <T> T inTransaction(Function<EntityManager, T> work) {
        EntityManager em = entityManager();
        EntityTransaction tx = em.getTransaction();
        try {
            tx.begin();
            T result = work.apply(em);
            tx.commit();
            return result;
        } finally {
            if (tx.isActive()) {
                tx.rollback();
            }
            em.close();
        }
    }

    /** Runs a read without a transaction. */
    public <T> T read(Function<EntityManager, T> work) {
        EntityManager em = entityManager();
        try {
            return work.apply(em);
        } finally {
            em.close();
        }
    }

    private EntityManager entityManager() {
        if (closed) {
            throw new IllegalStateException("the database is closed");
        }
        EntityManagerFactory f = factory();
        try {
            return f.createEntityManager();
        } catch (RuntimeException e) {
            // a failed first connection leaves EclipseLink's factory failed for good: start afresh next time
            synchronized (this) {
                if (emf == f) {
                    emf = null;
                    f.close();
                }
            }
            throw e;
        }
    }

    private synchronized EntityManagerFactory factory() {
        if (emf == null) {
            emf = new PersistenceProvider().createEntityManagerFactory(UNIT, properties);
            if (emf == null) {
                throw new IllegalStateException("EclipseLink found no persistence unit '" + UNIT + "'");
            }
        }
        return emf;
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (emf != null) {
            emf.close();
            emf = null;
        }
    }
}
