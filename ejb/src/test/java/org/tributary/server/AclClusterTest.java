package org.tributary.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * ACLs in a three-broker cluster in one JVM: written once through any broker, applied by every
 * broker, kept across a broker's restart. Replication between the brokers runs over PLAINTEXT as
 * User:ANONYMOUS too, so, exactly as in Kafka, the followers' fetches need CLUSTER_ACTION on the
 * cluster: until the test grants it, the followers are refused and say so; the clients get
 * CREATE, ALTER and DESCRIBE on the cluster and WRITE on the prefix {@code orders-} only.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class AclClusterTest {
    private InJvmCluster cluster;

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private KafkaProducer<byte[], byte[]> producer(int broker) {
        Map<String, Object> pc = new HashMap<>();
        pc.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrap(broker));
        pc.put(ProducerConfig.ACKS_CONFIG, "all");
        pc.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        pc.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000);
        pc.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000);
        pc.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        return new KafkaProducer<>(pc, new ByteArraySerializer(), new ByteArraySerializer());
    }

    @Test
    void aclsAreAppliedByEveryBrokerAndKeptAcrossARestart() throws Exception {
        cluster = new InJvmCluster(AclProtocolTest.AUTHORIZER).start();
        AclProtocolTest.grant(cluster.broker(1), AclProtocolTest.cluster(AclOperation.CREATE), AclProtocolTest.cluster(AclOperation.ALTER),
                AclProtocolTest.cluster(AclOperation.DESCRIBE));
        java.util.logging.Logger fetcherLog = java.util.logging.Logger.getLogger("org.tributary.replication.ReplicaFetcher");
        List<String> warnings = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                warnings.add(r.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        fetcherLog.addHandler(capture);
        try (Admin admin = cluster.admin(2)) {
            admin.createAcls(List.of(AclProtocolTest.allow(ResourceType.TOPIC, "orders-", PatternType.PREFIXED, AclOperation.WRITE)))
                    .all().get(30, TimeUnit.SECONDS);
            admin.createTopics(List.of(new NewTopic("orders-1", 1, (short) 3), new NewTopic("payments", 1, (short) 3))).all()
                    .get(30, TimeUnit.SECONDS);
            // without CLUSTER_ACTION the followers' fetches are refused, and the followers say why
            InJvmCluster.await("a follower reports its refused fetches", 30_000,
                    () -> warnings.stream().anyMatch(w -> w.startsWith("TRIB-REPL-012") && w.contains("CLUSTER_ACTION")));
            admin.createAcls(List.of(AclProtocolTest.cluster(AclOperation.CLUSTER_ACTION))).all().get(30, TimeUnit.SECONDS);
        } finally {
            fetcherLog.removeHandler(capture);
        }
        for (int id = 1; id <= 3; id++) {
            int b = id;
            InJvmCluster.await("broker " + b + " applies the ACLs", 20_000,
                    () -> cluster.broker(b).metadata().metadata().image().acls().byId().size() == 5);
            try (KafkaProducer<byte[], byte[]> p = producer(b)) {
                // acks=all: the followers must fetch (CLUSTER_ACTION) for the high watermark to cover the record
                p.send(new ProducerRecord<>("orders-1", ("via " + b).getBytes())).get(60, TimeUnit.SECONDS);
                ExecutionException e = assertThrows(ExecutionException.class,
                        () -> p.send(new ProducerRecord<>("payments", "x".getBytes())).get(60, TimeUnit.SECONDS));
                assertInstanceOf(TopicAuthorizationException.class, e.getCause(), "broker " + b);
            }
        }
        cluster.stop(3);
        cluster.startBroker(3);
        try (Admin admin = cluster.admin(3)) {
            assertEquals(5, admin.describeAcls(AclBindingFilter.ANY).values().get(30, TimeUnit.SECONDS).size());
            assertEquals(Set.of("orders-1"), admin.listTopics().names().get(30, TimeUnit.SECONDS), "payments stays hidden");
        }
        try (KafkaProducer<byte[], byte[]> p = producer(3)) {
            assertEquals(3, p.send(new ProducerRecord<>("orders-1", "after restart".getBytes())).get(60, TimeUnit.SECONDS).offset());
        }
    }
}
