package org.tributary.grid;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.tributary.metadata.BrokerRegistration;
import org.tributary.metadata.MetadataImage;
import org.tributary.metadata.PartitionRegistration;
import org.tributary.metadata.TopicImage;

/**
 * The committed cluster metadata as the active controller publishes it into the data grid, so any
 * Payara member (a broker, the DAS, an application instance with the adapter) can read it without
 * a Kafka connection. One entry of the map {@value #MAP}.<cluster>, key {@value #KEY}, plain text
 * (no application class is ever deserialized by the server-wide grid):
 * <pre>
 * offset 42 epoch 3 controller 1
 * broker 1 127.0.0.1 9093 8081 rack-a live
 * topic orders 6iJmYCw7R2KZ1Y5b0xJ0Yw
 * partition orders 0 leader 1 epoch 0 replicas 1,2,3 isr 1
 * </pre>
 * A reader of the grid sees what was committed at {@code offset}; the grid is a copy, never the
 * authority, and nothing read from it ever changes committed metadata.
 *
 * <p>What a reader may rely on: a publication never replaces a newer image (a higher offset at the
 * same or a higher epoch, see {@link #supersedes}), so while the grid is whole the view only moves
 * forward. A grid split leaves each side with its own copy; the side without the active controller
 * goes stale. At the merge Hazelcast keeps one side's entry (the larger side's, with the default
 * {@code PutIfAbsentMergePolicy}), which may be the older one: a reader may see that older image
 * during the merge, until the active controller republishes its latest image, which it does as soon
 * as its member has merged or sees a member join, and in any case at its periodic check (every 5 s,
 * {@link GridPublisher}). From the moment the merge is complete the view does not step back. The
 * value stays plain text and no merge policy of ours runs on the grid's members.
 *
 * <p>Immutable value; the static methods are thread-safe.
 */
public record PublishedMetadata(long offset, long epoch, int controllerId, List<Broker> brokers, List<Partition> partitions) {
    static final String MAP = "tributary.metadata";
    static final String KEY = "image";

    public PublishedMetadata {
        brokers = List.copyOf(brokers);
        partitions = List.copyOf(partitions);
    }

    /** A broker as published. */
    public record Broker(int id, String host, int kafkaPort, int httpPort, String rack, boolean live) {
    }

    /** A partition as published. */
    public record Partition(String topic, String topicId, int partition, int leader, int leaderEpoch, List<Integer> replicas,
            List<Integer> isr) {
    }

    /** The text form of {@code image}, with {@code controllerId} as the active controller. */
    public static String format(MetadataImage image, int controllerId) {
        StringBuilder b = new StringBuilder();
        b.append("offset ").append(image.offset()).append(" epoch ").append(image.epoch()).append(" controller ").append(controllerId)
                .append('\n');
        for (BrokerRegistration r : image.brokers()) {
            b.append("broker ").append(r.id()).append(' ').append(r.host()).append(' ').append(r.kafkaPort()).append(' ')
                    .append(r.httpPort()).append(' ').append(r.rack() == null ? "-" : java.net.URLEncoder.encode(r.rack(), java.nio.charset.StandardCharsets.UTF_8)).append(' ')
                    .append(r.active() ? "live" : "fenced").append('\n');
        }
        for (TopicImage t : image.topics()) {
            b.append("topic ").append(t.name()).append(' ').append(t.id()).append('\n');
            for (int p = 0; p < t.partitionCount(); p++) {
                PartitionRegistration reg = t.partition(p);
                b.append("partition ").append(t.name()).append(' ').append(p).append(" leader ").append(reg.leader())
                        .append(" epoch ").append(reg.leaderEpoch()).append(" replicas ").append(join(reg.replicas()))
                        .append(" isr ").append(join(reg.isr())).append('\n');
            }
        }
        return b.toString();
    }

    /** Parses {@link #format}'s text; damaged text is an {@link IllegalArgumentException}. */
    public static PublishedMetadata parse(String text) {
        String[] lines = text.split("\n");
        String[] head = lines[0].split(" ");
        if (head.length != 6 || !head[0].equals("offset")) {
            throw new IllegalArgumentException("published metadata starts with '" + lines[0] + "'");
        }
        List<Broker> brokers = new ArrayList<>();
        List<Partition> partitions = new ArrayList<>();
        java.util.Map<String, String> topicIds = new java.util.HashMap<>();
        for (int i = 1; i < lines.length; i++) {
            String[] f = lines[i].split(" ");
            switch (f[0]) {
                case "broker" -> brokers.add(new Broker(Integer.parseInt(f[1]), f[2], Integer.parseInt(f[3]), Integer.parseInt(f[4]),
                        f[5].equals("-") ? null : java.net.URLDecoder.decode(f[5], java.nio.charset.StandardCharsets.UTF_8), f[6].equals("live")));
                case "topic" -> topicIds.put(f[1], f[2]);
                case "partition" -> partitions.add(new Partition(f[1], topicIds.get(f[1]), Integer.parseInt(f[2]),
                        Integer.parseInt(f[4]), Integer.parseInt(f[6]), ids(f[8]), ids(f[10])));
                default -> throw new IllegalArgumentException("unknown line in published metadata: " + lines[i]);
            }
        }
        return new PublishedMetadata(Long.parseLong(head[1]), Long.parseLong(head[3]), Integer.parseInt(head[5]), brokers, partitions);
    }

    /** What {@link #publish} did. */
    public enum Publication {
        /** The grid held no image, an older one or this one under another controller: it holds this one now. */
        WRITTEN,
        /** The grid already held exactly this image. */
        UNCHANGED,
        /** The grid holds a newer image, which stays. */
        REFUSED_NEWER_THERE
    }

    /**
     * Writes {@code image} into the grid for cluster {@code clusterId}, unless the grid holds a newer
     * one. A compare-and-set loop on the plain-text value ({@code putIfAbsent}, {@code replace(old,
     * new)}): no application class is shipped to or run on the grid's members.
     */
    public static Publication publish(HazelcastInstance hz, String clusterId, MetadataImage image, int controllerId) {
        IMap<String, String> map = map(hz, clusterId);
        String text = format(image, controllerId);
        for (int attempt = 0; attempt < 16; attempt++) {
            String current = map.get(KEY);
            if (current == null) {
                if (map.putIfAbsent(KEY, text) == null) {
                    return Publication.WRITTEN;
                }
            } else if (current.equals(text)) {
                return Publication.UNCHANGED;
            } else if (!supersedes(image.offset(), image.epoch(), current)) {
                return Publication.REFUSED_NEWER_THERE;
            } else if (map.replace(KEY, current, text)) {
                return Publication.WRITTEN;
            }
            // another publisher wrote in between: compare again with what it wrote
        }
        throw new IllegalStateException("the published metadata kept changing under 16 attempts to publish offset " + image.offset());
    }

    /**
     * Whether an image at {@code offset}/{@code epoch} may replace the published {@code current}
     * text: not when {@code current} is newer, that is has a higher offset at the same or a higher
     * epoch, or the same offset at a higher epoch. The same offset and epoch (the same committed
     * image, possibly naming another controller) may replace it; so may a lower offset at a higher
     * epoch, which no single log produces (epochs only grow along it) and so can only come from a
     * log started afresh under the same cluster id. (A log started afresh at an epoch no higher than
     * the published one is refused until its offset or epoch passes it: the grid keeps the older
     * cluster's view meanwhile.) Damaged text is always replaced.
     */
    static boolean supersedes(long offset, long epoch, String current) {
        long currentOffset;
        long currentEpoch;
        try {
            String[] head = current.substring(0, current.indexOf('\n') < 0 ? current.length() : current.indexOf('\n')).split(" ");
            if (head.length != 6 || !head[0].equals("offset")) {
                return true;
            }
            currentOffset = Long.parseLong(head[1]);
            currentEpoch = Long.parseLong(head[3]);
        } catch (NumberFormatException e) {
            return true;
        }
        boolean same = currentOffset == offset && currentEpoch == epoch;
        return same || !(currentEpoch >= epoch && currentOffset >= offset);
    }

    /** What the active controller last published for cluster {@code clusterId}, if anything. */
    public static Optional<PublishedMetadata> read(HazelcastInstance hz, String clusterId) {
        return Optional.ofNullable(map(hz, clusterId).get(KEY)).map(PublishedMetadata::parse);
    }

    private static IMap<String, String> map(HazelcastInstance hz, String clusterId) {
        return hz.getMap(MAP + "." + clusterId);
    }

    private static String join(List<Integer> ids) {
        return ids.isEmpty() ? "-" : String.join(",", ids.stream().map(String::valueOf).toList());
    }

    private static List<Integer> ids(String s) {
        List<Integer> out = new ArrayList<>();
        if (!s.equals("-")) {
            for (String x : s.split(",")) {
                out.add(Integer.parseInt(x));
            }
        }
        return out;
    }
}
