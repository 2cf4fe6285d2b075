package org.tributary.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.tributary.config.BrokerConfig;
import org.tributary.config.ConfigException;

class AuthorizerConfigTest {

    @Test
    void noAuthorizerClassMeansNoAuthorization() {
        assertTrue(AuthorizerConfig.from(BrokerConfig.of(Map.of())).isEmpty());
        assertTrue(AuthorizerConfig.from(BrokerConfig.of(Map.of("authorizer.class.name", ""))).isEmpty());
    }

    @Test
    void kafkasAclAuthorizersAreAccepted() {
        for (String name : new String[] {"org.apache.kafka.metadata.authorizer.StandardAuthorizer",
                "kafka.security.authorizer.AclAuthorizer"}) {
            AclAuthorizer a = AuthorizerConfig.from(BrokerConfig.of(Map.of("authorizer.class.name", name,
                    "super.users", "User:admin;User:CN=broker,O=acme", "allow.everyone.if.no.acl.found", "true"))).orElseThrow();
            assertEquals(Set.of("User:admin", "User:CN=broker,O=acme"), a.superUsers());
            assertTrue(a.allowEveryoneIfNoAclFound());
        }
        AclAuthorizer defaults = AuthorizerConfig.from(BrokerConfig.of(Map.of("authorizer.class.name",
                "org.apache.kafka.metadata.authorizer.StandardAuthorizer"))).orElseThrow();
        assertFalse(defaults.allowEveryoneIfNoAclFound(), "allow.everyone.if.no.acl.found defaults to false");
        assertTrue(defaults.superUsers().isEmpty());
    }

    @Test
    void otherAuthorizerClassesAndBadValuesAreRefusedNamingTheKey() {
        ConfigException e = assertThrows(ConfigException.class, () -> AuthorizerConfig.from(BrokerConfig.of(Map.of(
                "authorizer.class.name", "com.example.MyAuthorizer"))));
        assertEquals("authorizer.class.name", e.key());
        assertTrue(e.getMessage().contains("com.example.MyAuthorizer"), e.getMessage());
        ConfigException users = assertThrows(ConfigException.class, () -> AuthorizerConfig.from(BrokerConfig.of(Map.of(
                "authorizer.class.name", AuthorizerConfig.STANDARD_AUTHORIZER, "super.users", "User:admin;bob"))));
        assertEquals("super.users", users.key());
        assertThrows(ConfigException.class, () -> AuthorizerConfig.from(BrokerConfig.of(Map.of(
                "authorizer.class.name", AuthorizerConfig.STANDARD_AUTHORIZER, "allow.everyone.if.no.acl.found", "yes"))));
    }
}
