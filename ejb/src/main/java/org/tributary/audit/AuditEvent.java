package org.tributary.audit;

import java.util.Objects;

/**
 * One change (or attempted change) to the cluster, for the audit trail: who, when, from where,
 * what, and the result. Never holds a secret: values of configs, passwords and SCRAM salts are
 * left out by whoever builds the event.
 *
 * @param timeMs       when the answer was ready (epoch milliseconds)
 * @param principal    who: a Kafka principal ({@code User:alice}, {@code User:ANONYMOUS}) or a console account
 * @param clientAddress from where (an IP address; empty when unknown)
 * @param source       the path the change came by: {@code kafka} or {@code rest}
 * @param action       what: the Kafka API ({@code DeleteTopics}) or the REST call ({@code DELETE /api/topics/x})
 * @param resourceType the kind of resource: {@code topic}, {@code group}, {@code cluster}, {@code broker},
 *                     {@code acl}, {@code user}, {@code client-quota}, {@code account}
 * @param resourceName the resource's name (may be empty)
 * @param result       {@code NONE} when it succeeded, otherwise the error's name ({@code TOPIC_AUTHORIZATION_FAILED},
 *                     an HTTP status such as {@code 403})
 * @param detail       a short note without secrets (partition count, config keys, mechanism), may be empty
 */
public record AuditEvent(long timeMs, String principal, String clientAddress, String source, String action,
        String resourceType, String resourceName, String result, String detail) {

    public static final String KAFKA = "kafka";
    public static final String REST = "rest";
    /** The result of a change that succeeded. */
    public static final String OK = "NONE";

    public AuditEvent {
        Objects.requireNonNull(principal, "principal");
        Objects.requireNonNull(action, "action");
        clientAddress = clientAddress == null ? "" : clientAddress;
        source = source == null ? "" : source;
        resourceType = resourceType == null ? "" : resourceType;
        resourceName = resourceName == null ? "" : resourceName;
        result = result == null ? OK : result;
        detail = detail == null ? "" : detail;
    }

    public boolean succeeded() {
        return OK.equals(result);
    }
}
