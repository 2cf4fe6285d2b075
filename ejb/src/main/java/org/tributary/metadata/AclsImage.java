package org.tributary.metadata;

import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclBinding;

/**
 * The ACLs of the cluster (Kafka's {@code AccessControlEntryRecord}s still in force), by id. An
 * {@link AclBinding} here is always concrete: a resource type other than ANY/UNKNOWN, a LITERAL
 * or PREFIXED pattern, an operation other than ANY/UNKNOWN, ALLOW or DENY.
 *
 * <p>Immutable; an image whose entry did not touch ACLs shares this object with the image before
 * it, so an authorizer can keep its index for as long as {@code image.acls()} is the same object.
 */
public final class AclsImage {
    public static final AclsImage EMPTY = new AclsImage(Map.of());

    private final Map<Uuid, AclBinding> byId;

    /** Takes ownership of {@code byId}. */
    AclsImage(Map<Uuid, AclBinding> byId) {
        this.byId = Collections.unmodifiableMap(byId);
    }

    public Map<Uuid, AclBinding> byId() {
        return byId;
    }

    public Collection<AclBinding> all() {
        return byId.values();
    }

    public Optional<AclBinding> acl(Uuid id) {
        return Optional.ofNullable(byId.get(id));
    }

    public boolean contains(AclBinding binding) {
        return byId.containsValue(binding);
    }

    public boolean isEmpty() {
        return byId.isEmpty();
    }

    /** This set with {@code added} put and {@code removed} taken out; this very object when both are empty. */
    AclsImage apply(Map<Uuid, AclBinding> added, java.util.Set<Uuid> removed) {
        if (added.isEmpty() && removed.isEmpty()) {
            return this;
        }
        Map<Uuid, AclBinding> m = new HashMap<>(byId);
        removed.forEach(m::remove);
        m.putAll(added);
        return new AclsImage(m);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AclsImage a && byId.equals(a.byId);
    }

    @Override
    public int hashCode() {
        return byId.hashCode();
    }

    @Override
    public String toString() {
        return byId.toString();
    }
}
