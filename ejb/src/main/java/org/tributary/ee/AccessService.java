package org.tributary.ee;

import jakarta.ejb.Local;
import java.util.List;
import java.util.Optional;
import org.tributary.audit.AuditEvent;
import org.tributary.persistence.Account;
import org.tributary.persistence.AuditTrail;

/**
 * Who may use the console and the REST API, and the audit trail: the local business interface
 * the web module uses. Failures are {@link AdminException}s (UNAVAILABLE when the database is down).
 */
@Local
public interface AccessService {

    /** The account when the password is right. */
    Optional<Account> authenticate(String username, char[] password);

    /** The account as it is now (a console session re-reads it on every request). */
    Optional<Account> account(String username);

    /** The account a bearer token belongs to, while the token is valid. */
    Optional<Account> tokenOwner(String token);

    /** A new bearer token for the account (shown once; only its digest is stored). */
    String issueToken(String username);

    /** How long a new bearer token lives. */
    long tokenLifetimeMs();

    List<Account> accounts();

    Account createAccount(String username, String role, char[] password);

    Account setRole(String username, String role);

    void setPassword(String username, char[] password);

    void deleteAccount(String username);

    /** True while no account exists and a setup secret waits to be used. */
    boolean setupOpen();

    /** Creates the first admin with the one-time setup secret. */
    Account setUp(String secret, String username, char[] password);

    /** Records a change made through REST or the console (never blocks). */
    void record(AuditEvent event);

    AuditTrail.Page audit(AuditTrail.Query query);

    /** Audit events lost because the queue was full or the database down. */
    long auditDropped();
}
