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
 * authority (a split or merge can only make it stale, and the next publication replaces it).
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

    /** Writes {@code image} into the grid for cluster {@code clusterId}. */
    public static void publish(HazelcastInstance hz, String clusterId, MetadataImage image, int controllerId) {
        map(hz, clusterId).set(KEY, format(image, controllerId));
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
