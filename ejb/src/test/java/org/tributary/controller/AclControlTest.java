package org.tributary.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;
import org.tributary.metadata.MetadataDelta;
import org.tributary.metadata.MetadataImage;
import org.tributary.metadata.MetadataRecord;

class AclControlTest {
    static AclBinding acl(ResourceType type, String name, PatternType pattern, String principal, AclOperation op) {
        return new AclBinding(new ResourcePattern(type, name, pattern), new AccessControlEntry(principal, "*", op,
                AclPermissionType.ALLOW));
    }

    static final AclBinding A = acl(ResourceType.TOPIC, "orders-", PatternType.PREFIXED, "User:alice", AclOperation.WRITE);
    static final AclBinding B = acl(ResourceType.TOPIC, "orders-1", PatternType.LITERAL, "User:bob", AclOperation.READ);
    static final AclBinding C = acl(ResourceType.GROUP, "g", PatternType.LITERAL, "User:bob", AclOperation.READ);

    private static MetadataImage apply(MetadataImage image, ControllerResult<?> r) {
        return r.records().isEmpty() ? image : MetadataDelta.apply(image, r.records(), image.offset() + 1, 0);
    }

    @Test
    void createWritesEachNewAclOnceAndAnExistingOneNotAgain() {
        ControllerResult<List<ApiError>> r = AclControl.createAcls(MetadataImage.EMPTY, List.of(A, B, A), Uuid::randomUuid);
        assertEquals(List.of(ApiError.NONE, ApiError.NONE, ApiError.NONE), r.response());
        assertEquals(2, r.records().size(), "the duplicate in one request is written once");
        MetadataImage img = apply(MetadataImage.EMPTY, r);
        assertEquals(Set.of(A, B), Set.copyOf(img.acls().all()));
        ControllerResult<List<ApiError>> again = AclControl.createAcls(img, List.of(B, C), Uuid::randomUuid);
        assertEquals(List.of(ApiError.NONE, ApiError.NONE), again.response());
        assertEquals(1, again.records().size(), "an ACL in force succeeds without a record");
    }

    @Test
    void invalidAclsGetInvalidRequestAndNoRecord() {
        List<AclBinding> bad = List.of(
                acl(ResourceType.TOPIC, "", PatternType.LITERAL, "User:a", AclOperation.READ),
                acl(ResourceType.UNKNOWN, "t", PatternType.LITERAL, "User:a", AclOperation.READ),
                acl(ResourceType.TOPIC, "t", PatternType.UNKNOWN, "User:a", AclOperation.READ),
                acl(ResourceType.TOPIC, "t", PatternType.LITERAL, "User:a", AclOperation.UNKNOWN),
                acl(ResourceType.TOPIC, "t", PatternType.LITERAL, "nocolon", AclOperation.READ),
                new AclBinding(new ResourcePattern(ResourceType.TOPIC, "t", PatternType.LITERAL),
                        new AccessControlEntry("User:a", "*", AclOperation.READ, AclPermissionType.UNKNOWN)));
        ControllerResult<List<ApiError>> r = AclControl.createAcls(MetadataImage.EMPTY, bad, Uuid::randomUuid);
        assertTrue(r.records().isEmpty());
        r.response().forEach(e -> assertEquals(Errors.INVALID_REQUEST, e.error(), e.toString()));
        assertTrue(r.response().get(0).message().contains("empty"), r.response().get(0).message());
    }

    @Test
    void deleteRemovesEveryMatchOnceAndReportsItPerFilter() {
        MetadataImage img = apply(MetadataImage.EMPTY, AclControl.createAcls(MetadataImage.EMPTY, List.of(A, B, C), Uuid::randomUuid));
        AclBindingFilter bob = new AclBindingFilter(ResourcePatternFilter.ANY,
                new AccessControlEntryFilter("User:bob", null, AclOperation.ANY, AclPermissionType.ANY));
        AclBindingFilter topicOrders1 = new AclBindingFilter(new ResourcePatternFilter(ResourceType.TOPIC, "orders-1",
                PatternType.MATCH), AccessControlEntryFilter.ANY);
        ControllerResult<List<AclControl.DeleteResult>> r = AclControl.deleteAcls(img, List.of(bob, topicOrders1));
        assertEquals(Set.of(B, C), Set.copyOf(r.response().get(0).deleted()));
        assertEquals(Set.of(A, B), Set.copyOf(r.response().get(1).deleted()), "MATCH finds the prefixed ACL too");
        assertEquals(3, r.records().size(), "B is removed once though two filters match it");
        r.records().forEach(x -> assertTrue(x instanceof MetadataRecord.RemoveAccessControlEntryRecord));
        assertTrue(apply(img, r).acls().isEmpty());
    }

    @Test
    void anUnknownFilterIsInvalidRequest() {
        AclBindingFilter unknown = new AclBindingFilter(new ResourcePatternFilter(ResourceType.UNKNOWN, null, PatternType.ANY),
                AccessControlEntryFilter.ANY);
        ControllerResult<List<AclControl.DeleteResult>> r = AclControl.deleteAcls(MetadataImage.EMPTY, List.of(unknown));
        assertEquals(Errors.INVALID_REQUEST, r.response().get(0).error().error());
        assertTrue(r.records().isEmpty());
    }
}
