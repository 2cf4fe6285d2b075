package org.tributary.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.junit.jupiter.api.Test;
import org.tributary.metadata.ClientQuotas;
import org.tributary.metadata.MetadataCodec;
import org.tributary.metadata.MetadataDelta;
import org.tributary.metadata.MetadataImage;
import org.tributary.metadata.MetadataRecord;
import org.tributary.metadata.MetadataSnapshot;

class QuotaControlTest {
    private static final ClientQuotaEntity ALICE = ClientQuotas.entity("alice", null);
    private static final ClientQuotaEntity DEFAULT_CLIENT = ClientQuotas.entity(null, ClientQuotas.DEFAULT);

    private static QuotaControl.Alteration alter(ClientQuotaEntity e, QuotaControl.Op... ops) {
        return new QuotaControl.Alteration(e, List.of(ops));
    }

    private static QuotaControl.Op set(String key, double v) {
        return new QuotaControl.Op(key, v, false);
    }

    private static MetadataImage apply(MetadataImage img, ControllerResult<?> r) {
        return MetadataDelta.apply(img, r.records(), img.offset() + 1, 0);
    }

    @Test
    void setsChangesAndRemovesQuotasPerEntityWritingOnlyRealChanges() {
        MetadataImage img = MetadataImage.EMPTY;
        ControllerResult<List<ApiError>> r = QuotaControl.alter(img, List.of(
                alter(ALICE, set(ClientQuotas.PRODUCER_BYTE_RATE, 1024), set(ClientQuotas.REQUEST_PERCENTAGE, 12.5)),
                alter(DEFAULT_CLIENT, set(ClientQuotas.CONSUMER_BYTE_RATE, 2048))));
        assertEquals(List.of(ApiError.NONE, ApiError.NONE), r.response());
        img = apply(img, r);
        assertEquals(Map.of(ClientQuotas.PRODUCER_BYTE_RATE, 1024.0, ClientQuotas.REQUEST_PERCENTAGE, 12.5), img.quotas().values(ALICE));
        assertEquals(Map.of(ClientQuotas.CONSUMER_BYTE_RATE, 2048.0), img.quotas().values(DEFAULT_CLIENT));

        // the same value again writes nothing
        assertTrue(QuotaControl.alter(img, List.of(alter(ALICE, set(ClientQuotas.PRODUCER_BYTE_RATE, 1024)))).records().isEmpty());
        // removing the last key of an entity removes the entity
        r = QuotaControl.alter(img, List.of(alter(DEFAULT_CLIENT, new QuotaControl.Op(ClientQuotas.CONSUMER_BYTE_RATE, 0, true))));
        img = apply(img, r);
        assertEquals(Map.of(), img.quotas().values(DEFAULT_CLIENT));
        assertEquals(1, img.quotas().entities().size());

        // records survive the codec and a snapshot exactly
        List<MetadataRecord> snap = MetadataSnapshot.records(img);
        assertEquals(snap, MetadataCodec.decode(MetadataCodec.encode(snap)));
        assertEquals(img.quotas(), MetadataSnapshot.load(snap, img.offset(), img.epoch()).quotas());
    }

    @Test
    void refusesWhatKafkaRefusesAndWhatThisBrokerCannotEnforceEntityByEntity() {
        MetadataImage img = MetadataImage.EMPTY;
        ControllerResult<List<ApiError>> r = QuotaControl.alter(img, List.of(
                alter(ALICE, set("producer_byte_rate", 1.5)),
                alter(ClientQuotas.entity("bob", null), set("no_such_key", 1)),
                alter(new ClientQuotaEntity(Map.of("ip", "127.0.0.1")), set("connection_creation_rate", 5)),
                alter(ClientQuotas.entity("carol", null), set("controller_mutation_rate", 5)),
                alter(ClientQuotas.entity("dave", null), set("consumer_byte_rate", 0)),
                alter(new ClientQuotaEntity(Map.of()), set("consumer_byte_rate", 10)),
                alter(ClientQuotas.entity("", null), set("consumer_byte_rate", 10)),
                alter(ClientQuotas.entity("erin", null), set("consumer_byte_rate", 10), set("consumer_byte_rate", 20)),
                alter(ClientQuotas.entity("frank", null), set("consumer_byte_rate", 10)),
                alter(ClientQuotas.entity("frank", null), set("consumer_byte_rate", 30))));
        for (int i = 0; i < 8; i++) {
            assertEquals(Errors.INVALID_REQUEST, r.response().get(i).error(), "alteration " + i + ": " + r.response().get(i));
        }
        assertEquals(ApiError.NONE, r.response().get(8));
        assertEquals(Errors.INVALID_REQUEST, r.response().get(9).error(), "an entity twice in one request");
        assertTrue(r.response().get(0).message().contains("Long"));
        assertTrue(r.response().get(3).message().contains("not enforced"));
        // only the valid alteration wrote anything
        MetadataImage after = apply(img, r);
        assertEquals(1, after.quotas().entities().size());
        assertEquals(Map.of("consumer_byte_rate", 10.0), after.quotas().values(ClientQuotas.entity("frank", null)));
    }
}
