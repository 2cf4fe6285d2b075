package org.tributary.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.tributary.testkit.LocalCluster;

/**
 * Three real nodes joined through the data grid. Broker ids are left to the cluster to choose
 * (no node.id), so a restarted node keeping its id proves the id comes from its data directory.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {
    /** The grid's heartbeat timeout is 8 s (server-config/hazelcast); allow for a loaded machine. */
    private static final Duration FAILURE_DETECTION = Duration.ofSeconds(30);

    @TempDir
    static Path data;
    static LocalCluster cluster;
    static int[] ids = new int[3];
    static String clusterId;

    @BeforeAll
    static void start() {
        cluster = LocalCluster.start(data, 3, "-Dnode.id=");
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void everyNodeSeesThreeBrokersWithDistinctIdsInOneCluster() {
        Set<String> clusterIds = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            String self = cluster.get(i, "/api/cluster");
            ids[i] = (int) Json.number(self, "localBrokerId");
            clusterIds.add(Json.string(self, "clusterId"));
            int node = i;
            LocalCluster.await(Duration.ofSeconds(30), "node " + i + " to see 3 live brokers",
                    () -> Json.aliveBrokerIds(cluster.get(node, "/api/cluster")).size() == 3);
        }
        assertEquals(3, Set.of(ids[0], ids[1], ids[2]).size(), "broker ids must be distinct");
        for (int id : ids) {
            assertTrue(id >= 1001, "an unconfigured broker id is chosen by the cluster from 1001 up, got " + id);
        }
        assertEquals(1, clusterIds.size(), "one cluster id: " + clusterIds);
        clusterId = clusterIds.iterator().next();
        String health = cluster.get(0, "/health/ready");
        assertTrue(health.contains("\"clusterSize\":\"3\"") || health.contains("\"clusterSize\":3"), health);
    }

    @Test
    @Order(2)
    void aKilledNodeDisappearsFromTheOthersViewAndComesBackWithItsId() {
        cluster.kill(2);
        for (int i = 0; i < 2; i++) {
            int node = i;
            LocalCluster.await(FAILURE_DETECTION, "node " + i + " to see broker " + ids[2] + " gone",
                    () -> Json.aliveBrokerIds(cluster.get(node, "/api/cluster")).equals(List.of(ids[0], ids[1]).stream().sorted().toList()));
        }
        cluster.restart(2);
        String self = cluster.get(2, "/api/cluster");
        assertEquals(ids[2], Json.number(self, "localBrokerId"), "the restarted node keeps its broker id");
        assertEquals(clusterId, Json.string(self, "clusterId"));
        LocalCluster.await(Duration.ofSeconds(30), "node 0 to see 3 live brokers again",
                () -> Json.aliveBrokerIds(cluster.get(0, "/api/cluster")).size() == 3);
    }

    @Test
    @Order(3)
    void aSuspendedNodeIsDroppedAndRejoinsWhenResumed() {
        cluster.suspend(1);
        try {
            LocalCluster.await(FAILURE_DETECTION, "node 0 to drop suspended broker " + ids[1],
                    () -> !Json.aliveBrokerIds(cluster.get(0, "/api/cluster")).contains(ids[1]));
        } finally {
            cluster.resume(1);
        }
        LocalCluster.await(Duration.ofSeconds(60), "broker " + ids[1] + " to be alive again after SIGCONT",
                () -> Json.aliveBrokerIds(cluster.get(0, "/api/cluster")).size() == 3
                        && Json.aliveBrokerIds(cluster.get(1, "/api/cluster")).size() == 3);
    }
}
