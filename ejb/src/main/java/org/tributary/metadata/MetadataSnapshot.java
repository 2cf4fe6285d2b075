package org.tributary.metadata;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.tributary.metadata.MetadataRecord.ClientQuotaRecord;
import org.tributary.metadata.MetadataRecord.ConfigRecord;
import org.tributary.metadata.MetadataRecord.ControlledShutdownRecord;
import org.tributary.metadata.MetadataRecord.PartitionRecord;
import org.tributary.metadata.MetadataRecord.ProducerIdsRecord;
import org.tributary.metadata.MetadataRecord.RegisterBrokerRecord;
import org.tributary.metadata.MetadataRecord.ResourceType;
import org.tributary.metadata.MetadataRecord.TopicRecord;

/**
 * An image written as records and read back: {@code load(records(image), image.offset(),
 * image.epoch())} equals {@code image} for every image built from the log. The records can be
 * encoded with {@link MetadataCodec} (one batch, or split into several; they apply in order).
 *
 * <p>Brokers come first with their real epoch and fencing state, then broker configs, then each
 * topic with its configs and partitions, then the next producer id, then the ACLs, then the SCRAM credentials (salted keys, never a password). Stateless and thread-safe.
 */
public final class MetadataSnapshot {
    private MetadataSnapshot() {
    }

    public static List<MetadataRecord> records(MetadataImage image) {
        List<MetadataRecord> out = new ArrayList<>();
        for (BrokerRegistration b : image.brokers()) {
            out.add(new RegisterBrokerRecord(b.id(), b.incarnationId(), b.epoch(), b.host(), b.kafkaPort(), b.httpPort(), b.rack(),
                    b.fenced(), b.cleanShutdown(), b.endpoints()));
            if (b.inControlledShutdown()) {
                out.add(new ControlledShutdownRecord(b.id(), b.epoch()));
            }
        }
        image.brokerConfigs().forEach((name, configs) -> configs.forEach((k, v) ->
                out.add(new ConfigRecord(ResourceType.BROKER, name, k, v))));
        for (TopicImage t : image.topics()) {
            out.add(new TopicRecord(t.name(), t.id()));
            for (Map.Entry<String, String> c : t.configs().entrySet()) {
                out.add(new ConfigRecord(ResourceType.TOPIC, t.name(), c.getKey(), c.getValue()));
            }
            for (int p = 0; p < t.partitionCount(); p++) {
                PartitionRegistration r = t.partition(p);
                out.add(PartitionRecord.of(t.id(), p, r));
            }
        }
        image.quotas().entities().forEach((entity, values) -> values.forEach((k, v) ->
                out.add(new ClientQuotaRecord(entity, k, v, false))));
        if (image.nextProducerId() > 0) {
            out.add(new ProducerIdsRecord(-1, -1, image.nextProducerId()));
        }
        image.acls().byId().forEach((id, acl) -> out.add(new MetadataRecord.AccessControlEntryRecord(id, acl)));
        for (String user : image.scram().users()) {
            for (org.apache.kafka.common.security.scram.internals.ScramMechanism m : image.scram().iterations(user).keySet()) {
                org.apache.kafka.common.security.scram.ScramCredential c = image.scram().find(user, m).orElseThrow();
                out.add(new MetadataRecord.UserScramCredentialRecord(user, m, c.salt(), c.storedKey(), c.serverKey(), c.iterations()));
            }
        }
        return out;
    }

    /** The image a snapshot taken at {@code offset}/{@code epoch} describes. */
    public static MetadataImage load(List<? extends MetadataRecord> records, long offset, long epoch) {
        return MetadataDelta.apply(MetadataImage.EMPTY, records, offset, epoch);
    }
}
