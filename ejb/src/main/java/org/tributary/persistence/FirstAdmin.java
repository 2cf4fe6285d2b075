package org.tributary.persistence;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.logging.Logger;
import org.tributary.config.BrokerConfig;
import org.tributary.config.ConfigException;

/**
 * How the first admin account comes to be; there is no default password. When no account exists:
 * <ul>
 * <li>{@code tributary.admin.password} (or {@code tributary.admin.password.file}) set: the admin
 *     {@code tributary.admin.user} (default {@code admin}) is created with it;</li>
 * <li>otherwise a one-time setup secret is made, written to {@code <data dir>/setup-secret}
 *     (owner-only) and printed once in the log with what to do next: whoever shows it at
 *     {@code POST /api/setup} (or the console's setup page) chooses the first admin.</li>
 * </ul>
 * Once an account exists the secret is void and its file removed. Thread-safe.
 */
public final class FirstAdmin {
    public static final String USER = "tributary.admin.user";
    public static final String PASSWORD = "tributary.admin.password";
    public static final String PASSWORD_FILE = "tributary.admin.password.file";
    public static final String SECRET_FILE = "setup-secret";
    private static final Logger LOG = Logger.getLogger(FirstAdmin.class.getName());

    private final Accounts accounts;
    private final Path secretFile;
    private final String user;
    private final char[] password;
    private final String consoleUrl;
    private volatile String secret;
    private volatile boolean done;

    public FirstAdmin(Accounts accounts, BrokerConfig config, Path dataDir, String consoleUrl) {
        this.accounts = accounts;
        this.secretFile = dataDir.resolve(SECRET_FILE);
        this.user = config.getString(USER, "admin");
        Accounts.checkName(user);
        this.password = configuredPassword(config);
        this.consoleUrl = consoleUrl;
        if (password != null && password.length < Accounts.MIN_PASSWORD_LENGTH) {
            throw new ConfigException(PASSWORD, "***", "must have at least " + Accounts.MIN_PASSWORD_LENGTH + " characters");
        }
    }

    private static char[] configuredPassword(BrokerConfig config) {
        String file = config.getString(PASSWORD_FILE, "");
        if (!file.isEmpty()) {
            try {
                return Files.readString(Path.of(file)).strip().toCharArray();
            } catch (IOException e) {
                throw new ConfigException(PASSWORD_FILE, file, "cannot be read: " + e.getMessage());
            }
        }
        String p = config.getString(PASSWORD, "");
        return p.isEmpty() ? null : p.toCharArray();
    }

    /** Runs at start (needs the database): creates the configured admin, or offers a setup secret. */
    public void ensure() throws IOException {
        if (accounts.count() > 0) {
            done = true;
            Files.deleteIfExists(secretFile);
            return;
        }
        if (password != null) {
            if (accounts.createFirstAdmin(user, password)) {
                LOG.info("TRIB-SEC-002 created the first admin account '" + user + "' from " + PASSWORD + "/" + PASSWORD_FILE);
            }
            done = true;
            return;
        }
        String s = PasswordHashing.randomSecret(24);
        Files.createDirectories(secretFile.getParent());
        Files.deleteIfExists(secretFile);
        try {
            Files.createFile(secretFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(secretFile);
        }
        Files.writeString(secretFile, s + "\n", StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
        secret = s;
        LOG.warning("TRIB-SEC-001 No console account exists yet. One-time setup secret: " + s + " (also in " + secretFile
                + "). Open " + consoleUrl + "/console/setup.html, or POST {\"secret\":\"...\",\"username\":\"admin\",\"password\":\"...\"}"
                + " to /api/setup, to create the first admin. Or restart with " + PASSWORD + " (env TRIBUTARY_ADMIN_PASSWORD) set.");
    }

    /** True while a setup secret is waiting to be used. */
    public boolean setupOpen() {
        return !done && secret != null;
    }

    /**
     * Creates the first admin when {@code offered} is the setup secret and still no account exists.
     * Refused ({@link AccountException}, kind CONFLICT) once done; a wrong secret is INVALID.
     */
    public synchronized Account setUp(String offered, String username, char[] newPassword) {
        String s = secret;
        if (done || s == null) {
            throw new AccountException(AccountException.Kind.CONFLICT, "secret", "setup is closed: an account exists");
        }
        if (offered == null || !MessageDigest.isEqual(s.getBytes(StandardCharsets.UTF_8), offered.strip().getBytes(StandardCharsets.UTF_8))) {
            throw new AccountException(AccountException.Kind.INVALID, "secret", "wrong setup secret; it is in " + secretFile);
        }
        if (!accounts.createFirstAdmin(username, newPassword)) {
            done = true;
            throw new AccountException(AccountException.Kind.CONFLICT, "secret", "setup is closed: an account exists");
        }
        done = true;
        secret = null;
        try {
            Files.deleteIfExists(secretFile);
        } catch (IOException e) {
            LOG.warning("TRIB-SEC-003 cannot remove " + secretFile + ": " + e.getMessage() + " (the secret is void anyway)");
        }
        LOG.info("TRIB-SEC-002 created the first admin account '" + username + "' with the setup secret");
        return accounts.find(username).orElseThrow();
    }

}
