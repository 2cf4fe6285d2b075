package org.tributary.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tributary.config.ConfigException;

/** The broker registry on real, embedded data-grid members (loopback only). */
class HazelcastClusterViewTest {
    private final String gridName = "test-" + UUID.randomUUID();
    private final List<HazelcastInstance> members = new ArrayList<>();

    @TempDir
    Path dir;

    @AfterEach
    void shutdown() {
        members.forEach(HazelcastInstance::shutdown);
    }

    private HazelcastInstance member() {
        Config c = new Config();
        c.setClusterName(gridName);
        c.setProperty("hazelcast.phone.home.enabled", "false");
        c.setProperty("hazelcast.logging.type", "jdk");
        c.setProperty("hazelcast.wait.seconds.before.join", "0");
        c.getNetworkConfig().setPort(15701).setPortAutoIncrement(true);
        c.getNetworkConfig().getInterfaces().setEnabled(true).addInterface("127.0.0.1");
        JoinConfig join = c.getNetworkConfig().getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(true).addMember("127.0.0.1:15701").addMember("127.0.0.1:15702");
        HazelcastInstance hz = Hazelcast.newHazelcastInstance(c);
        members.add(hz);
        return hz;
    }

    private static BrokerInfo broker(int id) {
        return new BrokerInfo(id, "127.0.0.1", 9092 + id, 8080 + id, null);
    }

    @Test
    void producerIdsKeepGrowingAfterTheWholeGridRestarts() throws Exception {
        HazelcastInstance hz = member();
        String cluster = HazelcastClusterView.agreeClusterId(hz, null);
        HazelcastClusterView view = HazelcastClusterView.register(hz, cluster, broker(0), dir);
        long first = view.allocateProducerIds(1000);
        long second = view.allocateProducerIds(1000);
        assertEquals(first + 1000, second);
        hz.shutdown();
        members.clear();

        HazelcastInstance again = member();
        assertEquals(cluster, HazelcastClusterView.agreeClusterId(again, cluster), "the first broker back proposes its cluster id");
        HazelcastClusterView after = HazelcastClusterView.register(again, cluster, broker(0), dir);
        assertTrue(after.allocateProducerIds(1000) >= second + 1000, "no producer id is handed out twice");
    }

    @Test
    void twoMembersSeeEachOtherAndALiveIdCannotBeTakenTwice() throws Exception {
        HazelcastInstance a = member();
        HazelcastInstance b = member();
        String cluster = HazelcastClusterView.agreeClusterId(a, null);
        assertEquals(cluster, HazelcastClusterView.agreeClusterId(b, null), "the second member adopts the agreed id");
        HazelcastClusterView va = HazelcastClusterView.register(a, cluster, broker(1), dir.resolve("a").toFile().mkdirs() ? dir.resolve("a") : dir);
        HazelcastClusterView vb = HazelcastClusterView.register(b, cluster, broker(2), dir.resolve("b").toFile().mkdirs() ? dir.resolve("b") : dir);
        assertEquals(List.of(broker(1), broker(2)), va.liveBrokers());
        assertEquals(List.of(broker(1), broker(2)), vb.liveBrokers());
        assertEquals(1, va.controllerId(), "the oldest member's broker acts as controller");
        ConfigException dup = assertThrows(ConfigException.class, () -> HazelcastClusterView.register(b, cluster, broker(1), dir));
        assertEquals("node.id", dup.key());

        b.shutdown();
        members.remove(b);
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (va.liveBrokers().size() > 1 && System.nanoTime() < deadline) {
            Thread.sleep(50); // membership changes reach the survivor asynchronously
        }
        assertEquals(List.of(broker(1)), va.liveBrokers(), "a departed member's broker is no longer live");
        assertEquals(false, va.knownBrokers().get(broker(2)), "but it is still known, as dead");
    }

    @Test
    void aDataDirectoryFromAnotherClusterIsRefused() {
        HazelcastInstance hz = member();
        HazelcastClusterView.agreeClusterId(hz, "AAAAAAAAAAAAAAAAAAAAAA");
        ConfigException e = assertThrows(ConfigException.class, () -> HazelcastClusterView.agreeClusterId(hz, "BBBBBBBBBBBBBBBBBBBBBB"));
        assertTrue(e.getMessage().contains("belongs to cluster BBBBBBBBBBBBBBBBBBBBBB"), e.getMessage());
    }
}
