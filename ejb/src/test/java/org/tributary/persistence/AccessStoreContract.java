package org.tributary.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.tributary.audit.AuditEvent;
import org.tributary.config.BrokerConfig;
import org.tributary.server.TestBroker;

/**
 * Accounts, tokens, the first admin and the audit trail through real JPA (EclipseLink) on a real
 * database; each subclass names the database. Every test starts from empty tables.
 */
abstract class AccessStoreContract {
    /** A clock the tests move. */
    static final class MovableClock extends Clock {
        volatile long now = System.currentTimeMillis();

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(now);
        }
    }

    final MovableClock clock = new MovableClock();
    Database db;
    Accounts accounts;
    AuditTrail trail;
    Path dataDir;

    /** The database under test, with empty tables. */
    abstract Database database() throws Exception;

    @BeforeEach
    void open() throws Exception {
        db = database();
        db.inTransaction(em -> {
            em.createQuery("delete from ApiTokenEntity").executeUpdate();
            em.createQuery("delete from AccountEntity").executeUpdate();
            em.createQuery("delete from AuditEntity").executeUpdate();
            return null;
        });
        accounts = new Accounts(db, clock);
        trail = new AuditTrail(db);
        dataDir = Files.createTempDirectory("tributary-access");
    }

    @AfterEach
    void closeDb() {
        if (db != null) {
            db.close();
        }
    }

    @Test
    void accountsHaveRolesHashedPasswordsAndAlwaysOneAdmin() {
        accounts.create("root", Account.ADMIN, "correct horse battery".toCharArray());
        accounts.create("watcher", Account.VIEWER, "viewer password 1".toCharArray());
        assertEquals(List.of("root", "watcher"), accounts.list().stream().map(Account::username).toList());
        assertEquals("viewer", accounts.authenticate("watcher", "viewer password 1".toCharArray()).orElseThrow().role());
        assertTrue(accounts.authenticate("watcher", "viewer password 2".toCharArray()).isEmpty());
        assertTrue(accounts.authenticate("nobody", "viewer password 1".toCharArray()).isEmpty());
        String stored = db.read(em -> em.find(AccountEntity.class, "root").passwordHash());
        assertTrue(stored.startsWith("PBKDF2WithHmacSHA256:600000:"), stored);
        assertFalse(stored.contains("horse"));

        assertEquals(AccountException.Kind.CONFLICT, assertThrows(AccountException.class,
                () -> accounts.create("root", Account.VIEWER, "another password".toCharArray())).kind());
        assertEquals("password", assertThrows(AccountException.class,
                () -> accounts.create("shorty", Account.VIEWER, "short".toCharArray())).field());
        assertEquals("role", assertThrows(AccountException.class,
                () -> accounts.create("x", "superuser", "long enough password".toCharArray())).field());
        assertEquals(AccountException.Kind.CONFLICT, assertThrows(AccountException.class, () -> accounts.delete("root")).kind(),
                "the last admin stays");
        assertEquals(AccountException.Kind.CONFLICT, assertThrows(AccountException.class,
                () -> accounts.setRole("root", Account.VIEWER)).kind());

        accounts.setRole("watcher", Account.ADMIN);
        accounts.setRole("root", Account.VIEWER);
        assertEquals("viewer", accounts.find("root").orElseThrow().role());
        accounts.setPassword("root", "a brand new password".toCharArray());
        assertTrue(accounts.authenticate("root", "correct horse battery".toCharArray()).isEmpty(), "old password is gone");
        assertTrue(accounts.authenticate("root", "a brand new password".toCharArray()).isPresent());
        accounts.delete("root");
        assertTrue(accounts.find("root").isEmpty());
        assertEquals(AccountException.Kind.NOT_FOUND, assertThrows(AccountException.class, () -> accounts.delete("root")).kind());
    }

    @Test
    void bearerTokensExpireAndDieWithAPasswordChange() {
        accounts.create("root", Account.ADMIN, "correct horse battery".toCharArray());
        String token = accounts.issueToken("root", 60_000);
        assertEquals("root", accounts.tokenOwner(token).orElseThrow().username());
        assertTrue(accounts.tokenOwner(token + "x").isEmpty());
        String stored = db.read(em -> em.createQuery("select t from ApiTokenEntity t", ApiTokenEntity.class).getSingleResult()
                .toString());
        assertFalse(stored.contains(token), "only a digest of the token is stored");
        clock.now += 61_000;
        assertTrue(accounts.tokenOwner(token).isEmpty(), "expired");
        String second = accounts.issueToken("root", 60_000);
        accounts.setPassword("root", "a brand new password".toCharArray());
        assertTrue(accounts.tokenOwner(second).isEmpty(), "a password reset revokes tokens");
    }

    @Test
    void aPasswordResetChangesTheCredentialStampAndEndsRememberedLoginsOnEveryNode() {
        accounts.create("root", Account.ADMIN, "correct horse battery".toCharArray());
        accounts.create("watcher", Account.VIEWER, "viewer password 1".toCharArray());
        String stamp = accounts.find("watcher").orElseThrow().credentialStamp();
        assertEquals(stamp, accounts.authenticate("watcher", "viewer password 1".toCharArray()).orElseThrow().credentialStamp());
        accounts.setRole("watcher", Account.ADMIN);
        assertEquals(stamp, accounts.find("watcher").orElseThrow().credentialStamp(), "a role change keeps sessions");
        accounts.setPassword("watcher", "viewer password 2".toCharArray());
        String reset = accounts.find("watcher").orElseThrow().credentialStamp();
        assertFalse(reset.equals(stamp), "a password reset changes the stamp");
        accounts.delete("watcher");
        accounts.create("watcher", Account.VIEWER, "viewer password 2".toCharArray());
        assertFalse(accounts.find("watcher").orElseThrow().credentialStamp().equals(reset), "a new account with the same name is new");

        // another node on the same database remembers a Basic login; a reset made here ends it there at once
        Accounts otherNode = new Accounts(db, clock);
        assertTrue(otherNode.authenticate("root", "correct horse battery".toCharArray()).isPresent());
        accounts.setPassword("root", "a brand new password".toCharArray());
        assertTrue(otherNode.authenticate("root", "correct horse battery".toCharArray()).isEmpty(), "not remembered past a reset");
    }

    @Test
    void theFirstAdminComesFromConfiguration() throws Exception {
        FirstAdmin first = new FirstAdmin(accounts, BrokerConfig.of(Map.of(FirstAdmin.USER, "boss",
                FirstAdmin.PASSWORD, "configured password")), dataDir, "http://127.0.0.1:8080");
        first.ensure();
        assertEquals("admin", accounts.authenticate("boss", "configured password".toCharArray()).orElseThrow().role());
        assertFalse(first.setupOpen());
        assertFalse(Files.exists(dataDir.resolve(FirstAdmin.SECRET_FILE)));
        first.ensure(); // a restart changes nothing
        assertEquals(1, accounts.count());
    }

    @Test
    void withoutConfigurationAOneTimeSetupSecretMakesTheFirstAdmin() throws Exception {
        FirstAdmin first = new FirstAdmin(accounts, BrokerConfig.of(Map.of()), dataDir, "http://127.0.0.1:8080");
        first.ensure();
        assertEquals(0, accounts.count(), "no default account, no default password");
        Path file = dataDir.resolve(FirstAdmin.SECRET_FILE);
        String secret = Files.readString(file).strip();
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertTrue(first.setupOpen());
        assertEquals(AccountException.Kind.INVALID, assertThrows(AccountException.class,
                () -> first.setUp("wrong", "admin", "my own password".toCharArray())).kind());
        assertEquals("admin", first.setUp(secret, "admin", "my own password".toCharArray()).role());
        assertFalse(Files.exists(file), "the secret is used up");
        assertEquals(AccountException.Kind.CONFLICT, assertThrows(AccountException.class,
                () -> first.setUp(secret, "again", "my own password".toCharArray())).kind());
        assertTrue(accounts.authenticate("admin", "my own password".toCharArray()).isPresent());
    }

    @Test
    void theTrailIsWrittenAsynchronouslyQueriedByPrincipalResourceAndTimeAndPurged() throws Exception {
        long t0 = clock.millis();
        try (AuditWriter writer = new AuditWriter(trail, 1000, 86_400_000L, clock, List.of(), Executors.defaultThreadFactory())) {
            for (int i = 0; i < 30; i++) {
                writer.record(new AuditEvent(t0 + i, i % 3 == 0 ? "admin" : "User:alice", "10.0.0." + i, AuditEvent.REST,
                        "DELETE /api/topics/t" + i, "topic", "t" + i, i % 5 == 0 ? "403" : AuditEvent.OK, ""));
            }
            awaitWritten(writer, 30);
        }
        AuditTrail.Page all = trail.query(new AuditTrail.Query(null, null, null, null, 0, 10));
        assertEquals(30, all.total());
        assertEquals(10, all.rows().size());
        assertEquals("t29", all.rows().get(0).event().resourceName(), "newest first");
        assertEquals("t19", trail.query(new AuditTrail.Query(null, null, null, null, 1, 10)).rows().get(0).event().resourceName());
        assertEquals(10, trail.query(new AuditTrail.Query("admin", null, null, null, 0, 50)).total());
        assertEquals(List.of("t12"), trail.query(new AuditTrail.Query(null, "t12", null, null, 0, 50)).rows().stream()
                .map(r -> r.event().resourceName()).toList());
        assertEquals(5, trail.query(new AuditTrail.Query(null, null, t0 + 10, t0 + 15, 0, 50)).total());
        assertEquals(0, trail.query(new AuditTrail.Query(null, "%", null, null, 0, 50)).total(), "LIKE wildcards are literal");
        AuditEvent one = trail.query(new AuditTrail.Query(null, "t10", null, null, 0, 1)).rows().get(0).event();
        assertEquals(new AuditEvent(t0 + 10, "User:alice", "10.0.0.10", "rest", "DELETE /api/topics/t10", "topic", "t10", "403", ""), one);

        assertEquals(10, trail.purgeBefore(t0 + 10));
        assertEquals(20, trail.query(new AuditTrail.Query(null, null, null, null, 0, 50)).total());
    }

    @Test
    void aTopicDeletedThroughTheKafkaAdminClientIsInTheTrailWithItsPrincipal() throws Exception {
        try (TestBroker broker = new TestBroker();
                AuditWriter writer = new AuditWriter(trail, 1000, 86_400_000L, clock, List.of(), Executors.defaultThreadFactory())) {
            broker.server().audit(writer);
            try (Admin admin = broker.admin()) {
                admin.createTopics(List.of(new NewTopic("payments", 1, (short) 1))).all().get();
                admin.deleteTopics(List.of("payments")).all().get();
            }
            awaitWritten(writer, 2);
        }
        List<AuditEvent> events = trail.query(new AuditTrail.Query(null, "payments", null, null, 0, 10)).rows().stream()
                .map(AuditTrail.Row::event).toList();
        AuditEvent deleted = events.stream().filter(e -> e.action().equals("DeleteTopics")).findFirst().orElseThrow(
                () -> new AssertionError("no DeleteTopics in " + events));
        assertEquals("User:ANONYMOUS", deleted.principal());
        assertEquals("127.0.0.1", deleted.clientAddress());
        assertEquals("kafka", deleted.source());
        assertEquals("NONE", deleted.result());
    }

    @Test
    void aDatabaseThatIsDownDropsAndCountsEventsWithoutBlockingTheCaller() throws Exception {
        Database down = Database.of(Map.of("jakarta.persistence.jdbc.url", "jdbc:postgresql://127.0.0.1:"
                + org.tributary.testing.FreePorts.next() + "/none", "jakarta.persistence.jdbc.driver", "org.postgresql.Driver",
                "jakarta.persistence.jdbc.user", "x", "jakarta.persistence.jdbc.password", "x"), "down");
        try (AuditWriter writer = new AuditWriter(new AuditTrail(down), 5, 86_400_000L, clock, List.of(),
                Executors.defaultThreadFactory())) {
            long t = System.nanoTime();
            for (int i = 0; i < 100; i++) {
                writer.record(new AuditEvent(clock.millis(), "admin", "", "rest", "x", "topic", "t", "NONE", ""));
            }
            assertTrue(System.nanoTime() - t < 1_000_000_000L, "record() never waits");
            long deadline = System.currentTimeMillis() + 30_000;
            while (writer.dropped() < 100 && System.currentTimeMillis() < deadline) {
                Thread.sleep(50);
            }
            assertEquals(100, writer.dropped(), "every event is either written or counted as dropped");
            assertEquals(0, writer.written());
        } finally {
            down.close();
        }
    }

    static void awaitWritten(AuditWriter writer, long n) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 30_000;
        while (writer.written() < n && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(writer.written() >= n, "written " + writer.written() + ", dropped " + writer.dropped());
    }
}
