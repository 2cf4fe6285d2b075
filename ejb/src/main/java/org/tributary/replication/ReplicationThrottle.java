package org.tributary.replication;

import java.util.HashSet;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.tributary.metadata.MetadataImage;
import org.tributary.metadata.TopicImage;
import org.tributary.util.SampledRate;
import org.tributary.util.ThrottledReplicas;

/**
 * Kafka's replication throttle (KIP-73), one side of it on one broker: the replicas listed in a
 * topic's {@code leader.replication.throttled.replicas} (or {@code follower...}) as
 * {@code partition:thisBroker} (or {@code *}) are copied at no more than this broker's
 * {@code leader.replication.throttled.rate} ({@code follower...}) bytes per second, a dynamic
 * broker config (per broker id, or the cluster default). Replicas in the ISR are never held back,
 * so a throttle slows a reassignment or a catching-up replica, never acknowledgements.
 *
 * <p>Read from the metadata image on every check (recomputed when the image changes). Thread-safe.
 */
public final class ReplicationThrottle {
    /** Which side of the copy this throttle limits. */
    public enum Side {
        LEADER("leader.replication.throttled.rate", "leader.replication.throttled.replicas"),
        FOLLOWER("follower.replication.throttled.rate", "follower.replication.throttled.replicas");

        /** The broker config with the rate. */
        public final String rateKey;
        /** The topic config with the throttled replicas. */
        public final String replicasKey;

        Side(String rateKey, String replicasKey) {
            this.rateKey = rateKey;
            this.replicasKey = replicasKey;
        }
    }

    private record View(MetadataImage image, long rate, Set<TopicPartition> replicas, Set<String> allOfTopic) {
    }

    private static final int SAMPLES = 11;
    private static final long WINDOW_MS = 1000;
    private final Side side;
    private final int localId;
    private final Supplier<MetadataImage> images;
    private final LongSupplier clock;
    private final SampledRate rate;
    private volatile View view;

    public ReplicationThrottle(Side side, int localId, Supplier<MetadataImage> images, LongSupplier clockMs) {
        this.side = side;
        this.localId = localId;
        this.images = images;
        this.clock = clockMs;
        this.rate = new SampledRate(SAMPLES, WINDOW_MS, clockMs.getAsLong());
    }

    /** Whether {@code tp}'s replica on this broker is listed for throttling on this side (and a rate is set). */
    public boolean throttles(TopicPartition tp) {
        View v = view();
        return v.rate != Long.MAX_VALUE && (v.allOfTopic.contains(tp.topic()) || v.replicas.contains(tp));
    }

    /**
     * How many bytes the throttled replicas may copy now without going over the rate (the rate
     * times the span of the sample windows, less what they hold); {@link Long#MAX_VALUE} without a
     * rate, 0 or less when over it. A copy bounded by this keeps the long-run rate at the limit
     * instead of letting one large fetch through each time the rate dips under it.
     */
    public long headroomBytes() {
        View v = view();
        if (v.rate == Long.MAX_VALUE) {
            return Long.MAX_VALUE;
        }
        long now = clock.getAsLong();
        double current = rate.rate(now);
        return (long) ((v.rate - current) * rate.spanMs(now) / 1000.0);
    }

    /** Whether nothing was copied for throttled replicas in the current windows (then one whole batch may always go, so a batch larger than the headroom cannot stall a replica). */
    public boolean idle() {
        return rate.rate(clock.getAsLong()) == 0;
    }

    /** Counts bytes copied for throttled replicas. */
    public void record(long bytes) {
        if (bytes > 0) {
            rate.record(bytes, clock.getAsLong());
        }
    }

    /** The rate limit in bytes per second ({@link Long#MAX_VALUE}: none). */
    public long limit() {
        return view().rate;
    }

    private View view() {
        MetadataImage img = images.get();
        View v = view;
        if (v != null && v.image == img) {
            return v;
        }
        v = compute(img);
        view = v;
        return v;
    }

    private View compute(MetadataImage img) {
        String value = img.brokerConfig(Integer.toString(localId)).get(side.rateKey);
        if (value == null) {
            value = img.brokerConfig("").get(side.rateKey);
        }
        long limit = Long.MAX_VALUE;
        if (value != null) {
            try {
                limit = Long.parseLong(value.trim());
            } catch (NumberFormatException e) {
                limit = Long.MAX_VALUE; // the controller refuses such values; an old record cannot stop replication
            }
        }
        Set<TopicPartition> replicas = new HashSet<>();
        Set<String> all = new HashSet<>();
        for (TopicImage t : img.topics()) {
            String list = t.configs().get(side.replicasKey);
            if (list == null || list.isBlank()) {
                continue;
            }
            java.util.List<int[]> entries;
            try {
                entries = ThrottledReplicas.parse(list);
            } catch (IllegalArgumentException e) {
                continue; // refused when set; an old value cannot stop replication
            }
            for (int[] e : entries) {
                if (e[0] < 0) {
                    all.add(t.name());
                } else if (e[1] == localId) {
                    replicas.add(new TopicPartition(t.name(), e[0]));
                }
            }
        }
        return new View(img, limit, Set.copyOf(replicas), Set.copyOf(all));
    }
}
