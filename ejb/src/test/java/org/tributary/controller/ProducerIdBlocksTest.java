package org.tributary.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;
import org.tributary.metadata.MetadataSnapshot;

class ProducerIdBlocksTest {
    final ControllerHarness h = new ControllerHarness();

    ProducerIdsResponse allocate(int id) {
        return h.run(h.controller.allocateProducerIds(h.image, id, h.epoch(id)));
    }

    @Test
    void blocksFollowEachOtherAcrossBrokersFailoversAndSnapshots() {
        h.start(1, null);
        h.register(2, null);
        assertEquals(new ProducerIdsResponse(ApiError.NONE, 0, 1000), allocate(1));
        assertEquals(new ProducerIdsResponse(ApiError.NONE, 1000, 1000), allocate(2));
        h.failover();
        h.image = MetadataSnapshot.load(MetadataSnapshot.records(h.image), h.image.offset(), h.image.epoch());
        assertEquals(new ProducerIdsResponse(ApiError.NONE, 2000, 1000), allocate(1));
        assertEquals(3000, h.image.nextProducerId());
    }

    @Test
    void aStaleBrokerEpochGetsNoBlock() {
        h.start(1, null);
        ControllerResult<ProducerIdsResponse> r = h.controller.allocateProducerIds(h.image, 1, h.epoch(1) - 1);
        assertEquals(Errors.STALE_BROKER_EPOCH, r.response().error().error());
        assertEquals(0, r.records().size());
        assertEquals(Errors.STALE_BROKER_EPOCH, h.controller.allocateProducerIds(h.image, 7, 0).response().error().error());
    }
}
