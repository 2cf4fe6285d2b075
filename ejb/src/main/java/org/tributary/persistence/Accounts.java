package org.tributary.persistence;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Console and REST accounts with roles {@code admin} and {@code viewer}, and bearer tokens.
 * Passwords are stored only as {@link PasswordHashing} hashes. A deliberately slow hash would make
 * every HTTP Basic request cost a fraction of a second, so a successful check is remembered for
 * a short while, keyed by a SHA-256 of user, password and a per-process random value (never the
 * password itself); any account change forgets everything remembered. The last admin can be
 * neither deleted nor demoted. Thread-safe.
 */
public final class Accounts {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._@-]{1,64}");
    public static final int MIN_PASSWORD_LENGTH = 12;
    private static final long REMEMBER_MS = 5 * 60_000L;
    private static final String PEPPER = PasswordHashing.randomSecret(32);

    private final Database db;
    private final Clock clock;
    private final Map<String, Remembered> remembered = new ConcurrentHashMap<>();

    public Accounts(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    public long count() {
        return db.read(em -> em.createQuery("select count(a) from AccountEntity a", Long.class).getSingleResult());
    }

    public List<Account> list() {
        return db.read(em -> em.createQuery("select a from AccountEntity a order by a.username", AccountEntity.class)
                .getResultList().stream().map(Account::of).toList());
    }

    public Optional<Account> find(String username) {
        return db.read(em -> Optional.ofNullable(em.find(AccountEntity.class, username)).map(Account::of));
    }

    public Account create(String username, String role, char[] password) {
        checkName(username);
        checkRole(role);
        String hash = PasswordHashing.hash(checkPassword(password));
        Account a = db.inTransaction(em -> {
            if (em.find(AccountEntity.class, username) != null) {
                throw new AccountException(AccountException.Kind.CONFLICT, "username", "account '" + username + "' exists");
            }
            AccountEntity e = new AccountEntity(username, role, hash, clock.millis());
            em.persist(e);
            return Account.of(e);
        });
        remembered.clear();
        return a;
    }

    /**
     * Creates the first admin when there is no account at all; false (and nothing changed) when
     * some account exists. Check and insert are one transaction.
     */
    public boolean createFirstAdmin(String username, char[] password) {
        checkName(username);
        String hash = PasswordHashing.hash(checkPassword(password));
        return db.inTransaction(em -> {
            long n = em.createQuery("select count(a) from AccountEntity a", Long.class).getSingleResult();
            if (n > 0) {
                return false;
            }
            em.persist(new AccountEntity(username, Account.ADMIN, hash, clock.millis()));
            return true;
        });
    }

    public Account setRole(String username, String role) {
        checkRole(role);
        Account a = db.inTransaction(em -> {
            AccountEntity e = require(em, username);
            if (e.isAdminRole() && !Account.ADMIN.equals(role) && admins(em) <= 1) {
                throw new AccountException(AccountException.Kind.CONFLICT, "role",
                        "'" + username + "' is the last admin; make another admin first");
            }
            e.role(role, clock.millis());
            return Account.of(e);
        });
        remembered.clear();
        return a;
    }

    public void setPassword(String username, char[] password) {
        String hash = PasswordHashing.hash(checkPassword(password));
        db.inTransaction(em -> {
            require(em, username).passwordHash(hash, clock.millis());
            deleteTokens(em, username);
            return null;
        });
        remembered.clear();
    }

    public void delete(String username) {
        db.inTransaction(em -> {
            AccountEntity e = require(em, username);
            if (e.isAdminRole() && admins(em) <= 1) {
                throw new AccountException(AccountException.Kind.CONFLICT, "username",
                        "'" + username + "' is the last admin; make another admin first");
            }
            deleteTokens(em, username);
            em.remove(e);
            return null;
        });
        remembered.clear();
    }

    /** The account when the password is right; empty otherwise (unknown users cost as much as wrong passwords). */
    public Optional<Account> authenticate(String username, char[] password) {
        if (username == null || password == null || !NAME.matcher(username).matches()) {
            return Optional.empty();
        }
        String key = PasswordHashing.sha256(PEPPER + "\u0000" + username + "\u0000" + new String(password));
        Remembered hit = remembered.get(key);
        long now = clock.millis();
        Optional<AccountEntity> found = db.read(em -> Optional.ofNullable(em.find(AccountEntity.class, username)));
        // the hash must still be the one that was checked: another node may have reset the password meanwhile
        if (hit != null && hit.untilMs() > now && found.isPresent() && hit.passwordHash().equals(found.get().passwordHash())) {
            return found.map(Account::of);
        }
        String hash = found.map(AccountEntity::passwordHash).orElse(DUMMY_HASH);
        boolean ok = PasswordHashing.verify(password, hash) && found.isPresent();
        if (!ok) {
            return Optional.empty();
        }
        remembered.put(key, new Remembered(now + REMEMBER_MS, hash));
        return found.map(Account::of);
    }

    /** A successful check, remembered until {@code untilMs} for the hash it was checked against. */
    private record Remembered(long untilMs, String passwordHash) {
    }

    private static final String DUMMY_HASH = PasswordHashing.hash("not a password of anyone".toCharArray());

    /** A new bearer token for the account, valid for {@code lifetimeMs}; only its SHA-256 is stored. */
    public String issueToken(String username, long lifetimeMs) {
        String token = "trb_" + PasswordHashing.randomSecret(32);
        db.inTransaction(em -> {
            require(em, username);
            em.createQuery("delete from ApiTokenEntity t where t.expiresMs < :now").setParameter("now", clock.millis())
                    .executeUpdate();
            em.persist(new ApiTokenEntity(PasswordHashing.sha256(token), username, clock.millis() + lifetimeMs));
            return null;
        });
        return token;
    }

    /** The account a bearer token belongs to, while the token is valid. */
    public Optional<Account> tokenOwner(String token) {
        if (token == null || token.isEmpty() || token.length() > 200) {
            return Optional.empty();
        }
        String sha = PasswordHashing.sha256(token);
        return db.read(em -> {
            ApiTokenEntity t = em.find(ApiTokenEntity.class, sha);
            if (t == null || t.expiresMs() <= clock.millis()) {
                return Optional.empty();
            }
            return Optional.ofNullable(em.find(AccountEntity.class, t.username())).map(Account::of);
        });
    }

    public void revokeToken(String token) {
        String sha = PasswordHashing.sha256(token == null ? "" : token);
        db.inTransaction(em -> em.createQuery("delete from ApiTokenEntity t where t.tokenSha256 = :h").setParameter("h", sha)
                .executeUpdate());
    }

    private static void deleteTokens(jakarta.persistence.EntityManager em, String username) {
        em.createQuery("delete from ApiTokenEntity t where t.username = :u").setParameter("u", username).executeUpdate();
    }

    private static long admins(jakarta.persistence.EntityManager em) {
        return em.createQuery("select count(a) from AccountEntity a where a.role = :r", Long.class)
                .setParameter("r", Account.ADMIN).getSingleResult();
    }

    private static AccountEntity require(jakarta.persistence.EntityManager em, String username) {
        AccountEntity e = username == null ? null : em.find(AccountEntity.class, username);
        if (e == null) {
            throw new AccountException(AccountException.Kind.NOT_FOUND, "username", "no account '" + username + "'");
        }
        return e;
    }

    static void checkName(String username) {
        if (username == null || !NAME.matcher(username).matches()) {
            throw new AccountException(AccountException.Kind.INVALID, "username",
                    "a user name is 1 to 64 letters, digits, '.', '_', '@' or '-'");
        }
    }

    private static void checkRole(String role) {
        if (!Account.ADMIN.equals(role) && !Account.VIEWER.equals(role)) {
            throw new AccountException(AccountException.Kind.INVALID, "role", "role must be 'admin' or 'viewer'");
        }
    }

    private static char[] checkPassword(char[] password) {
        if (password == null || password.length < MIN_PASSWORD_LENGTH) {
            throw new AccountException(AccountException.Kind.INVALID, "password",
                    "a password has at least " + MIN_PASSWORD_LENGTH + " characters");
        }
        return password;
    }
}
