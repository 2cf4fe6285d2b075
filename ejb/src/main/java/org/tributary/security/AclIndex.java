package org.tributary.security;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.tributary.metadata.AclsImage;

/**
 * The ACLs of one {@link AclsImage}, indexed for checks: per resource type, literal ACLs by name
 * (the wildcard {@code *} is the name "*") and prefixed ACLs by prefix, with the distinct prefix
 * lengths kept sorted, so a check looks at the ACLs of its resource only: one lookup for the
 * name, one for {@code *}, and one per prefix length in use. No scan of all ACLs.
 *
 * <p>The matching rules are Kafka's (StandardAuthorizer, KIP-11/KIP-290):
 * <ul>
 * <li>an ACL matches a principal when its principal is the same {@code Type:name}, or
 *     {@code User:*}; a host when its host is {@code *} or the client's address;</li>
 * <li>an ALLOW ACL grants its operation, every operation when it is ALL, and the implied ones:
 *     DESCRIBE by READ, WRITE, DELETE and ALTER; DESCRIBE_CONFIGS by ALTER_CONFIGS. A DENY ACL
 *     denies its operation (or every one for ALL), never an implied one;</li>
 * <li>any matching DENY wins over any matching ALLOW.</li>
 * </ul>
 *
 * <p>Immutable and thread-safe; built once per ACL change.
 */
public final class AclIndex {
    static final String WILDCARD_PRINCIPAL = "User:*";
    static final String WILDCARD_HOST = "*";
    static final String WILDCARD_RESOURCE = ResourcePattern.WILDCARD_RESOURCE;

    /** What decided a check. */
    public enum Outcome {
        /** A matching DENY ACL. */
        DENIED_BY_ACL,
        /** A matching ALLOW ACL and no matching DENY. */
        ALLOWED_BY_ACL,
        /** ACLs exist for the resource, none matches (principal, host or operation). */
        NO_MATCHING_ACL,
        /** No ACL at all names the resource ({@code allow.everyone.if.no.acl.found} applies). */
        NO_ACL_FOR_RESOURCE
    }

    /** One ACL, pre-parsed for matching. */
    static final class Entry {
        final AclBinding binding;
        final String principalType;
        final String principalName;
        final boolean anyPrincipal;
        final String host;
        final boolean anyHost;
        final AclOperation operation;
        final boolean deny;

        Entry(AclBinding binding) {
            this.binding = binding;
            String p = binding.entry().principal();
            int colon = p.indexOf(':');
            this.principalType = colon < 0 ? "" : p.substring(0, colon);
            this.principalName = colon < 0 ? p : p.substring(colon + 1);
            this.anyPrincipal = p.equals(WILDCARD_PRINCIPAL);
            this.host = binding.entry().host();
            this.anyHost = host.equals(WILDCARD_HOST);
            this.operation = binding.entry().operation();
            this.deny = binding.entry().permissionType() == AclPermissionType.DENY;
        }

        boolean matchesPrincipal(KafkaPrincipal principal) {
            return anyPrincipal || principalName.equals(principal.getName()) && principalType.equals(principal.getPrincipalType());
        }

        boolean matchesOperation(AclOperation requested) {
            if (operation == AclOperation.ALL || operation == requested) {
                return true;
            }
            if (deny) {
                return false; // a DENY never reaches implied operations
            }
            return implies(operation, requested);
        }
    }

    /** Whether an ALLOW of {@code granted} also allows {@code requested} (Kafka's implied operations). */
    static boolean implies(AclOperation granted, AclOperation requested) {
        if (requested == AclOperation.DESCRIBE) {
            return granted == AclOperation.READ || granted == AclOperation.WRITE || granted == AclOperation.DELETE
                    || granted == AclOperation.ALTER;
        }
        if (requested == AclOperation.DESCRIBE_CONFIGS) {
            return granted == AclOperation.ALTER_CONFIGS;
        }
        return false;
    }

    private static final class Prefixes {
        final int[] lengths;
        final Map<String, Entry[]> byPrefix;

        Prefixes(int[] lengths, Map<String, Entry[]> byPrefix) {
            this.lengths = lengths;
            this.byPrefix = byPrefix;
        }
    }

    private static final Entry[] NONE = new Entry[0];

    private final AclsImage source;
    private final EnumMap<ResourceType, Map<String, Entry[]>> literal = new EnumMap<>(ResourceType.class);
    private final EnumMap<ResourceType, Prefixes> prefixed = new EnumMap<>(ResourceType.class);
    /** Every entry per resource type (for checks by resource type, KIP-679). */
    private final EnumMap<ResourceType, Entry[]> byType = new EnumMap<>(ResourceType.class);

    private AclIndex(AclsImage source) {
        this.source = source;
        Map<ResourceType, Map<String, List<Entry>>> lit = new EnumMap<>(ResourceType.class);
        Map<ResourceType, Map<String, List<Entry>>> pre = new EnumMap<>(ResourceType.class);
        Map<ResourceType, List<Entry>> all = new EnumMap<>(ResourceType.class);
        for (AclBinding b : source.all()) {
            ResourcePattern p = b.pattern();
            Entry e = new Entry(b);
            Map<ResourceType, Map<String, List<Entry>>> target = p.patternType() == PatternType.PREFIXED ? pre : lit;
            target.computeIfAbsent(p.resourceType(), t -> new HashMap<>()).computeIfAbsent(p.name(), n -> new ArrayList<>()).add(e);
            all.computeIfAbsent(p.resourceType(), t -> new ArrayList<>()).add(e);
        }
        lit.forEach((type, m) -> literal.put(type, frozen(m)));
        pre.forEach((type, m) -> {
            TreeSet<Integer> lengths = new TreeSet<>();
            m.keySet().forEach(k -> lengths.add(k.length()));
            prefixed.put(type, new Prefixes(lengths.stream().mapToInt(Integer::intValue).toArray(), frozen(m)));
        });
        all.forEach((type, l) -> byType.put(type, l.toArray(NONE)));
    }

    private static Map<String, Entry[]> frozen(Map<String, List<Entry>> m) {
        Map<String, Entry[]> out = new HashMap<>(m.size() * 2);
        m.forEach((k, v) -> out.put(k, v.toArray(NONE)));
        return out;
    }

    public static AclIndex of(AclsImage acls) {
        return new AclIndex(acls);
    }

    /** The ACL set this index was built from. */
    public AclsImage source() {
        return source;
    }

    /**
     * Decides one check; {@code decisive} (if not null) receives the ACL that decided it (the
     * DENY or ALLOW that matched), for the authorizer's log.
     */
    Outcome decide(KafkaPrincipal principal, InetAddress client, AclOperation op, ResourceType type, String name,
            AclBinding[] decisive) {
        Matcher m = new Matcher(principal, client, op);
        Map<String, Entry[]> lit = literal.get(type);
        if (lit != null) {
            m.scan(lit.get(name));
            if (!name.equals(WILDCARD_RESOURCE)) {
                m.scan(lit.get(WILDCARD_RESOURCE));
            }
        }
        Prefixes pre = prefixed.get(type);
        if (pre != null) {
            for (int len : pre.lengths) {
                if (len > name.length()) {
                    break;
                }
                m.scan(pre.byPrefix.get(len == name.length() ? name : name.substring(0, len)));
                if (m.deny != null) {
                    break;
                }
            }
        }
        if (decisive != null) {
            decisive[0] = m.deny != null ? m.deny.binding : m.allow != null ? m.allow.binding : null;
        }
        if (m.deny != null) {
            return Outcome.DENIED_BY_ACL;
        }
        if (m.allow != null) {
            return Outcome.ALLOWED_BY_ACL;
        }
        return m.sawAny ? Outcome.NO_MATCHING_ACL : Outcome.NO_ACL_FOR_RESOURCE;
    }

    /**
     * Kafka's check by resource type (KIP-679, used for idempotent producers): whether some
     * resource of {@code type} allows {@code op} to the principal: an ALLOW on a literal name or a
     * prefix that no matching DENY covers (a DENY on the same literal name, on a prefix of the
     * allowed name or prefix, or on the wildcard {@code *}, which covers everything).
     */
    boolean allowsSomeResource(KafkaPrincipal principal, InetAddress client, AclOperation op, ResourceType type) {
        Entry[] entries = byType.get(type);
        if (entries == null) {
            return false;
        }
        Matcher m = new Matcher(principal, client, op);
        List<ResourcePattern> denies = new ArrayList<>();
        List<ResourcePattern> allows = new ArrayList<>();
        for (Entry e : entries) {
            if (m.matches(e)) {
                (e.deny ? denies : allows).add(e.binding.pattern());
            }
        }
        for (ResourcePattern d : denies) {
            if (d.patternType() == PatternType.LITERAL && d.name().equals("*")) {
                return false;
            }
        }
        for (ResourcePattern a : allows) {
            if (a.patternType() == PatternType.LITERAL && a.name().equals("*")) {
                return true;
            }
            boolean covered = false;
            for (ResourcePattern d : denies) {
                if (d.patternType() == PatternType.PREFIXED ? a.name().startsWith(d.name())
                        : a.patternType() == PatternType.LITERAL && a.name().equals(d.name())) {
                    covered = true;
                    break;
                }
            }
            if (!covered) {
                return true;
            }
        }
        return false;
    }

    /** Whether any ACL names a resource of {@code type}. */
    boolean hasAclsFor(ResourceType type) {
        return byType.containsKey(type);
    }

    /** Collects the matching ALLOW and DENY of one check; the client's address is formatted only when an ACL names a host. */
    private static final class Matcher {
        final KafkaPrincipal principal;
        final InetAddress client;
        final AclOperation op;
        String hostAddress;
        Entry deny;
        Entry allow;
        boolean sawAny;

        Matcher(KafkaPrincipal principal, InetAddress client, AclOperation op) {
            this.principal = principal;
            this.client = client;
            this.op = op;
        }

        void scan(Entry[] entries) {
            if (entries == null) {
                return;
            }
            sawAny = true;
            for (Entry e : entries) {
                if (deny == null && (e.deny || allow == null) && matches(e)) {
                    if (e.deny) {
                        deny = e;
                        return;
                    }
                    allow = e;
                }
            }
        }

        boolean matches(Entry e) {
            return e.matchesOperation(op) && e.matchesPrincipal(principal) && matchesHost(e);
        }

        private boolean matchesHost(Entry e) {
            if (e.anyHost) {
                return true;
            }
            if (client == null) {
                return false;
            }
            if (hostAddress == null) {
                hostAddress = client.getHostAddress();
            }
            return e.host.equals(hostAddress);
        }
    }

    @Override
    public String toString() {
        return "AclIndex[" + source.byId().size() + " ACLs, literal types " + literal.keySet() + ", prefixed "
                + Arrays.toString(prefixed.keySet().toArray()) + "]";
    }
}
