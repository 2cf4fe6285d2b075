package org.tributary.ee;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.LocalBean;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.persistence.PersistenceException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.tributary.audit.AuditEvent;
import org.tributary.audit.AuditSink;
import org.tributary.config.BrokerConfig;
import org.tributary.config.ConfigException;
import org.tributary.config.NodeSettings;
import org.tributary.persistence.Account;
import org.tributary.persistence.AccountException;
import org.tributary.persistence.Accounts;
import org.tributary.persistence.AuditTrail;
import org.tributary.persistence.AuditWriter;
import org.tributary.persistence.Database;
import org.tributary.persistence.FirstAdmin;

/**
 * Accounts and the audit trail of this node, in the console database: a thin shell over the
 * {@code persistence} adapter. Starts before the broker (which reports Kafka-protocol changes to
 * {@link #auditSink()}); never connects to the database on the start-up path: the audit writer's
 * thread does the first-admin work as soon as the database answers.
 */
@Singleton
@Startup
@LocalBean
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
public class AccessBean implements AccessService {
    static final String RETENTION_DAYS = "tributary.audit.retention.days";
    static final String TOKEN_HOURS = "tributary.api.token.lifetime.hours";
    private static final int QUEUE = 10_000;
    private static final Logger LOG = Logger.getLogger(AccessBean.class.getName());

    @Resource
    private ManagedThreadFactory threads;

    private volatile Database db;
    private volatile Accounts accounts;
    private volatile AuditTrail trail;
    private volatile AuditWriter writer;
    private volatile FirstAdmin first;
    private volatile ConfigException failure;
    private long tokenLifetimeMs;

    @PostConstruct
    void start() {
        Config mp = ConfigProvider.getConfig();
        BrokerConfig config = BrokerConfig.of(ConfigKeys.brokerSettings(mp), key -> mp.getOptionalValue(key, String.class));
        try {
            NodeSettings s = NodeSettings.from(config);
            long retentionMs = config.getInt(RETENTION_DAYS, 90, 1, 36_500) * 86_400_000L;
            tokenLifetimeMs = config.getInt(TOKEN_HOURS, 12, 1, 8_760) * 3_600_000L;
            Database d = Database.open(config, s.dataDir());
            Accounts a = new Accounts(d, Clock.systemUTC());
            FirstAdmin f = new FirstAdmin(a, config, s.dataDir(), "http://localhost:" + s.httpPort());
            AuditTrail t = new AuditTrail(d);
            db = d;
            accounts = a;
            trail = t;
            first = f;
            writer = new AuditWriter(t, QUEUE, retentionMs, Clock.systemUTC(), List.of(f::ensure), threads);
            LOG.info("TRIB-DB-003 console accounts and audit trail in " + d.description() + " (audit kept "
                    + retentionMs / 86_400_000L + " days)");
        } catch (ConfigException e) {
            failure = e;
        }
    }

    @PreDestroy
    void stop() {
        AuditWriter w = writer;
        writer = null;
        if (w != null) {
            w.close();
        }
        Database d = db;
        db = null;
        if (d != null) {
            d.close();
        }
    }

    /** A configuration problem that must stop the node (the broker reports it), if any. */
    public Optional<ConfigException> failure() {
        return Optional.ofNullable(failure);
    }

    /** Where the broker reports changes made through the Kafka protocol. */
    public AuditSink auditSink() {
        return event -> {
            AuditWriter w = writer;
            if (w != null) {
                w.record(event);
            }
        };
    }

    private <T> T call(Supplier<T> work) {
        if (accounts == null) {
            throw new AdminException(AdminException.Kind.UNAVAILABLE, null, failure == null ? "the console database is not open"
                    : "the console database is not configured correctly: " + failure.getMessage());
        }
        try {
            return work.get();
        } catch (AccountException e) {
            AdminException.Kind kind = switch (e.kind()) {
                case INVALID -> AdminException.Kind.INVALID;
                case NOT_FOUND -> AdminException.Kind.NOT_FOUND;
                case CONFLICT -> AdminException.Kind.CONFLICT;
            };
            throw new AdminException(kind, e.field(), e.getMessage());
        } catch (PersistenceException | IllegalStateException e) {
            LOG.warning("TRIB-DB-004 console database unavailable: " + rootMessage(e));
            throw new AdminException(AdminException.Kind.UNAVAILABLE, null, "the console database is unavailable; see the server log");
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable r = e;
        while (r.getCause() != null && r.getCause() != r) {
            r = r.getCause();
        }
        String m = r.getClass().getSimpleName() + ": " + r.getMessage();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    @Override
    public Optional<Account> authenticate(String username, char[] password) {
        return call(() -> accounts.authenticate(username, password));
    }

    @Override
    public Optional<Account> account(String username) {
        return call(() -> accounts.find(username));
    }

    @Override
    public Optional<Account> tokenOwner(String token) {
        return call(() -> accounts.tokenOwner(token));
    }

    @Override
    public String issueToken(String username) {
        return call(() -> accounts.issueToken(username, tokenLifetimeMs));
    }

    @Override
    public long tokenLifetimeMs() {
        return tokenLifetimeMs;
    }

    @Override
    public List<Account> accounts() {
        return call(() -> accounts.list());
    }

    @Override
    public Account createAccount(String username, String role, char[] password) {
        return call(() -> accounts.create(username, role, password));
    }

    @Override
    public Account setRole(String username, String role) {
        return call(() -> accounts.setRole(username, role));
    }

    @Override
    public void setPassword(String username, char[] password) {
        call(() -> {
            accounts.setPassword(username, password);
            return null;
        });
    }

    @Override
    public void deleteAccount(String username) {
        call(() -> {
            accounts.delete(username);
            return null;
        });
    }

    @Override
    public boolean setupOpen() {
        FirstAdmin f = first;
        return f != null && f.setupOpen();
    }

    @Override
    public Account setUp(String secret, String username, char[] password) {
        return call(() -> first.setUp(secret, username, password));
    }

    @Override
    public void record(AuditEvent event) {
        auditSink().record(event);
    }

    @Override
    public AuditTrail.Page audit(AuditTrail.Query query) {
        return call(() -> trail.query(query));
    }

    @Override
    public long auditDropped() {
        AuditWriter w = writer;
        return w == null ? 0 : w.dropped();
    }
}
