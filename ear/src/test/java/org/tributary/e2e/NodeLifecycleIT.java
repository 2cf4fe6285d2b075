package org.tributary.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tributary.testkit.LocalCluster;

/** One node through the launcher: ready, registered, stopped by SIGTERM, restarted on its data. */
class NodeLifecycleIT {

    @TempDir
    Path data;

    @Test
    void aNodeStartsRegistersStopsCleanlyAndKeepsItsIdentity() throws Exception {
        String firstClusterId;
        try (LocalCluster node = LocalCluster.start(data, 1, "-Dnode.id=7 -Dnum.partitions=3")) {
            String health = node.get(0, "/health/ready");
            assertTrue(health.contains("\"tributary-broker\"") && health.contains("\"UP\""), health);
            assertTrue(health.contains("\"brokerId\":\"7\"") || health.contains("\"brokerId\":7"), health);
            String cluster = node.get(0, "/api/cluster");
            assertEquals(List.of(7), Json.aliveBrokerIds(cluster));
            assertEquals(node.kafkaPort(0), Json.number(cluster, "kafkaPort"));
            firstClusterId = Json.string(cluster, "clusterId");
            assertEquals(22, firstClusterId.length(), "Kafka-style base64 cluster id: " + firstClusterId);
            String meta = Files.readString(node.dataDir(0).resolve("meta.properties"));
            assertTrue(meta.contains("node.id=7") && meta.contains("cluster.id=" + firstClusterId), meta);

            assertEquals(3, KafkaClients.partitionCount(node.bootstrapServers(), "auto-created"),
                    "num.partitions given as a system property reaches topic auto-creation");
            List<String> values = java.util.stream.IntStream.range(0, 500).mapToObj(i -> "record-" + i).toList();
            var acks = KafkaClients.produce(node.bootstrapServers(), "lifecycle", values, 0);
            assertEquals(499, acks.get(499).offset(), "offsets 0..499 acknowledged in order");

            long pid = node.pid(0);
            LocalCluster.Result stopped = node.stop(0);
            assertEquals(0, stopped.exitCode(), stopped.output());
            assertTrue(ProcessHandle.of(pid).isEmpty(), "process gone after stop");
            String log = Files.readString(node.logFile(0));
            assertTrue(log.contains("TRIB-0003 Broker 7 stopped"), "the broker stops cleanly on SIGTERM");

            node.restart(0);
            String again = node.get(0, "/api/cluster");
            assertEquals(7, Json.number(again, "localBrokerId"));
            assertEquals(firstClusterId, Json.string(again, "clusterId"), "the cluster id comes back from meta.properties");
            assertEquals(values, KafkaClients.readAll(node.bootstrapServers(), "lifecycle", values.size()),
                    "every acknowledged record is read back after the restart, in order");
        }
    }

    @Test
    void aDataDirectoryKeepsTheBrokerItWasCreatedFor() throws Exception {
        try (LocalCluster node = LocalCluster.start(data, 1, "-Dnode.id=3")) {
            node.stop(0);
        }
        try (LocalCluster.Attempt a = LocalCluster.tryStart(data, "-Dnode.id=4")) {
            assertNotEquals(0, a.result().exitCode(), a.result().output());
            assertTrue(a.result().output().contains("TRIB-0002") && a.result().output().contains("'node.id'")
                    && a.result().output().contains("belongs to broker 3"), a.result().output());
        }
    }
}
