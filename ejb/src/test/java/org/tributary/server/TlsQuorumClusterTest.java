package org.tributary.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.tributary.testkit.TlsFiles;

/**
 * Three brokers whose metadata quorum runs over mutual TLS (controller listener CONTROLLER mapped
 * to SSL, its own {@code listener.name.controller.ssl.*} stores; Kafka clients stay on
 * PLAINTEXT): topics are created and a SCRAM credential (whose salted password crosses the
 * quorum) is written through the Admin client and reaches every broker.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class TlsQuorumClusterTest {
    private InJvmCluster cluster;
    private TlsFiles tls;

    /** Key stores first (keytool, slow on a busy machine), outside the test's own time limit. */
    @BeforeEach
    void keys() throws Exception {
        tls = TlsFiles.shared();
    }

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void topicsAndScramCredentialsCommitOverATlsQuorum() throws Exception {
        Map<String, String> extra = new HashMap<>(tls.brokerSettings("listener.name.controller."));
        extra.put("controller.listener.names", "CONTROLLER");
        extra.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:SSL");
        cluster = new InJvmCluster(extra).start();
        for (int id = 1; id <= 3; id++) {
            assertTrue(cluster.broker(id).metadata().quorum().config().tls().isPresent(), "broker " + id + " quorum over TLS");
        }
        try (Admin admin = cluster.admin(1)) {
            admin.createTopics(List.of(new NewTopic("over-tls-quorum", 3, (short) 3))).all().get(60, TimeUnit.SECONDS);
            admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion("alice",
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, 8192), "alice-Secret-4711"))).all().get(60, TimeUnit.SECONDS);
        }
        for (int id = 1; id <= 3; id++) {
            int broker = id;
            InJvmCluster.await("broker " + id + " sees the topic and alice", 30_000, () -> cluster.broker(broker).metadata().metadata()
                    .image().scram().find("alice", org.apache.kafka.common.security.scram.internals.ScramMechanism.SCRAM_SHA_256)
                    .isPresent());
            try (Admin admin = cluster.admin(id)) {
                assertTrue(admin.listTopics().names().get(30, TimeUnit.SECONDS).contains("over-tls-quorum"));
                assertEquals(Set.of("alice"), admin.describeUserScramCredentials().all().get(30, TimeUnit.SECONDS).keySet());
            }
        }
    }
}
