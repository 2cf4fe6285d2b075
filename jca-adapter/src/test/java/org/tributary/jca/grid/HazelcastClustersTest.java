package org.tributary.jca.grid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tributary.grid.PublishedMetadata;

/** The published metadata read from a real (in-JVM, loopback-only) Hazelcast member. */
class HazelcastClustersTest {
    private static HazelcastInstance hz;

    @BeforeAll
    static void start() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Config c = new Config();
        c.setClusterName("jca-test-" + UUID.randomUUID());
        c.setProperty("hazelcast.phone.home.enabled", "false");
        c.setProperty("hazelcast.logging.type", "jdk");
        c.setProperty("hazelcast.wait.seconds.before.join", "0");
        c.getNetworkConfig().setPort(port).setPortAutoIncrement(false);
        c.getNetworkConfig().getInterfaces().setEnabled(true).addInterface("127.0.0.1");
        JoinConfig join = c.getNetworkConfig().getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(false);
        hz = Hazelcast.newHazelcastInstance(c);
    }

    @AfterAll
    static void stop() {
        if (hz != null) {
            hz.shutdown();
        }
    }

    @Test
    void readsWhatTheControllerPublishedAndChoosesByClusterId() {
        PublishedMetadata.read(hz, "never-published"); // an empty map of that name now exists: not a cluster
        hz.getMap("unrelated.map").put("image", "broker 1 h 1 1 - live");
        GridBootstrap g = new GridBootstrap(() -> new HazelcastClusters(hz));

        PublishedMetadata.publish(hz, "c1", GridBootstrapTest.image(), 1);
        assertEquals(Map.of("c1", GridBootstrapTest.SAMPLE), new HazelcastClusters(hz).images());
        assertEquals("127.0.0.1:9093", g.resolve(null));

        PublishedMetadata.publish(hz, "c2", GridBootstrapTest.image(), 1);
        assertThrows(IllegalStateException.class, () -> g.resolve(null));
        assertEquals("127.0.0.1:9093", g.resolve("c2"));
    }
}
