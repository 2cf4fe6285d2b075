package org.tributary.controller;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.protocol.Errors;
import org.tributary.metadata.AclsImage;
import org.tributary.metadata.MetadataImage;
import org.tributary.metadata.MetadataRecord;
import org.tributary.metadata.MetadataRecord.AccessControlEntryRecord;
import org.tributary.metadata.MetadataRecord.RemoveAccessControlEntryRecord;

/**
 * The controller's ACL rules (Kafka's AclControlManager): CreateAcls adds each new, valid ACL
 * once (an ACL equal to one in force, or earlier in the same request, succeeds and writes
 * nothing); DeleteAcls removes every ACL a filter matches, each once even when several filters
 * match it. All records of one request go in one entry. Functions of (image, request); stateless.
 */
public final class AclControl {
    private AclControl() {
    }

    /** Why an ACL cannot be stored (INVALID_REQUEST), or {@link ApiError#NONE}. */
    public static ApiError validate(AclBinding acl) {
        switch (acl.pattern().resourceType()) {
            case UNKNOWN, ANY -> {
                return ApiError.of(Errors.INVALID_REQUEST, "Invalid resourceType " + acl.pattern().resourceType());
            }
            default -> {
            }
        }
        switch (acl.pattern().patternType()) {
            case LITERAL, PREFIXED -> {
            }
            default -> {
                return ApiError.of(Errors.INVALID_REQUEST, "Invalid patternType " + acl.pattern().patternType());
            }
        }
        switch (acl.entry().operation()) {
            case UNKNOWN, ANY -> {
                return ApiError.of(Errors.INVALID_REQUEST, "Invalid operation " + acl.entry().operation());
            }
            default -> {
            }
        }
        switch (acl.entry().permissionType()) {
            case ALLOW, DENY -> {
            }
            default -> {
                return ApiError.of(Errors.INVALID_REQUEST, "Invalid permissionType " + acl.entry().permissionType());
            }
        }
        if (acl.pattern().name() == null || acl.pattern().name().isEmpty()) {
            return ApiError.of(Errors.INVALID_REQUEST, "Resource name should not be empty");
        }
        if (acl.entry().host() == null) {
            return ApiError.of(Errors.INVALID_REQUEST, "Host should not be null");
        }
        String principal = acl.entry().principal();
        if (principal == null || principal.indexOf(':') <= 0) {
            return ApiError.of(Errors.INVALID_REQUEST, "Could not parse principal from `" + principal + "` (no colon is present "
                    + "separating the principal type from the principal name)");
        }
        return ApiError.NONE;
    }

    /** One result per ACL, in order; records for the new ones. */
    public static ControllerResult<List<ApiError>> createAcls(MetadataImage image, List<AclBinding> acls, Supplier<Uuid> ids) {
        AclsImage current = image.acls();
        Set<AclBinding> added = new HashSet<>();
        List<MetadataRecord> records = new ArrayList<>();
        List<ApiError> results = new ArrayList<>();
        for (AclBinding acl : acls) {
            ApiError e = validate(acl);
            if (e.isSuccess() && !current.contains(acl) && added.add(acl)) {
                Uuid id;
                do {
                    id = ids.get();
                } while (current.acl(id).isPresent() || Uuid.ZERO_UUID.equals(id));
                records.add(new AccessControlEntryRecord(id, acl));
            }
            results.add(e);
        }
        return new ControllerResult<>(records, results);
    }

    /** What one filter removed: the ACLs it matched, or an error for the whole filter. */
    public record DeleteResult(ApiError error, List<AclBinding> deleted) {
    }

    /** One result per filter, in order; a removal record for each matched ACL. */
    public static ControllerResult<List<DeleteResult>> deleteAcls(MetadataImage image, List<AclBindingFilter> filters) {
        Map<Uuid, AclBinding> removed = new LinkedHashMap<>();
        List<DeleteResult> results = new ArrayList<>();
        for (AclBindingFilter filter : filters) {
            if (filter.patternFilter().isUnknown()) {
                results.add(new DeleteResult(ApiError.of(Errors.INVALID_REQUEST, "Unknown patternFilter."), List.of()));
                continue;
            }
            if (filter.entryFilter().isUnknown()) {
                results.add(new DeleteResult(ApiError.of(Errors.INVALID_REQUEST, "Unknown entryFilter."), List.of()));
                continue;
            }
            List<AclBinding> matched = new ArrayList<>();
            image.acls().byId().forEach((id, acl) -> {
                if (filter.matches(acl)) {
                    matched.add(acl);
                    removed.put(id, acl);
                }
            });
            results.add(new DeleteResult(ApiError.NONE, matched));
        }
        List<MetadataRecord> records = new ArrayList<>();
        removed.keySet().forEach(id -> records.add(new RemoveAccessControlEntryRecord(id)));
        return new ControllerResult<>(records, results);
    }
}
