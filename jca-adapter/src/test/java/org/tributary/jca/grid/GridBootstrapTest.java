package org.tributary.jca.grid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;
import org.tributary.grid.PublishedMetadata;
import org.tributary.jca.KafkaSettings;
import org.tributary.jca.TributaryResourceAdapter;
import org.tributary.metadata.MetadataDelta;
import org.tributary.metadata.MetadataImage;
import org.tributary.metadata.MetadataRecord;

/** Which brokers the adapter finds through the data grid when nothing configures bootstrap servers. */
class GridBootstrapTest {
    /**
     * What the broker side publishes ({@code PublishedMetadata.format}, see its test): broker 1
     * live on 9093, broker 2 registered but fenced on 9094.
     */
    static final String SAMPLE = """
            offset 7 epoch 2 controller 1
            broker 1 127.0.0.1 9093 8081 rack+a live
            broker 2 127.0.0.1 9094 8082 - fenced
            topic orders AAAAAAAAAAEAAAAAAAAAAg
            partition orders 0 leader 1 epoch 0 replicas 1,2 isr 1
            partition orders 1 leader 2 epoch 3 replicas 2,1 isr 2
            """;

    /** The image behind {@link #SAMPLE}, as the engine builds it. */
    static MetadataImage image() {
        Uuid topic = new Uuid(1, 2);
        List<MetadataRecord> batch = List.of(
                new MetadataRecord.RegisterBrokerRecord(1, new Uuid(3, 4), -1, "127.0.0.1", 9093, 8081, "rack a", true, true),
                new MetadataRecord.RegisterBrokerRecord(2, new Uuid(5, 6), -1, "127.0.0.1", 9094, 8082, null, true, true),
                new MetadataRecord.TopicRecord("orders", topic),
                new MetadataRecord.PartitionRecord(topic, 0, List.of(1, 2), List.of(1), 1, 0, 0),
                new MetadataRecord.PartitionRecord(topic, 1, List.of(2, 1), List.of(2), 2, 3, 4));
        MetadataImage img = MetadataDelta.apply(MetadataImage.EMPTY, batch, 5, 2);
        return MetadataDelta.apply(img, List.of(new MetadataRecord.UnfenceBrokerRecord(1, 5)), 7, 2);
    }

    private static String cluster(int... liveKafkaPorts) {
        StringBuilder b = new StringBuilder("offset 1 epoch 1 controller 1\n");
        for (int i = 0; i < liveKafkaPorts.length; i++) {
            b.append("broker ").append(i + 1).append(" 127.0.0.1 ").append(liveKafkaPorts[i]).append(" 8080 - live\n");
        }
        return b.toString();
    }

    @Test
    void theSampleIsExactlyWhatTheBrokerSidePublishes() {
        assertEquals(SAMPLE, PublishedMetadata.format(image(), 1), "the format is shared: update GridBootstrap.liveBrokers with it");
    }

    @Test
    void fencedBrokersAreLeftOutOfTheBootstrapList() {
        assertEquals(List.of("127.0.0.1:9093"), GridBootstrap.liveBrokers(SAMPLE));
        assertEquals(List.of("127.0.0.1:9093", "[::1]:9094"), GridBootstrap.liveBrokers(
                "offset 1 epoch 1 controller 1\nbroker 1 127.0.0.1 9093 8081 - live\nbroker 2 ::1 9094 8082 - live extra\n"
                + "broker 3 h x 1 - live\nbroker 4 h\nfuture line\n"));
    }

    @Test
    void theOnlyPublishedClusterIsUsed() {
        GridBootstrap g = new GridBootstrap(() -> () -> Map.of("c1", SAMPLE));
        assertEquals("127.0.0.1:9093", g.resolve(null));
        assertEquals("127.0.0.1:9093", g.resolve("c1"));
    }

    @Test
    void severalPublishedClustersNeedAClusterId() {
        GridBootstrap g = new GridBootstrap(() -> () -> Map.of("c1", cluster(19093, 19094), "c2", cluster(29093)));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> g.resolve(null));
        assertTrue(e.getMessage().contains("clusterId") && e.getMessage().contains("c1") && e.getMessage().contains("c2"), e.getMessage());
        assertEquals("127.0.0.1:19093,127.0.0.1:19094", g.resolve("c1"));
        assertEquals("127.0.0.1:29093", g.resolve(" c2 "));
        IllegalStateException unknown = assertThrows(IllegalStateException.class, () -> g.resolve("c3"));
        assertTrue(unknown.getMessage().contains("'c3'") && unknown.getMessage().contains("[c1, c2]"), unknown.getMessage());
    }

    @Test
    void nothingPublishedFallsBackWithOneLogLine() {
        List<LogRecord> lines = new ArrayList<>();
        Logger log = Logger.getLogger(GridBootstrap.class.getName());
        Handler h = new Handler() {
            @Override public void publish(LogRecord r) { lines.add(r); }
            @Override public void flush() { }
            @Override public void close() { }
        };
        log.addHandler(h);
        try {
            GridBootstrap noGrid = new GridBootstrap(() -> null);
            assertEquals(KafkaSettings.FALLBACK_BOOTSTRAP, noGrid.resolve(null));
            assertEquals(KafkaSettings.FALLBACK_BOOTSTRAP, noGrid.resolve(""));
            assertEquals(1, lines.size(), "one line, not one per connection");
            assertTrue(lines.get(0).getMessage().contains("bootstrapServers") && lines.get(0).getMessage().contains("localhost:9092"),
                    lines.get(0).getMessage());

            lines.clear();
            GridBootstrap empty = new GridBootstrap(() -> Map::of);
            assertEquals(KafkaSettings.FALLBACK_BOOTSTRAP, empty.resolve(null));
            assertEquals(KafkaSettings.FALLBACK_BOOTSTRAP, empty.resolve(null));
            assertEquals(1, lines.size());
            assertTrue(lines.get(0).getMessage().contains("no Tributary cluster has published"), lines.get(0).getMessage());

            GridBootstrap allFenced = new GridBootstrap(() -> () -> Map.of("c1", "offset 1 epoch 1 controller 1\nbroker 1 h 9093 8081 - fenced\n"));
            assertEquals(KafkaSettings.FALLBACK_BOOTSTRAP, allFenced.resolve(null));
            assertThrows(IllegalStateException.class, () -> allFenced.resolve("c1"), "a clusterId that cannot be honoured is refused");
            assertThrows(IllegalStateException.class, () -> noGrid.resolve("c1"));
        } finally {
            log.removeHandler(h);
        }
    }

    @Test
    void outsidePayaraThereIsNoGridAndNoError() {
        // Hazelcast is on the test class path but there is no JNDI: the old behaviour
        assertEquals(KafkaSettings.FALLBACK_BOOTSTRAP, GridBootstrap.payara().resolve(null));
    }

    @Test
    void brokersStartingLaterAreFoundAtTheNextResolution() {
        Map<String, String> grid = new java.util.concurrent.ConcurrentHashMap<>();
        GridBootstrap g = new GridBootstrap(() -> () -> grid);
        assertEquals(KafkaSettings.FALLBACK_BOOTSTRAP, g.resolve(null));
        grid.put("c1", SAMPLE);
        assertEquals("127.0.0.1:9093", g.resolve(null));
    }

    /** One list while any of its brokers lives, so shared producers are not made anew at each broker restart. */
    @Test
    void theListStaysWhileOneOfItsBrokersLivesAndIsMadeAnewWhenNoneDoes() {
        Map<String, String> grid = new java.util.concurrent.ConcurrentHashMap<>();
        GridBootstrap g = new GridBootstrap(() -> () -> grid);
        grid.put("c1", cluster(9093, 9094, 9095));
        assertEquals("127.0.0.1:9093,127.0.0.1:9094,127.0.0.1:9095", g.resolve(null));
        grid.put("c1", cluster(9094)); // two of them restarting
        assertEquals("127.0.0.1:9093,127.0.0.1:9094,127.0.0.1:9095", g.resolve(null));
        grid.put("c1", cluster(9096, 9097)); // the old ones all gone
        assertEquals("127.0.0.1:9096,127.0.0.1:9097", g.resolve(null));
    }

    @Test
    void explicitConfigurationWinsOverTheGrid() {
        TributaryResourceAdapter ra = new TributaryResourceAdapter();
        ra.useGrid(new GridBootstrap(() -> () -> Map.of("c1", SAMPLE, "c2", SAMPLE)));
        String saved = System.getProperty(KafkaSettings.BOOTSTRAP_PROPERTY);
        System.clearProperty(KafkaSettings.BOOTSTRAP_PROPERTY);
        try {
            org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv("TRIBUTARY_BOOTSTRAP_SERVERS") == null);
            assertThrows(IllegalStateException.class, ra::defaultBootstrapServers, "two clusters, no clusterId");
            ra.setClusterId("c2");
            assertEquals("127.0.0.1:9093", ra.defaultBootstrapServers());
            System.setProperty(KafkaSettings.BOOTSTRAP_PROPERTY, "prop:1");
            assertEquals("prop:1", ra.defaultBootstrapServers());
            ra.setBootstrapServers("adapter:2");
            assertEquals("adapter:2", ra.defaultBootstrapServers());
        } finally {
            if (saved == null) {
                System.clearProperty(KafkaSettings.BOOTSTRAP_PROPERTY);
            } else {
                System.setProperty(KafkaSettings.BOOTSTRAP_PROPERTY, saved);
            }
        }
    }
}
