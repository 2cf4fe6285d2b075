package org.tributary.controller;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.message.CreateAclsRequestData;
import org.apache.kafka.common.message.CreateAclsResponseData;
import org.apache.kafka.common.message.DeleteAclsRequestData;
import org.apache.kafka.common.message.DeleteAclsResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.resource.ResourceType;
import org.tributary.metadata.MetadataImage;

/**
 * Kafka's CreateAcls and DeleteAcls messages, as brokers forward them, to and from
 * {@link AclControl}'s bindings and filters. Stateless.
 */
public final class AclMessages {
    private AclMessages() {
    }

    /** The ACL a creation names, or null when its codes do not make a pattern (an ANY or MATCH pattern). */
    public static AclBinding binding(CreateAclsRequestData.AclCreation c) {
        try {
            return new AclBinding(new ResourcePattern(ResourceType.fromCode(c.resourceType()), c.resourceName(),
                    PatternType.fromCode(c.resourcePatternType())), new AccessControlEntry(c.principal(), c.host(),
                    AclOperation.fromCode(c.operation()), AclPermissionType.fromCode(c.permissionType())));
        } catch (IllegalArgumentException | NullPointerException e) {
            return null;
        }
    }

    public static AclBindingFilter filter(DeleteAclsRequestData.DeleteAclsFilter f) {
        return new AclBindingFilter(new ResourcePatternFilter(ResourceType.fromCode(f.resourceTypeFilter()), f.resourceNameFilter(),
                PatternType.fromCode(f.patternTypeFilter())), new AccessControlEntryFilter(f.principalFilter(), f.hostFilter(),
                AclOperation.fromCode(f.operation()), AclPermissionType.fromCode(f.permissionType())));
    }

    public static DeleteAclsResponseData.DeleteAclsMatchingAcl matchingAcl(AclBinding b) {
        return new DeleteAclsResponseData.DeleteAclsMatchingAcl().setErrorCode(Errors.NONE.code()).setErrorMessage(null)
                .setResourceType(b.pattern().resourceType().code()).setResourceName(b.pattern().name())
                .setPatternType(b.pattern().patternType().code()).setPrincipal(b.entry().principal()).setHost(b.entry().host())
                .setOperation(b.entry().operation().code()).setPermissionType(b.entry().permissionType().code());
    }

    static ControllerApis.Outcome createAcls(MetadataImage image, CreateAclsRequestData r) {
        List<AclBinding> bindings = new ArrayList<>();
        for (CreateAclsRequestData.AclCreation c : r.creations()) {
            AclBinding b = binding(c);
            bindings.add(b != null ? b : new AclBinding(new ResourcePattern(ResourceType.UNKNOWN, "", PatternType.UNKNOWN),
                    new AccessControlEntry("", "", AclOperation.UNKNOWN, AclPermissionType.UNKNOWN)));
        }
        ControllerResult<List<ApiError>> res = AclControl.createAcls(image, bindings, Uuid::randomUuid);
        CreateAclsResponseData resp = new CreateAclsResponseData().setThrottleTimeMs(0);
        for (ApiError e : res.response()) {
            resp.results().add(new CreateAclsResponseData.AclCreationResult().setErrorCode(e.error().code()).setErrorMessage(e.message()));
        }
        return ControllerApis.Outcome.of(res.records(), resp);
    }

    static ControllerApis.Outcome deleteAcls(MetadataImage image, DeleteAclsRequestData r) {
        List<AclBindingFilter> filters = new ArrayList<>();
        r.filters().forEach(f -> filters.add(filter(f)));
        ControllerResult<List<AclControl.DeleteResult>> res = AclControl.deleteAcls(image, filters);
        DeleteAclsResponseData resp = new DeleteAclsResponseData().setThrottleTimeMs(0);
        for (AclControl.DeleteResult d : res.response()) {
            DeleteAclsResponseData.DeleteAclsFilterResult fr = new DeleteAclsResponseData.DeleteAclsFilterResult()
                    .setErrorCode(d.error().error().code()).setErrorMessage(d.error().message());
            d.deleted().forEach(b -> fr.matchingAcls().add(matchingAcl(b)));
            resp.filterResults().add(fr);
        }
        return ControllerApis.Outcome.of(res.records(), resp);
    }
}
