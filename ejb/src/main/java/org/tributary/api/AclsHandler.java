package org.tributary.api;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.SecurityDisabledException;
import org.apache.kafka.common.message.CreateAclsRequestData;
import org.apache.kafka.common.message.CreateAclsResponseData;
import org.apache.kafka.common.message.DeleteAclsRequestData;
import org.apache.kafka.common.message.DeleteAclsResponseData;
import org.apache.kafka.common.message.DescribeAclsRequestData;
import org.apache.kafka.common.message.DescribeAclsResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.resource.ResourceType;
import org.tributary.controller.AclMessages;
import org.tributary.controller.ApiError;
import org.tributary.security.AclAuthorizer;

/**
 * CreateAcls, DescribeAcls and DeleteAcls (KIP-140), as Kafka's broker answers them: without an
 * authorizer SECURITY_DISABLED; without ALTER (create, delete) or DESCRIBE (describe) on the
 * cluster CLUSTER_AUTHORIZATION_FAILED; both as the request's error response. Creations are
 * checked here as Kafka's broker checks them (the cluster resource is named kafka-cluster, no
 * empty names), the rest go to the active controller ({@code AclControl}) in one request;
 * deletions go there whole. Describe reads the request's image.
 */
final class AclsHandler {
    private static final Duration TIMEOUT = TopicAdmin.CONTROLLER_TIMEOUT;
    private final ApiServices services;

    AclsHandler(ApiServices services) {
        this.services = services;
    }

    private void authorize(RequestContext ctx, AclOperation op) {
        if (!services.authorizer().enabled()) {
            throw new SecurityDisabledException("No Authorizer is configured on the broker");
        }
        services.authorizer().requireCluster(ctx, op);
    }

    CompletionStage<ApiMessage> createAcls(RequestContext ctx, ApiMessage message) {
        CreateAclsRequestData req = (CreateAclsRequestData) message;
        authorize(ctx, AclOperation.ALTER);
        CreateAclsResponseData resp = new CreateAclsResponseData().setThrottleTimeMs(0);
        CreateAclsRequestData forward = new CreateAclsRequestData();
        List<CreateAclsResponseData.AclCreationResult> pending = new ArrayList<>();
        for (CreateAclsRequestData.AclCreation c : req.creations()) {
            CreateAclsResponseData.AclCreationResult r = new CreateAclsResponseData.AclCreationResult();
            resp.results().add(r);
            AclBinding b = AclMessages.binding(c);
            ApiError e;
            if (b == null) {
                e = ApiError.of(Errors.INVALID_REQUEST, "Invalid ACL creation: resource type " + c.resourceType() + ", pattern type "
                        + c.resourcePatternType());
            } else if (b.pattern().resourceType() == ResourceType.CLUSTER && !RequestAuthorizer.CLUSTER_NAME.equals(b.pattern().name())) {
                e = ApiError.of(Errors.INVALID_REQUEST, "The only valid name for the CLUSTER resource is " + RequestAuthorizer.CLUSTER_NAME);
            } else if (b.pattern().name().isEmpty()) {
                e = ApiError.of(Errors.INVALID_REQUEST, "Invalid empty resource name specified.");
            } else {
                forward.creations().add(c.duplicate());
                pending.add(r);
                continue;
            }
            r.setErrorCode(e.error().code()).setErrorMessage(e.message());
        }
        if (pending.isEmpty()) {
            return CompletableFuture.completedFuture(resp);
        }
        return services.controller().send(forward, CreateAclsResponseData.class, TIMEOUT).handle((answer, failure) -> {
            ApiError all = failure != null ? ApiErrors.error(failure, "create ACLs")
                    : answer.results().size() != pending.size() ? ApiError.of(Errors.UNKNOWN_SERVER_ERROR, "the controller answered "
                            + answer.results().size() + " of " + pending.size() + " ACLs") : null;
            for (int i = 0; i < pending.size(); i++) {
                if (all != null) {
                    pending.get(i).setErrorCode(all.error().code()).setErrorMessage(all.message());
                } else {
                    CreateAclsResponseData.AclCreationResult a = answer.results().get(i);
                    pending.get(i).setErrorCode(a.errorCode()).setErrorMessage(a.errorMessage());
                }
            }
            return resp;
        });
    }

    CompletionStage<ApiMessage> describeAcls(RequestContext ctx, ApiMessage message) {
        DescribeAclsRequestData req = (DescribeAclsRequestData) message;
        authorize(ctx, AclOperation.DESCRIBE);
        AclBindingFilter filter = new AclBindingFilter(new ResourcePatternFilter(ResourceType.fromCode(req.resourceTypeFilter()),
                req.resourceNameFilter(), PatternType.fromCode(req.patternTypeFilter())),
                new org.apache.kafka.common.acl.AccessControlEntryFilter(req.principalFilter(), req.hostFilter(),
                        org.apache.kafka.common.acl.AclOperation.fromCode(req.operation()),
                        org.apache.kafka.common.acl.AclPermissionType.fromCode(req.permissionType())));
        DescribeAclsResponseData resp = new DescribeAclsResponseData().setThrottleTimeMs(0).setErrorCode(Errors.NONE.code());
        if (filter.isUnknown()) {
            return CompletableFuture.completedFuture(resp.setErrorCode(Errors.INVALID_REQUEST.code())
                    .setErrorMessage("The filter has an unknown part: " + filter));
        }
        Map<org.apache.kafka.common.resource.ResourcePattern, DescribeAclsResponseData.DescribeAclsResource> byResource =
                new LinkedHashMap<>();
        for (AclBinding b : AclAuthorizer.matching(ctx.image().acls(), filter)) {
            byResource.computeIfAbsent(b.pattern(), p -> new DescribeAclsResponseData.DescribeAclsResource()
                    .setResourceType(p.resourceType().code()).setResourceName(p.name()).setPatternType(p.patternType().code()))
                    .acls().add(new DescribeAclsResponseData.AclDescription().setPrincipal(b.entry().principal())
                            .setHost(b.entry().host()).setOperation(b.entry().operation().code())
                            .setPermissionType(b.entry().permissionType().code()));
        }
        resp.setResources(new ArrayList<>(byResource.values()));
        return CompletableFuture.completedFuture(resp);
    }

    CompletionStage<ApiMessage> deleteAcls(RequestContext ctx, ApiMessage message) {
        DeleteAclsRequestData req = (DeleteAclsRequestData) message;
        authorize(ctx, AclOperation.ALTER);
        if (req.filters().isEmpty()) {
            return CompletableFuture.completedFuture(new DeleteAclsResponseData().setThrottleTimeMs(0));
        }
        return services.controller().send(req.duplicate(), DeleteAclsResponseData.class, TIMEOUT).handle((answer, failure) -> {
            if (failure == null && answer.filterResults().size() == req.filters().size()) {
                return answer.duplicate().setThrottleTimeMs(0);
            }
            ApiError e = failure != null ? ApiErrors.error(failure, "delete ACLs")
                    : ApiError.of(Errors.UNKNOWN_SERVER_ERROR, "the controller answered for the wrong number of filters");
            DeleteAclsResponseData out = new DeleteAclsResponseData().setThrottleTimeMs(0);
            req.filters().forEach(f -> out.filterResults().add(new DeleteAclsResponseData.DeleteAclsFilterResult()
                    .setErrorCode(e.error().code()).setErrorMessage(e.message())));
            return out;
        });
    }
}
