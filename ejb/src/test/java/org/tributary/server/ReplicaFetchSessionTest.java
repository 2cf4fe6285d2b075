package org.tributary.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.tributary.replication.ReplicaFetchers;

/**
 * Followers fetch in incremental fetch sessions (KIP-227): once every follower has a session with
 * its leaders and nothing is written, their requests list no partitions; written records still
 * reach every replica through the session.
 */
class ReplicaFetchSessionTest {
    @Test
    void idleFollowersListNoPartitionsAndWritesStillReplicate() throws Exception {
        try (InJvmCluster c = new InJvmCluster(Map.of()).start(); Admin admin = c.admin(1)) {
            admin.createTopics(List.of(new NewTopic("s", 6, (short) 3))).all().get(30, TimeUnit.SECONDS);
            InJvmCluster.await("every follower in a session and idle", 30_000, () -> c.brokers.values().stream().allMatch(b -> {
                ReplicaFetchers f = b.server().fetchers();
                return f != null && f.followed() > 0 && f.allInSessions() && f.partitionsInLastRequests() == 0;
            }));
            Map<String, Object> pc = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, c.bootstrap(1, 2, 3), ProducerConfig.ACKS_CONFIG, "1");
            try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(pc, new ByteArraySerializer(), new ByteArraySerializer())) {
                for (int i = 0; i < 60; i++) {
                    p.send(new ProducerRecord<>("s", i % 6, null, new byte[] {(byte) i}));
                }
                p.flush();
            }
            InJvmCluster.await("every replica has the records", 30_000, () -> c.brokers.values().stream().allMatch(b -> {
                for (int part = 0; part < 6; part++) {
                    if (b.server().replicaManager().orElseThrow().replica(new TopicPartition("s", part)).orElseThrow()
                            .logEndOffset() != 10) {
                        return false;
                    }
                }
                return true;
            }));
            InJvmCluster.await("idle again", 30_000, () -> c.brokers.values().stream()
                    .allMatch(b -> b.server().fetchers().allInSessions() && b.server().fetchers().partitionsInLastRequests() == 0));
            assertEquals(12, c.brokers.values().stream().mapToInt(b -> b.server().fetchers().followed()).sum());
        }
    }
}
