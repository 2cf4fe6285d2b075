package org.tributary.security;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.tributary.metadata.AclsImage;

/**
 * The ACL authorizer: Kafka's StandardAuthorizer model over the ACLs of the metadata image.
 * A check is allowed when the principal is a super user ({@code super.users}); else when a
 * matching ALLOW ACL exists and no matching DENY ({@link AclIndex} has the matching rules); else,
 * only when no ACL at all names the resource, {@code allow.everyone.if.no.acl.found} decides.
 *
 * <p>Each check is made against the ACLs of the request's own image. The index of the newest ACL
 * set is kept; an image whose entry did not change ACLs shares its {@link AclsImage}, so the
 * index is rebuilt only when ACLs change (and the check is then hash lookups, no scan).
 *
 * <p>Decisions are logged to {@value #LOGGER_NAME} (Kafka's {@code kafka.authorizer.logger}):
 * denials at FINE, grants at FINEST, one line each; never at INFO or above, so denied clients
 * cannot fill the log. Thread-safe.
 */
public final class AclAuthorizer {
    public static final String LOGGER_NAME = "org.tributary.security.authorizer";
    /**
     * The principal type of the node's own console and REST API when they call the request
     * handlers in-process ({@code Console:<account>}). No listener ever produces it (connections
     * are {@code User:...}), so it cannot be claimed over the network; it is a super user, as the
     * broker's own identity is in Kafka: the console authorizes its callers by their role first.
     */
    public static final String CONSOLE_PRINCIPAL_TYPE = "Console";
    private static final Logger LOG = Logger.getLogger(LOGGER_NAME);

    private final Set<String> superUsers;
    /** The super users as (type, name) pairs: a check compares without building strings. */
    private final String[][] superUserParts;
    private final boolean allowEveryoneIfNoAclFound;
    private volatile AclIndex index = AclIndex.of(AclsImage.EMPTY);

    public AclAuthorizer(Set<String> superUsers, boolean allowEveryoneIfNoAclFound) {
        this.superUsers = Set.copyOf(superUsers);
        this.superUserParts = this.superUsers.stream().map(u -> {
            int colon = u.indexOf(':');
            return new String[] {colon < 0 ? "" : u.substring(0, colon), u.substring(colon + 1)};
        }).toArray(String[][]::new);
        this.allowEveryoneIfNoAclFound = allowEveryoneIfNoAclFound;
    }

    public Set<String> superUsers() {
        return superUsers;
    }

    public boolean allowEveryoneIfNoAclFound() {
        return allowEveryoneIfNoAclFound;
    }

    /** The index for {@code acls}: the cached one when it is the same set (the common case). */
    AclIndex index(AclsImage acls) {
        AclIndex i = index;
        if (i.source() == acls) {
            return i;
        }
        AclIndex built = AclIndex.of(acls);
        index = built; // a request on an older image may swap an older index in; the next one swaps it back
        return built;
    }

    boolean isSuperUser(KafkaPrincipal principal) {
        if (CONSOLE_PRINCIPAL_TYPE.equals(principal.getPrincipalType())) {
            return true;
        }
        for (String[] u : superUserParts) {
            if (u[1].equals(principal.getName()) && u[0].equals(principal.getPrincipalType())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether {@code principal} connecting from {@code client} may do {@code op} on the resource.
     * {@code logIfDenied = false} for checks that only filter what is shown (as Kafka does for
     * listings); {@code api} names the request in the log line.
     */
    public boolean authorize(AclsImage acls, KafkaPrincipal principal, InetAddress client, AclOperation op, ResourceType type,
            String resourceName, boolean logIfDenied, String api) {
        String name = resourceName == null ? "" : resourceName; // a missing name matches only wildcards and empty prefixes
        if (isSuperUser(principal)) {
            log(true, "super user", principal, client, op, type, name, api, true);
            return true;
        }
        AclBinding[] rule = LOG.isLoggable(Level.FINE) ? new AclBinding[1] : null;
        AclIndex.Outcome outcome = index(acls).decide(principal, client, op, type, name, rule);
        boolean allowed = outcome == AclIndex.Outcome.ALLOWED_BY_ACL
                || outcome == AclIndex.Outcome.NO_ACL_FOR_RESOURCE && allowEveryoneIfNoAclFound;
        if (rule != null) {
            String why = rule[0] != null ? "ACL " + rule[0] : outcome == AclIndex.Outcome.NO_ACL_FOR_RESOURCE
                    ? "no ACL for the resource (allow.everyone.if.no.acl.found=" + allowEveryoneIfNoAclFound + ")" : "no matching ACL";
            log(allowed, why, principal, client, op, type, name, api, logIfDenied);
        }
        return allowed;
    }

    /**
     * Kafka's {@code authorizeByResourceType} (KIP-679): whether some resource of {@code type}
     * allows {@code op} (used for idempotent producers: WRITE on any topic).
     */
    public boolean authorizeByResourceType(AclsImage acls, KafkaPrincipal principal, InetAddress client, AclOperation op,
            ResourceType type) {
        if (isSuperUser(principal)) {
            return true;
        }
        AclIndex i = index(acls);
        if (i.allowsSomeResource(principal, client, op, type)) {
            return true;
        }
        return allowEveryoneIfNoAclFound && !i.hasAclsFor(type);
    }

    /**
     * KIP-430: the operations of {@code candidates} the principal may do on the resource, as a
     * bit field (bit {@code op.code()} set when allowed). Checks are not logged.
     */
    public int authorizedOperations(AclsImage acls, KafkaPrincipal principal, InetAddress client, ResourceType type, String name,
            Set<AclOperation> candidates) {
        int bits = 0;
        for (AclOperation op : candidates) {
            if (authorize(acls, principal, client, op, type, name, false, "")) {
                bits |= 1 << op.code();
            }
        }
        return bits;
    }

    /** The ACLs {@code filter} matches (DescribeAcls, and what DeleteAcls would remove). */
    public static List<AclBinding> matching(AclsImage acls, AclBindingFilter filter) {
        List<AclBinding> out = new ArrayList<>();
        for (AclBinding b : acls.all()) {
            if (filter.matches(b)) {
                out.add(b);
            }
        }
        return out;
    }

    private static void log(boolean allowed, String why, KafkaPrincipal principal, InetAddress client, AclOperation op,
            ResourceType type, String name, String api, boolean logIfDenied) {
        Level level = allowed ? Level.FINEST : Level.FINE;
        if ((allowed || logIfDenied) && LOG.isLoggable(level)) {
            LOG.log(level, "Principal = " + principal + " is " + (allowed ? "Allowed" : "Denied") + " operation = " + op
                    + " from host = " + (client == null ? "" : client.getHostAddress()) + " on resource = " + type + ":"
                    + printable(name) + " for request = " + api + " based on " + why);
        }
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), 256));
        for (int i = 0; i < s.length() && i < 256; i++) {
            char c = s.charAt(i);
            b.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return b.toString();
    }
}
