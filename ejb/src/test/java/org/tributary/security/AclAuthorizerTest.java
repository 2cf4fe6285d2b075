package org.tributary.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.junit.jupiter.api.Test;
import org.tributary.metadata.AclsImage;
import org.tributary.metadata.MetadataDelta;
import org.tributary.metadata.MetadataImage;
import org.tributary.metadata.MetadataRecord;

class AclAuthorizerTest {
    static final KafkaPrincipal ALICE = new KafkaPrincipal("User", "alice");
    static final KafkaPrincipal BOB = new KafkaPrincipal("User", "bob");
    static final InetAddress HOST1 = address("10.0.0.1");
    static final InetAddress HOST2 = address("10.0.0.2");

    static InetAddress address(String ip) {
        try {
            return InetAddress.getByName(ip);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    static AclBinding acl(ResourceType type, String name, PatternType pattern, String principal, String host, AclOperation op,
            AclPermissionType permission) {
        return new AclBinding(new ResourcePattern(type, name, pattern), new AccessControlEntry(principal, host, op, permission));
    }

    static AclBinding allowTopic(String name, PatternType pattern, String principal, AclOperation op) {
        return acl(ResourceType.TOPIC, name, pattern, principal, "*", op, AclPermissionType.ALLOW);
    }

    static AclBinding denyTopic(String name, PatternType pattern, String principal, AclOperation op) {
        return acl(ResourceType.TOPIC, name, pattern, principal, "*", op, AclPermissionType.DENY);
    }

    /** The ACLs as the metadata log would hold them. */
    static AclsImage acls(AclBinding... bindings) {
        List<MetadataRecord> records = new ArrayList<>();
        for (AclBinding b : bindings) {
            records.add(new MetadataRecord.AccessControlEntryRecord(Uuid.randomUuid(), b));
        }
        return MetadataDelta.apply(MetadataImage.EMPTY, records, 0, 0).acls();
    }

    private final AclAuthorizer authorizer = new AclAuthorizer(Set.of(), false);

    private boolean may(AclAuthorizer a, AclsImage acls, KafkaPrincipal p, InetAddress host, AclOperation op, ResourceType type,
            String name) {
        return a.authorize(acls, p, host, op, type, name, true, "Test");
    }

    private boolean may(AclsImage acls, KafkaPrincipal p, AclOperation op, String topic) {
        return may(authorizer, acls, p, HOST1, op, ResourceType.TOPIC, topic);
    }

    @Test
    void withoutAnyAclEverythingIsDeniedByDefault() {
        assertFalse(may(AclsImage.EMPTY, ALICE, AclOperation.READ, "t"));
        assertFalse(may(authorizer, AclsImage.EMPTY, ALICE, HOST1, AclOperation.DESCRIBE, ResourceType.CLUSTER, "kafka-cluster"));
    }

    @Test
    void aLiteralAclGrantsItsOperationOnItsTopicOnly() {
        AclsImage a = acls(allowTopic("orders", PatternType.LITERAL, "User:alice", AclOperation.WRITE));
        assertTrue(may(a, ALICE, AclOperation.WRITE, "orders"));
        assertFalse(may(a, ALICE, AclOperation.READ, "orders"));
        assertFalse(may(a, ALICE, AclOperation.WRITE, "orders-1"));
        assertFalse(may(a, ALICE, AclOperation.WRITE, "order"));
        assertFalse(may(a, BOB, AclOperation.WRITE, "orders"));
        assertFalse(may(authorizer, a, ALICE, HOST1, AclOperation.WRITE, ResourceType.GROUP, "orders"));
    }

    @Test
    void aPrefixedAclGrantsEveryTopicStartingWithThePrefix() {
        AclsImage a = acls(allowTopic("orders-", PatternType.PREFIXED, "User:alice", AclOperation.WRITE),
                allowTopic("o", PatternType.PREFIXED, "User:bob", AclOperation.READ));
        assertTrue(may(a, ALICE, AclOperation.WRITE, "orders-1"));
        assertTrue(may(a, ALICE, AclOperation.WRITE, "orders-"));
        assertFalse(may(a, ALICE, AclOperation.WRITE, "orders"));
        assertFalse(may(a, ALICE, AclOperation.WRITE, "payments"));
        assertTrue(may(a, BOB, AclOperation.READ, "orders-1"));
        assertTrue(may(a, BOB, AclOperation.READ, "o"));
        assertFalse(may(a, BOB, AclOperation.READ, "payments"));
    }

    @Test
    void aPrefixedAclIsNotALiteralOneAndViceVersa() {
        AclsImage a = acls(allowTopic("orders*", PatternType.LITERAL, "User:alice", AclOperation.WRITE));
        assertFalse(may(a, ALICE, AclOperation.WRITE, "orders-1"), "a literal name with * is no pattern");
        assertTrue(may(a, ALICE, AclOperation.WRITE, "orders*"));
    }

    @Test
    void theWildcardLiteralMatchesEveryResourceOfItsType() {
        AclsImage a = acls(allowTopic("*", PatternType.LITERAL, "User:alice", AclOperation.READ));
        assertTrue(may(a, ALICE, AclOperation.READ, "anything"));
        assertTrue(may(a, ALICE, AclOperation.READ, "*"));
        assertFalse(may(authorizer, a, ALICE, HOST1, AclOperation.READ, ResourceType.GROUP, "anything"));
    }

    @Test
    void theWildcardPrincipalMatchesEveryUser() {
        AclsImage a = acls(allowTopic("t", PatternType.LITERAL, "User:*", AclOperation.READ));
        assertTrue(may(a, ALICE, AclOperation.READ, "t"));
        assertTrue(may(a, BOB, AclOperation.READ, "t"));
        assertTrue(may(a, KafkaPrincipal.ANONYMOUS, AclOperation.READ, "t"));
    }

    @Test
    void denyWinsOverAllowWhateverPatternCarriesIt() {
        AclsImage a = acls(allowTopic("orders-", PatternType.PREFIXED, "User:alice", AclOperation.WRITE),
                denyTopic("orders-secret", PatternType.LITERAL, "User:alice", AclOperation.WRITE),
                allowTopic("*", PatternType.LITERAL, "User:bob", AclOperation.ALL),
                denyTopic("pay", PatternType.PREFIXED, "User:*", AclOperation.ALL));
        assertTrue(may(a, ALICE, AclOperation.WRITE, "orders-1"));
        assertFalse(may(a, ALICE, AclOperation.WRITE, "orders-secret"));
        assertTrue(may(a, BOB, AclOperation.DELETE, "orders-1"));
        assertFalse(may(a, BOB, AclOperation.READ, "payments"));
        AclsImage b = acls(allowTopic("t", PatternType.LITERAL, "User:alice", AclOperation.READ),
                denyTopic("*", PatternType.LITERAL, "User:alice", AclOperation.READ));
        assertFalse(may(b, ALICE, AclOperation.READ, "t"));
    }

    @Test
    void hostsMatchExactlyOrByWildcard() {
        AclsImage a = acls(acl(ResourceType.TOPIC, "t", PatternType.LITERAL, "User:alice", "10.0.0.1", AclOperation.READ,
                AclPermissionType.ALLOW));
        assertTrue(may(authorizer, a, ALICE, HOST1, AclOperation.READ, ResourceType.TOPIC, "t"));
        assertFalse(may(authorizer, a, ALICE, HOST2, AclOperation.READ, ResourceType.TOPIC, "t"));
        AclsImage denyOne = acls(allowTopic("t", PatternType.LITERAL, "User:alice", AclOperation.READ),
                acl(ResourceType.TOPIC, "t", PatternType.LITERAL, "User:alice", "10.0.0.2", AclOperation.READ, AclPermissionType.DENY));
        assertTrue(may(authorizer, denyOne, ALICE, HOST1, AclOperation.READ, ResourceType.TOPIC, "t"));
        assertFalse(may(authorizer, denyOne, ALICE, HOST2, AclOperation.READ, ResourceType.TOPIC, "t"));
    }

    @Test
    void describeIsImpliedByReadWriteDeleteAndAlterAndDescribeConfigsByAlterConfigs() {
        for (AclOperation op : List.of(AclOperation.READ, AclOperation.WRITE, AclOperation.DELETE, AclOperation.ALTER)) {
            AclsImage a = acls(allowTopic("t", PatternType.LITERAL, "User:alice", op));
            assertTrue(may(a, ALICE, AclOperation.DESCRIBE, "t"), op + " implies DESCRIBE");
            assertFalse(may(a, ALICE, AclOperation.DESCRIBE_CONFIGS, "t"), op + " does not imply DESCRIBE_CONFIGS");
        }
        AclsImage c = acls(allowTopic("t", PatternType.LITERAL, "User:alice", AclOperation.ALTER_CONFIGS));
        assertTrue(may(c, ALICE, AclOperation.DESCRIBE_CONFIGS, "t"));
        assertFalse(may(c, ALICE, AclOperation.DESCRIBE, "t"));
        AclsImage d = acls(allowTopic("t", PatternType.LITERAL, "User:alice", AclOperation.DESCRIBE));
        assertFalse(may(d, ALICE, AclOperation.READ, "t"), "nothing implies upwards");
        AclsImage all = acls(allowTopic("t", PatternType.LITERAL, "User:alice", AclOperation.ALL));
        for (AclOperation op : EnumSet.of(AclOperation.READ, AclOperation.WRITE, AclOperation.CREATE, AclOperation.DELETE,
                AclOperation.ALTER, AclOperation.DESCRIBE, AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS)) {
            assertTrue(may(all, ALICE, op, "t"), "ALL grants " + op);
        }
    }

    @Test
    void aDenyDoesNotReachImpliedOperations() {
        AclsImage a = acls(allowTopic("t", PatternType.LITERAL, "User:alice", AclOperation.DESCRIBE),
                denyTopic("t", PatternType.LITERAL, "User:alice", AclOperation.READ));
        assertTrue(may(a, ALICE, AclOperation.DESCRIBE, "t"), "DENY READ leaves DESCRIBE alone (as Kafka)");
        assertFalse(may(a, ALICE, AclOperation.READ, "t"));
        AclsImage denyAll = acls(allowTopic("t", PatternType.LITERAL, "User:alice", AclOperation.DESCRIBE),
                denyTopic("t", PatternType.LITERAL, "User:alice", AclOperation.ALL));
        assertFalse(may(denyAll, ALICE, AclOperation.DESCRIBE, "t"));
    }

    @Test
    void superUsersMayDoAnythingEvenAgainstADeny() {
        AclAuthorizer a = new AclAuthorizer(AuthorizerConfig.superUsers("User:admin; User:ops"), false);
        AclsImage acls = acls(denyTopic("t", PatternType.LITERAL, "User:*", AclOperation.ALL));
        assertTrue(may(a, acls, new KafkaPrincipal("User", "admin"), HOST1, AclOperation.DELETE, ResourceType.TOPIC, "t"));
        assertTrue(may(a, acls, new KafkaPrincipal("User", "ops"), HOST1, AclOperation.ALTER, ResourceType.CLUSTER, "kafka-cluster"));
        assertFalse(may(a, acls, ALICE, HOST1, AclOperation.READ, ResourceType.TOPIC, "t"));
        assertFalse(may(a, acls, new KafkaPrincipal("Group", "admin"), HOST1, AclOperation.READ, ResourceType.TOPIC, "t"),
                "the principal type counts");
    }

    @Test
    void allowEveryoneIfNoAclFoundAppliesOnlyToResourcesWithoutAnyAcl() {
        AclAuthorizer open = new AclAuthorizer(Set.of(), true);
        AclsImage a = acls(allowTopic("guarded", PatternType.LITERAL, "User:bob", AclOperation.READ),
                allowTopic("team-", PatternType.PREFIXED, "User:bob", AclOperation.READ));
        assertTrue(may(open, a, ALICE, HOST1, AclOperation.READ, ResourceType.TOPIC, "free"));
        assertTrue(may(open, a, ALICE, HOST1, AclOperation.DELETE, ResourceType.TOPIC, "free"));
        assertFalse(may(open, a, ALICE, HOST1, AclOperation.READ, ResourceType.TOPIC, "guarded"));
        assertFalse(may(open, a, ALICE, HOST1, AclOperation.READ, ResourceType.TOPIC, "team-x"), "a prefixed ACL names it");
        assertTrue(may(open, a, BOB, HOST1, AclOperation.READ, ResourceType.TOPIC, "guarded"));
        assertFalse(may(authorizer, a, ALICE, HOST1, AclOperation.READ, ResourceType.TOPIC, "free"), "default false");
    }

    @Test
    void checksByResourceTypeFollowKip679() {
        KafkaPrincipal p = ALICE;
        assertFalse(authorizer.authorizeByResourceType(AclsImage.EMPTY, p, HOST1, AclOperation.WRITE, ResourceType.TOPIC));
        AclsImage prefixed = acls(allowTopic("orders-", PatternType.PREFIXED, "User:alice", AclOperation.WRITE));
        assertTrue(authorizer.authorizeByResourceType(prefixed, p, HOST1, AclOperation.WRITE, ResourceType.TOPIC));
        assertFalse(authorizer.authorizeByResourceType(prefixed, BOB, HOST1, AclOperation.WRITE, ResourceType.TOPIC));
        AclsImage coveredByDeny = acls(allowTopic("orders-1", PatternType.LITERAL, "User:alice", AclOperation.WRITE),
                denyTopic("orders", PatternType.PREFIXED, "User:alice", AclOperation.WRITE));
        assertFalse(authorizer.authorizeByResourceType(coveredByDeny, p, HOST1, AclOperation.WRITE, ResourceType.TOPIC));
        AclsImage wildcardDeny = acls(allowTopic("a", PatternType.LITERAL, "User:alice", AclOperation.ALL),
                denyTopic("*", PatternType.LITERAL, "User:*", AclOperation.WRITE));
        assertFalse(authorizer.authorizeByResourceType(wildcardDeny, p, HOST1, AclOperation.WRITE, ResourceType.TOPIC));
        AclsImage uncovered = acls(allowTopic("a", PatternType.LITERAL, "User:alice", AclOperation.WRITE),
                denyTopic("b", PatternType.LITERAL, "User:alice", AclOperation.WRITE));
        assertTrue(authorizer.authorizeByResourceType(uncovered, p, HOST1, AclOperation.WRITE, ResourceType.TOPIC));
    }

    @Test
    void authorizedOperationsAreKafkasBitField() {
        AclsImage a = acls(allowTopic("t", PatternType.LITERAL, "User:alice", AclOperation.READ));
        int bits = authorizer.authorizedOperations(a, ALICE, HOST1, ResourceType.TOPIC, "t",
                EnumSet.of(AclOperation.READ, AclOperation.WRITE, AclOperation.DESCRIBE));
        assertEquals((1 << AclOperation.READ.code()) | (1 << AclOperation.DESCRIBE.code()), bits);
    }

    @Test
    void describeFiltersMatchAsKafkasFilters() {
        AclBinding one = allowTopic("orders-", PatternType.PREFIXED, "User:alice", AclOperation.WRITE);
        AclBinding two = allowTopic("orders-1", PatternType.LITERAL, "User:bob", AclOperation.READ);
        AclsImage a = acls(one, two);
        assertEquals(Set.of(one, two), Set.copyOf(AclAuthorizer.matching(a, AclBindingFilter.ANY)));
        AclBindingFilter matching = new AclBindingFilter(new org.apache.kafka.common.resource.ResourcePatternFilter(
                ResourceType.TOPIC, "orders-1", PatternType.MATCH), org.apache.kafka.common.acl.AccessControlEntryFilter.ANY);
        assertEquals(Set.of(one, two), Set.copyOf(AclAuthorizer.matching(a, matching)));
        AclBindingFilter bob = new AclBindingFilter(org.apache.kafka.common.resource.ResourcePatternFilter.ANY,
                new org.apache.kafka.common.acl.AccessControlEntryFilter("User:bob", null, AclOperation.ANY, AclPermissionType.ANY));
        assertEquals(List.of(two), AclAuthorizer.matching(a, bob));
    }

    @Test
    void theIndexIsKeptWhileTheAclSetIsTheSameObject() {
        AclsImage a = acls(allowTopic("t", PatternType.LITERAL, "User:alice", AclOperation.READ));
        AclIndex first = authorizer.index(a);
        assertTrue(first == authorizer.index(a));
        AclsImage b = acls(allowTopic("t", PatternType.LITERAL, "User:alice", AclOperation.WRITE));
        assertTrue(authorizer.index(b) != first);
        assertTrue(may(b, ALICE, AclOperation.WRITE, "t"));
        assertFalse(may(b, ALICE, AclOperation.READ, "t"));
    }

    @Test
    void denialsAreLoggedAtFineOneLineEachAndNeverAboveIt() {
        java.util.logging.Logger log = java.util.logging.Logger.getLogger(AclAuthorizer.LOGGER_NAME);
        List<java.util.logging.LogRecord> records = new ArrayList<>();
        java.util.logging.Handler h = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                records.add(r);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        h.setLevel(java.util.logging.Level.ALL);
        java.util.logging.Level before = log.getLevel();
        log.addHandler(h);
        try {
            AclsImage a = acls(allowTopic("t", PatternType.LITERAL, "User:alice", AclOperation.READ));
            log.setLevel(java.util.logging.Level.INFO); // the default: nothing at all
            for (int i = 0; i < 1000; i++) {
                may(a, BOB, AclOperation.READ, "t");
            }
            assertEquals(List.of(), records);
            log.setLevel(java.util.logging.Level.FINE);
            assertFalse(may(a, BOB, AclOperation.READ, "t"));
            assertTrue(may(a, ALICE, AclOperation.READ, "t"));
            authorizer.authorize(a, BOB, HOST1, AclOperation.DESCRIBE, ResourceType.TOPIC, "t", false, "Metadata");
            assertEquals(1, records.size(), "one line for the denial; grants are FINEST, filtered denials not logged");
            java.util.logging.LogRecord r = records.get(0);
            assertEquals(java.util.logging.Level.FINE, r.getLevel());
            assertEquals("Principal = User:bob is Denied operation = READ from host = 10.0.0.1 on resource = TOPIC:t for request = Test"
                    + " based on no matching ACL", r.getMessage());
        } finally {
            log.removeHandler(h);
            log.setLevel(before);
        }
    }

    /**
     * A produce-like check with many ACLs in force: literal, prefixed and wildcard ACLs on 10,000
     * topics of 1,000 users, checked for one principal and topic after another. The index keeps a
     * check to a few hash lookups; this asserts a floor far below what it reaches, and prints the rate.
     */
    @Test
    void checksStayCheapWithManyAcls() {
        List<AclBinding> bindings = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            bindings.add(allowTopic("topic-" + i, PatternType.LITERAL, "User:user-" + (i % 1000), AclOperation.WRITE));
        }
        for (int i = 0; i < 200; i++) {
            bindings.add(allowTopic("team-" + i + "-", PatternType.PREFIXED, "User:user-" + i, AclOperation.READ));
        }
        bindings.add(denyTopic("topic-13", PatternType.LITERAL, "User:*", AclOperation.WRITE));
        AclsImage a = acls(bindings.toArray(AclBinding[]::new));
        KafkaPrincipal[] users = new KafkaPrincipal[1000];
        for (int i = 0; i < users.length; i++) {
            users[i] = new KafkaPrincipal("User", "user-" + i);
        }
        String[] topics = new String[10_000];
        for (int i = 0; i < topics.length; i++) {
            topics[i] = "topic-" + i;
        }
        int allowed = 0;
        for (int warm = 0; warm < 200_000; warm++) {
            allowed += may(a, users[warm % 1000], AclOperation.WRITE, topics[warm % 10_000]) ? 1 : 0;
        }
        int checks = 2_000_000;
        long start = System.nanoTime();
        allowed = 0;
        for (int i = 0; i < checks; i++) {
            allowed += authorizer.authorize(a, users[i % 1000], HOST1, AclOperation.WRITE, ResourceType.TOPIC, topics[i % 10_000],
                    true, "Produce") ? 1 : 0;
        }
        long nanos = System.nanoTime() - start;
        double perSecond = checks * 1e9 / nanos;
        System.out.printf("ACL checks: %,d in %d ms = %,.0f checks/s (%d ACLs in force)%n", checks, nanos / 1_000_000, perSecond,
                bindings.size());
        assertEquals(checks - checks / 10_000, allowed, "every user owns its topics, except the denied topic-13");
        assertTrue(perSecond > 200_000, "a check must stay cheap: " + perSecond + " checks/s");
    }
}
