package org.tributary.metadata;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.apache.kafka.common.quota.ClientQuotaEntity;

/**
 * The client quotas of the cluster (KIP-55, KIP-546): for each entity (a user, a client id, or a
 * user and a client id; a {@code null} name is that type's default) its quota values by key
 * ({@code producer_byte_rate}, {@code consumer_byte_rate}, {@code request_percentage}). Immutable.
 */
public final class ClientQuotas {
    public static final String USER = ClientQuotaEntity.USER;
    public static final String CLIENT_ID = ClientQuotaEntity.CLIENT_ID;
    public static final String PRODUCER_BYTE_RATE = "producer_byte_rate";
    public static final String CONSUMER_BYTE_RATE = "consumer_byte_rate";
    public static final String REQUEST_PERCENTAGE = "request_percentage";
    public static final ClientQuotas EMPTY = new ClientQuotas(Map.of());

    private final Map<ClientQuotaEntity, Map<String, Double>> entities;

    private ClientQuotas(Map<ClientQuotaEntity, Map<String, Double>> entities) {
        this.entities = entities;
    }

    /** Every entity with at least one quota, and its values by key. */
    public Map<ClientQuotaEntity, Map<String, Double>> entities() {
        return entities;
    }

    public boolean isEmpty() {
        return entities.isEmpty();
    }

    /** The values set on exactly {@code entity}; empty when none. */
    public Map<String, Double> values(ClientQuotaEntity entity) {
        return entities.getOrDefault(entity, Map.of());
    }

    /** The quotas after setting ({@code remove == false}) or removing one key of one entity. */
    ClientQuotas with(ClientQuotaEntity entity, String key, double value, boolean remove) {
        Map<ClientQuotaEntity, Map<String, Double>> all = new HashMap<>(entities);
        Map<String, Double> values = new TreeMap<>(all.getOrDefault(entity, Map.of()));
        if (remove) {
            values.remove(key);
        } else {
            values.put(key, value);
        }
        if (values.isEmpty()) {
            all.remove(entity);
        } else {
            all.put(entity, Collections.unmodifiableMap(values));
        }
        return new ClientQuotas(Collections.unmodifiableMap(all));
    }

    /** The entity for a user name and/or client id; {@code null} omits that type, {@link #DEFAULT} is its default. */
    public static ClientQuotaEntity entity(String user, String clientId) {
        Map<String, String> m = new HashMap<>();
        if (user != null) {
            m.put(USER, user == DEFAULT ? null : user);
        }
        if (clientId != null) {
            m.put(CLIENT_ID, clientId == DEFAULT ? null : clientId);
        }
        return new ClientQuotaEntity(m);
    }

    /** Passed to {@link #entity} for the default entity of a type (Kafka's {@code <default>}). */
    @SuppressWarnings("StringOperationCanBeSimplified")
    public static final String DEFAULT = new String("<default>");

    @Override
    public boolean equals(Object o) {
        return o instanceof ClientQuotas q && entities.equals(q.entities);
    }

    @Override
    public int hashCode() {
        return Objects.hash(entities);
    }

    @Override
    public String toString() {
        return "ClientQuotas" + entities;
    }
}
