package org.tributary.security;

import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.utils.SecurityUtils;
import org.tributary.config.BrokerConfig;
import org.tributary.config.ConfigException;

/**
 * The authorizer settings, with Kafka's names: {@code authorizer.class.name} (empty: no
 * authorization, as in Kafka; Kafka's ACL authorizers {@value #STANDARD_AUTHORIZER} and
 * {@value #ZK_ACL_AUTHORIZER} both mean this broker's ACL authorizer; any other class is refused),
 * {@code super.users} (principals separated by semicolons, each {@code Type:name}) and
 * {@code allow.everyone.if.no.acl.found} (default false).
 */
public final class AuthorizerConfig {
    public static final String AUTHORIZER_CLASS_NAME = "authorizer.class.name";
    public static final String SUPER_USERS = "super.users";
    public static final String ALLOW_EVERYONE_IF_NO_ACL_FOUND = "allow.everyone.if.no.acl.found";
    public static final String STANDARD_AUTHORIZER = "org.apache.kafka.metadata.authorizer.StandardAuthorizer";
    public static final String ZK_ACL_AUTHORIZER = "kafka.security.authorizer.AclAuthorizer";

    private AuthorizerConfig() {
    }

    /** The configured authorizer, or empty when none is configured; a bad setting is a {@link ConfigException}. */
    public static Optional<AclAuthorizer> from(BrokerConfig config) {
        String className = config.getString(AUTHORIZER_CLASS_NAME, "");
        Set<String> superUsers = superUsers(config.getString(SUPER_USERS, ""));
        boolean allowEveryone = config.getBoolean(ALLOW_EVERYONE_IF_NO_ACL_FOUND, false);
        if (className.isEmpty()) {
            return Optional.empty();
        }
        if (!className.equals(STANDARD_AUTHORIZER) && !className.equals(ZK_ACL_AUTHORIZER)) {
            throw new ConfigException(AUTHORIZER_CLASS_NAME, className, "only Kafka's ACL authorizer (" + STANDARD_AUTHORIZER
                    + " or " + ZK_ACL_AUTHORIZER + ") is supported; custom authorizer classes cannot be loaded");
        }
        return Optional.of(new AclAuthorizer(superUsers, allowEveryone));
    }

    /** {@code User:alice;User:bob} as canonical {@code Type:name} strings. */
    static Set<String> superUsers(String value) {
        Set<String> out = new LinkedHashSet<>();
        for (String s : value.split(";")) {
            String p = s.trim();
            if (p.isEmpty()) {
                continue;
            }
            KafkaPrincipal principal;
            try {
                principal = SecurityUtils.parseKafkaPrincipal(p);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(SUPER_USERS, value, "'" + p + "' is not a principal of the form Type:name (e.g. User:admin)");
            }
            out.add(principal.getPrincipalType() + ":" + principal.getName());
        }
        return out;
    }
}
