package org.tributary.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509KeyManager;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.QuorumInfo;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.tributary.testkit.LocalCluster;
import org.tributary.testkit.TlsFiles;

/**
 * Three real Payara Micro nodes whose metadata quorum runs over mutual TLS, configured as Kafka
 * configures its controller listener: {@code controller.listener.names=CONTROLLER}, mapped to SSL
 * in {@code listener.security.protocol.map}, with the {@code listener.name.controller.ssl.*} stores
 * (Kafka clients stay on PLAINTEXT). The cluster forms, creates and replicates topics, and a killed
 * controller is replaced and rejoins over TLS; the quorum port speaks only TLS, with the broker's
 * certificate, and refuses a peer whose certificate its trust store does not trust, with one
 * TRIB-0119 line. The tests share one cluster and run in order.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class QuorumTlsIT {
    @TempDir
    static Path data;
    static TlsFiles tls;
    static LocalCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        tls = TlsFiles.create();
        Map<String, String> settings = new TreeMap<>(tls.brokerSettings("listener.name.controller."));
        settings.put("controller.listener.names", "CONTROLLER");
        settings.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:SSL");
        String opts = settings.entrySet().stream().map(e -> "-D" + e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" "));
        cluster = LocalCluster.start(data, 3, opts);
    }

    @AfterAll
    static void stop() throws IOException {
        if (cluster != null) {
            cluster.close();
        }
        if (tls != null) {
            tls.delete();
        }
    }

    private static Admin admin(int... nodes) {
        return KafkaClients.admin(cluster, nodes);
    }

    @Test
    @Order(1)
    void theClusterFormsOverTlsAndReplicatesATopic() throws Exception {
        try (Admin a = admin(0)) {
            a.createTopics(List.of(new NewTopic("secured", 3, (short) 3))).all().get(60, TimeUnit.SECONDS);
        }
        for (int node = 0; node < 3; node++) {
            try (Admin a = admin(node)) {
                // Kafka's contract (Admin.createTopics): a broker learns of a created topic some time after the
                // answer, and until then describeTopics through it fails with UNKNOWN_TOPIC_OR_PARTITION
                TopicDescription[] seen = new TopicDescription[1];
                LocalCluster.await(Duration.ofSeconds(30), "node " + node + " to describe topic secured", () -> {
                    try {
                        seen[0] = a.describeTopics(List.of("secured")).allTopicNames().get(10, TimeUnit.SECONDS).get("secured");
                        return true;
                    } catch (ExecutionException e) {
                        if (e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException) {
                            return false;
                        }
                        throw new AssertionError("describeTopics failed otherwise", e);
                    } catch (InterruptedException | java.util.concurrent.TimeoutException e) {
                        throw new AssertionError(e);
                    }
                });
                TopicDescription d = seen[0];
                assertEquals(Set.of(0, 1, 2), d.partitions().stream().map(p -> p.leader().id()).collect(Collectors.toSet()),
                        "leaders spread over the three brokers, as seen through node " + node);
                QuorumInfo q = a.describeMetadataQuorum().quorumInfo().get(30, TimeUnit.SECONDS);
                assertEquals(Set.of(0, 1, 2), q.voters().stream().map(QuorumInfo.ReplicaState::replicaId).collect(Collectors.toSet()));
                assertTrue(q.highWatermark() > 0, "entries committed over TLS: " + q);
            }
        }
        List<String> values = IntStream.range(0, 50).mapToObj(i -> "v" + i).toList();
        KafkaClients.produce(KafkaClients.bootstrap(cluster, 1), "secured", values, 0);
        assertEquals(values, KafkaClients.readAll(KafkaClients.bootstrap(cluster, 2), "secured", 0, values.size()));
    }

    @Test
    @Order(2)
    void theQuorumPortSpeaksOnlyTlsAndRefusesAnUntrustedPeer() throws Exception {
        int port = cluster.quorumPort(0);
        // a peer the trust store trusts completes the handshake and is shown the broker's certificate
        try (SSLSocket s = tlsSocket(tls.clientKeystore, port)) {
            s.startHandshake();
            X509Certificate broker = (X509Certificate) s.getSession().getPeerCertificates()[0];
            assertEquals("CN=localhost,O=Tributary", broker.getSubjectX500Principal().getName());
        }
        // a certificate from another CA: the member ends the connection and says why, once
        try (SSLSocket s = tlsSocket(tls.strangerKeystore, port)) {
            s.setSoTimeout(10_000);
            boolean refused;
            try {
                s.startHandshake();
                s.getOutputStream().write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
                refused = s.getInputStream().read() < 0;
            } catch (SSLException | java.net.SocketException e) {
                refused = true;
            } catch (SocketTimeoutException e) {
                refused = false;
            }
            assertTrue(refused, "a peer with an untrusted certificate is refused");
        }
        LocalCluster.await(Duration.ofSeconds(15), "TRIB-0119 naming the refused certificate in node 0's log", () -> {
            try {
                return Files.readString(cluster.logFile(0)).lines()
                        .anyMatch(l -> l.contains("TRIB-0119") && l.contains("CN=mallory,O=Elsewhere"));
            } catch (IOException e) {
                return false;
            }
        });
        // plaintext HTTP/2 (what a plaintext member would send): never answered in HTTP/2
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            s.setSoTimeout(10_000);
            s.getOutputStream().write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            int first;
            try {
                first = s.getInputStream().read();
            } catch (SocketTimeoutException | java.net.SocketException e) {
                first = -1;
            }
            // an HTTP/2 server's first frame is SETTINGS (length, then type 0x04); TLS answers with an alert (0x15) or closes
            assertTrue(first == -1 || first == 0x15, "the quorum port does not speak plaintext (first byte " + first + ")");
        }
    }

    @Test
    @Order(3)
    void aKilledControllerIsReplacedAndRejoinsOverTls() throws Exception {
        int controller;
        try (Admin a = admin(0, 1, 2)) {
            controller = a.describeMetadataQuorum().quorumInfo().get(30, TimeUnit.SECONDS).leaderId(); // the quorum leader
        }
        long t0 = System.nanoTime();
        cluster.kill(controller);
        int survivor = controller == 0 ? 1 : 0;
        try (Admin a = admin(survivor)) {
            a.createTopics(List.of(new NewTopic("after-kill", 3, (short) 2))).all().get(60, TimeUnit.SECONDS);
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            System.out.println("QuorumTlsIT: CreateTopics succeeded " + ms + " ms after kill -9 of the controller");
            assertTrue(ms < 30_000, "a new controller within seconds over TLS, took " + ms + " ms");
        }
        cluster.restart(controller);
        try (Admin a = admin(controller)) {
            assertTrue(a.listTopics().names().get(30, TimeUnit.SECONDS).containsAll(Set.of("secured", "after-kill")),
                    "the restarted node catches up over TLS with what was committed while it was down");
            LocalCluster.await(Duration.ofSeconds(60), "the restarted node back in every ISR of 'secured'", () -> {
                try {
                    TopicDescription d = a.describeTopics(List.of("secured")).allTopicNames().get(30, TimeUnit.SECONDS).get("secured");
                    return d.partitions().stream().map(TopicPartitionInfo::isr)
                            .allMatch(isr -> isr.stream().anyMatch(n -> n.id() == controller));
                } catch (Exception e) {
                    return false;
                }
            });
            long hw = a.describeMetadataQuorum().quorumInfo().get(30, TimeUnit.SECONDS).highWatermark();
            LocalCluster.await(Duration.ofSeconds(30), "the restarted voter's log at the quorum's high watermark " + hw, () -> {
                try {
                    return a.describeMetadataQuorum().quorumInfo().get(30, TimeUnit.SECONDS).voters().stream()
                            .anyMatch(v -> v.replicaId() == controller && v.logEndOffset() >= hw);
                } catch (Exception e) {
                    return false;
                }
            });
        }
    }

    private static SSLSocket tlsSocket(Path keystore, int port) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            ks.load(in, TlsFiles.PASSWORD.toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, TlsFiles.PASSWORD.toCharArray());
        X509KeyManager keys = (X509KeyManager) kmf.getKeyManagers()[0];
        String alias = java.util.Collections.list(ks.aliases()).stream().filter(a -> {
            try {
                return ks.isKeyEntry(a);
            } catch (java.security.KeyStoreException e) {
                return false;
            }
        }).findFirst().orElseThrow();
        // present the key store's certificate whatever CAs the server names, as a misconfigured member
        // does (the JDK's own choice would send none for a certificate from another CA)
        X509ExtendedKeyManager always = new X509ExtendedKeyManager() {
            @Override
            public String[] getClientAliases(String keyType, java.security.Principal[] issuers) {
                return new String[] {alias};
            }

            @Override
            public String chooseClientAlias(String[] keyType, java.security.Principal[] issuers, Socket socket) {
                return alias;
            }

            @Override
            public String[] getServerAliases(String keyType, java.security.Principal[] issuers) {
                return null;
            }

            @Override
            public String chooseServerAlias(String keyType, java.security.Principal[] issuers, Socket socket) {
                return null;
            }

            @Override
            public X509Certificate[] getCertificateChain(String a) {
                return keys.getCertificateChain(a);
            }

            @Override
            public java.security.PrivateKey getPrivateKey(String a) {
                return keys.getPrivateKey(a);
            }
        };
        KeyStore ts = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(tls.truststore)) {
            ts.load(in, TlsFiles.PASSWORD.toCharArray());
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ts);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(new javax.net.ssl.KeyManager[] {always}, tmf.getTrustManagers(), null);
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        s.setSoTimeout(10_000);
        SSLParameters p = s.getSSLParameters();
        p.setApplicationProtocols(new String[] {"h2"}); // gRPC's protocol
        p.setEndpointIdentificationAlgorithm("HTTPS");
        s.setSSLParameters(p);
        return s;
    }
}
