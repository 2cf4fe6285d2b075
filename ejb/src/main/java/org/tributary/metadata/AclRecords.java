package org.tributary.metadata;

import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.tributary.metadata.MetadataRecord.AccessControlEntryRecord;

/**
 * The payload of {@link AccessControlEntryRecord}: Kafka's enum codes as int8s, so a record means
 * what Kafka's record of the same codes means. A code this broker does not know is refused.
 */
final class AclRecords {
    private AclRecords() {
    }

    static void write(ByteWriter w, AccessControlEntryRecord r) {
        AclBinding a = r.acl();
        w.uuid(r.id());
        w.int8(a.pattern().resourceType().code());
        w.string(a.pattern().name());
        w.int8(a.pattern().patternType().code());
        w.string(a.entry().principal());
        w.string(a.entry().host());
        w.int8(a.entry().operation().code());
        w.int8(a.entry().permissionType().code());
    }

    static AccessControlEntryRecord read(ByteReader r) {
        org.apache.kafka.common.Uuid id = r.uuid();
        ResourceType type = known(ResourceType.fromCode(r.int8()), ResourceType.UNKNOWN, "resource type");
        String name = r.string();
        PatternType pattern = known(PatternType.fromCode(r.int8()), PatternType.UNKNOWN, "pattern type");
        String principal = r.string();
        String host = r.string();
        AclOperation op = known(AclOperation.fromCode(r.int8()), AclOperation.UNKNOWN, "operation");
        AclPermissionType permission = known(AclPermissionType.fromCode(r.int8()), AclPermissionType.UNKNOWN, "permission type");
        return new AccessControlEntryRecord(id, new AclBinding(new ResourcePattern(type, name, pattern),
                new AccessControlEntry(principal, host, op, permission)));
    }

    private static <E> E known(E value, E unknown, String what) {
        if (value == unknown) {
            throw new IllegalArgumentException("unknown ACL " + what);
        }
        return value;
    }
}
