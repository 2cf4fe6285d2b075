package org.tributary.server;

import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.ProduceRequest;
import org.tributary.api.ApiDispatcher;
import org.tributary.metadata.MetadataImage;
import org.tributary.metadata.TopicImage;
import org.tributary.metadata.MetadataStore;

/**
 * Holds a partition request back until this broker serves the metadata it knew of when the
 * request arrived. A broker answers a topic creation once its image has the topic (as Kafka's
 * controller answers at commit), and names the topic in Metadata from then on; its replica manager
 * opens the new logs a moment later, on the metadata publisher's thread. A client that produces at
 * once must not be told NOT_LEADER_OR_FOLLOWER for a partition this broker does lead: so a
 * request to the partition APIs that arrives while the image is ahead of what the listeners have
 * opened waits until they have (at most {@code maxWaitMs}; then the handler answers from what
 * there is, with the retriable errors a client handles). In the steady state no request waits:
 * the check is two volatile reads, and a produce whose partitions are all led here already goes
 * straight on.
 *
 * <p>Thread-safe.
 */
public final class PartitionsOpenGate implements ApiDispatcher.Gate {
    /** The APIs that need their partitions open here. */
    static final Set<ApiKeys> GATED = EnumSet.of(ApiKeys.PRODUCE, ApiKeys.FETCH, ApiKeys.LIST_OFFSETS, ApiKeys.OFFSET_FOR_LEADER_EPOCH,
            ApiKeys.DELETE_RECORDS, ApiKeys.DESCRIBE_PRODUCERS, ApiKeys.WRITE_TXN_MARKERS);

    /** How long a partition request waits, at most, for this broker to open what its image already names. */
    static final long MAX_WAIT_MS = 10_000L;

    private final MetadataStore store;
    private final Predicate<TopicPartition> ledHere;
    private final long maxWaitMs;

    /** {@code ledHere}: whether this broker's replica manager has a partition open as its leader. */
    public PartitionsOpenGate(MetadataStore store, Predicate<TopicPartition> ledHere, long maxWaitMs) {
        this.store = store;
        this.ledHere = ledHere;
        this.maxWaitMs = maxWaitMs;
    }

    @Override
    public CompletionStage<?> before(ApiKeys key, AbstractRequest body) {
        if (!GATED.contains(key)) {
            return null;
        }
        MetadataImage image = store.image();
        long target = image.offset();
        if (store.publishedOffset() >= target) {
            return null;
        }
        if (body instanceof ProduceRequest p && allLedHere(p.data(), image)) {
            return null;
        }
        return store.awaitPublished(target).handle((img, e) -> (Void) null).completeOnTimeout(null, maxWaitMs, TimeUnit.MILLISECONDS);
    }

    private boolean allLedHere(ProduceRequestData data, MetadataImage image) {
        for (ProduceRequestData.TopicProduceData t : data.topicData()) {
            String name = t.name();
            if (name == null || name.isEmpty()) {
                Uuid id = t.topicId();
                name = id == null ? null : image.topic(id).map(TopicImage::name).orElse(null);
                if (name == null) {
                    return false;
                }
            }
            for (ProduceRequestData.PartitionProduceData pd : t.partitionData()) {
                if (!ledHere.test(new TopicPartition(name, pd.index()))) {
                    return false;
                }
            }
        }
        return true;
    }
}
