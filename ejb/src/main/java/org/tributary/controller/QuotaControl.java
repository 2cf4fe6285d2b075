package org.tributary.controller;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.tributary.metadata.ClientQuotas;
import org.tributary.metadata.MetadataImage;
import org.tributary.metadata.MetadataRecord;
import org.tributary.metadata.MetadataRecord.ClientQuotaRecord;

/**
 * Client quota changes (KIP-546's AlterClientQuotas), decided as Kafka's controller decides them:
 * each entity is checked on its own (types, names, keys, values) and either all of its changes go
 * in or none; a value equal to the current one writes nothing. Entities are users, client ids, or a
 * user with a client id; {@code ip} entities and {@code controller_mutation_rate} are refused,
 * since this broker does not enforce them. Stateless.
 */
final class QuotaControl {
    /** The keys this broker enforces, and whether each is a whole number (a LONG in Kafka's quota configs). */
    private static final Map<String, Boolean> KEYS = Map.of(
            ClientQuotas.PRODUCER_BYTE_RATE, true,
            ClientQuotas.CONSUMER_BYTE_RATE, true,
            ClientQuotas.REQUEST_PERCENTAGE, false);

    /** One entity's changes: a key mapped to its new value, or to {@code null} to remove it. */
    record Alteration(ClientQuotaEntity entity, List<Op> ops) {
    }

    /** One change; {@code remove} ignores {@code value}. */
    record Op(String key, double value, boolean remove) {
    }

    private QuotaControl() {
    }

    /** The records to append and one result per alteration, in order. */
    static ControllerResult<List<ApiError>> alter(MetadataImage pending, List<Alteration> alterations) {
        List<MetadataRecord> records = new ArrayList<>();
        List<ApiError> results = new ArrayList<>();
        Set<ClientQuotaEntity> seen = new HashSet<>();
        for (Alteration a : alterations) {
            if (!seen.add(a.entity())) {
                results.add(ApiError.of(Errors.INVALID_REQUEST, "The entity " + a.entity() + " appears more than once in the request"));
                continue;
            }
            List<MetadataRecord> mine = new ArrayList<>();
            ApiError e = alterOne(pending.quotas(), a, mine);
            if (e.isSuccess()) {
                records.addAll(mine);
            }
            results.add(e);
        }
        return new ControllerResult<>(records, results);
    }

    private static ApiError alterOne(ClientQuotas current, Alteration a, List<MetadataRecord> out) {
        ApiError e = validateEntity(a.entity());
        if (!e.isSuccess()) {
            return e;
        }
        Map<String, Double> existing = current.values(a.entity());
        Map<String, Op> byKey = new HashMap<>();
        for (Op op : a.ops()) {
            if (byKey.put(op.key(), op) != null) {
                return ApiError.of(Errors.INVALID_REQUEST, "Duplicate quota key " + op.key() + " for the entity " + a.entity());
            }
            Boolean whole = KEYS.get(op.key());
            if (whole == null) {
                return ApiError.of(Errors.INVALID_REQUEST, "controller_mutation_rate".equals(op.key())
                        ? "The quota controller_mutation_rate is not enforced by this broker; only " + KEYS.keySet() + " are"
                        : "Invalid configuration key " + op.key() + "; the client quotas are " + KEYS.keySet());
            }
            if (op.remove()) {
                if (existing.containsKey(op.key())) {
                    out.add(new ClientQuotaRecord(a.entity(), op.key(), 0, true));
                }
                continue;
            }
            double v = op.value();
            if (Double.isNaN(v) || Double.isInfinite(v) || v <= 0) {
                return ApiError.of(Errors.INVALID_REQUEST, "The quota " + op.key() + " must be a positive number, was " + v
                        + " (remove the quota instead of setting 0)");
            }
            if (whole && Math.abs(Math.rint(v) - v) > 1e-6) {
                return ApiError.of(Errors.INVALID_REQUEST, "Configuration " + op.key() + " must be a Long value");
            }
            if (!Double.valueOf(v).equals(existing.get(op.key()))) {
                out.add(new ClientQuotaRecord(a.entity(), op.key(), v, false));
            }
        }
        return ApiError.NONE;
    }

    private static ApiError validateEntity(ClientQuotaEntity entity) {
        Map<String, String> entries = entity.entries();
        if (entries.isEmpty()) {
            return ApiError.of(Errors.INVALID_REQUEST, "Invalid empty client quota entity");
        }
        for (Map.Entry<String, String> en : entries.entrySet()) {
            String type = en.getKey();
            if (ClientQuotaEntity.IP.equals(type)) {
                return ApiError.of(Errors.INVALID_REQUEST, "IP quotas (connection_creation_rate) are not enforced by this broker");
            }
            if (!ClientQuotas.USER.equals(type) && !ClientQuotas.CLIENT_ID.equals(type)) {
                return ApiError.of(Errors.INVALID_REQUEST, "Unhandled client quota entity type: " + type);
            }
            if (en.getValue() != null && en.getValue().isEmpty()) {
                return ApiError.of(Errors.INVALID_REQUEST, "Empty " + type + " not supported");
            }
        }
        return ApiError.NONE;
    }
}
