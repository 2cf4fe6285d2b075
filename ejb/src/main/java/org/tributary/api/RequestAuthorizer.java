package org.tributary.api;

import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.resource.ResourceType;
import org.tributary.security.AclAuthorizer;

/**
 * The handlers' one way to ask the authorizer: "may this request's principal, from its host, do
 * this operation on this resource", the question Kafka's KafkaApis asks for each API. Without an
 * authorizer ({@code authorizer.class.name} empty) every check is allowed, as in Kafka.
 *
 * <p>Each handler asks in one place, before it touches the engine, and answers a denial with the
 * API's own error code (TOPIC_/GROUP_/CLUSTER_/TRANSACTIONAL_ID_AUTHORIZATION_FAILED).
 * Thread-safe.
 */
public final class RequestAuthorizer {
    /** The cluster resource's only name. */
    public static final String CLUSTER_NAME = "kafka-cluster";
    /** No authorizer: everything is allowed. */
    public static final RequestAuthorizer NONE = new RequestAuthorizer(null);

    /** KIP-430: the operations reported for each resource type. */
    static final Set<AclOperation> TOPIC_OPERATIONS = EnumSet.of(AclOperation.READ, AclOperation.WRITE, AclOperation.CREATE,
            AclOperation.DELETE, AclOperation.ALTER, AclOperation.DESCRIBE, AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS);
    static final Set<AclOperation> GROUP_OPERATIONS = EnumSet.of(AclOperation.READ, AclOperation.DESCRIBE, AclOperation.DELETE);
    static final Set<AclOperation> CLUSTER_OPERATIONS = EnumSet.of(AclOperation.CREATE, AclOperation.CLUSTER_ACTION,
            AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS, AclOperation.IDEMPOTENT_WRITE, AclOperation.ALTER,
            AclOperation.DESCRIBE);

    private final AclAuthorizer acls;

    public RequestAuthorizer(AclAuthorizer acls) {
        this.acls = acls;
    }

    /** Whether an authorizer is configured (the ACL APIs answer SECURITY_DISABLED without one). */
    public boolean enabled() {
        return acls != null;
    }

    /** May the request do {@code op} on the named resource? Denials are logged at a low level. */
    public boolean allows(RequestContext ctx, AclOperation op, ResourceType type, String name) {
        return acls == null || acls.authorize(ctx.image().acls(), ctx.principal(), ctx.clientAddress(), op, type, name, true,
                ctx.apiKey().name);
    }

    /** Like {@link #allows} for checks that only filter what is shown (listings): denials are not logged. */
    public boolean filters(RequestContext ctx, AclOperation op, ResourceType type, String name) {
        return acls == null || acls.authorize(ctx.image().acls(), ctx.principal(), ctx.clientAddress(), op, type, name, false,
                ctx.apiKey().name);
    }

    /** May the request do {@code op} on the cluster? */
    public boolean allowsCluster(RequestContext ctx, AclOperation op) {
        return allows(ctx, op, ResourceType.CLUSTER, CLUSTER_NAME);
    }

    /**
     * For whole-request cluster operations (and the SCRAM credential APIs: ALTER for
     * AlterUserScramCredentials, DESCRIBE for DescribeUserScramCredentials): throws
     * {@link ClusterAuthorizationException}, which the dispatcher answers as the request's
     * CLUSTER_AUTHORIZATION_FAILED error response.
     */
    public void requireCluster(RequestContext ctx, AclOperation op) {
        if (!allowsCluster(ctx, op)) {
            throw new ClusterAuthorizationException("Cluster authorization failed.");
        }
    }

    /**
     * For group APIs answered with one error code: throws {@link GroupAuthorizationException}
     * (GROUP_AUTHORIZATION_FAILED) when the request may not do {@code op} on the group.
     */
    public void requireGroup(RequestContext ctx, AclOperation op, String groupId) {
        if (!allows(ctx, op, ResourceType.GROUP, groupId == null ? "" : groupId)) {
            throw new GroupAuthorizationException("Not authorized to access group: " + groupId);
        }
    }

    /** KIP-679: may the request do {@code op} on at least one resource of {@code type}? */
    public boolean allowsSome(RequestContext ctx, AclOperation op, ResourceType type) {
        return acls == null || acls.authorizeByResourceType(ctx.image().acls(), ctx.principal(), ctx.clientAddress(), op, type);
    }

    /** KIP-430: the operations the request's principal may do on the resource, as Kafka's bit field. */
    public int authorizedOperations(RequestContext ctx, ResourceType type, String name) {
        Set<AclOperation> ops = switch (type) {
            case TOPIC -> TOPIC_OPERATIONS;
            case GROUP -> GROUP_OPERATIONS;
            case CLUSTER -> CLUSTER_OPERATIONS;
            default -> Set.of();
        };
        if (acls == null) {
            int bits = 0;
            for (AclOperation op : ops) {
                bits |= 1 << op.code();
            }
            return bits;
        }
        return acls.authorizedOperations(ctx.image().acls(), ctx.principal(), ctx.clientAddress(), type, name, ops);
    }

    /** Per-request memo of one operation on topics (fetch re-reads its partitions while it waits). */
    TopicCheck topics(RequestContext ctx, AclOperation op) {
        return new TopicCheck(ctx, op);
    }

    /** Answers "may this request do the operation on this topic", asking once per topic name. */
    final class TopicCheck {
        private final RequestContext ctx;
        private final AclOperation op;
        private final Map<String, Boolean> decided = acls == null ? null : new HashMap<>();
        private boolean denyAll;

        private TopicCheck(RequestContext ctx, AclOperation op) {
            this.ctx = ctx;
            this.op = op;
        }

        /** Denies every topic (a follower fetch without CLUSTER_ACTION). */
        TopicCheck denyAll() {
            denyAll = true;
            return this;
        }

        synchronized boolean allows(String topic) {
            if (denyAll) {
                return false;
            }
            if (decided == null) {
                return true;
            }
            return decided.computeIfAbsent(topic, t -> RequestAuthorizer.this.allows(ctx, op, ResourceType.TOPIC, t));
        }
    }
}
