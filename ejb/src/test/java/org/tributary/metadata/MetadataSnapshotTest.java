package org.tributary.metadata;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.tributary.metadata.MetadataRecord.ConfigRecord;
import org.tributary.metadata.MetadataRecord.ControlledShutdownRecord;
import org.tributary.metadata.MetadataRecord.FenceBrokerRecord;
import org.tributary.metadata.MetadataRecord.PartitionChangeRecord;
import org.tributary.metadata.MetadataRecord.ProducerIdsRecord;
import org.tributary.metadata.MetadataRecord.ResourceType;

class MetadataSnapshotTest {

    @Test
    void anImageWrittenAsRecordsAndReadBackIsEqual() {
        MetadataImage img = MetadataDelta.apply(MetadataDeltaTest.threeBrokersAndTopicA(), List.of(
                new ControlledShutdownRecord(3, 10),
                new PartitionChangeRecord(MetadataDeltaTest.A, 1, List.of(2), MetadataRecord.NO_LEADER_CHANGE, null),
                new ConfigRecord(ResourceType.BROKER, "", "k", "v"),
                new ProducerIdsRecord(2, 10, 7000)), 20, 4);
        img = MetadataDelta.apply(img, List.of(new FenceBrokerRecord(1, 10), MetadataDeltaTest.register(7)), 21, 4);
        List<MetadataRecord> records = MetadataSnapshot.records(img);
        MetadataImage loaded = MetadataSnapshot.load(MetadataCodec.decode(MetadataCodec.encode(records)), img.offset(), img.epoch());
        assertEquals(img, loaded);
        assertEquals(21, loaded.broker(7).orElseThrow().epoch());
        assertEquals(7000, loaded.nextProducerId());
    }

    @Test
    void theEmptyLogGivesAnEmptySnapshot() {
        assertEquals(List.of(), MetadataSnapshot.records(MetadataImage.EMPTY));
    }
}
