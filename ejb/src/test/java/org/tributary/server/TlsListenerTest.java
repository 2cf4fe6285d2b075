package org.tributary.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.RequestUtils;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.tributary.api.RequestContext;
import org.tributary.testkit.TlsFiles;
import org.tributary.testing.LogCapture;

/**
 * One broker with four listeners: PLAINTEXT, SSL (no client certificates), MTLS (SSL with
 * {@code ssl.client.auth=required} and principal mapping rules) and REQ (SSL with
 * {@code ssl.client.auth=requested}), the last two set as per-listener overrides.
 * Real clients: the Java producer, consumer and admin, and kcat.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class) // the warning test first: it counts the first TLS failure's line
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TlsListenerTest {
    private static final Path KCAT = Path.of("/usr/bin/kcat");
    private TlsFiles tls;
    private TestBroker broker;
    /** The principal and listener each connection's Metadata requests carried in their RequestContext. */
    private final Map<String, String> seen = new ConcurrentHashMap<>();

    @BeforeAll
    void start() throws Exception {
        tls = TlsFiles.shared();
        Map<String, String> s = new HashMap<>();
        s.put("listeners", "PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0,MTLS://127.0.0.1:0,REQ://127.0.0.1:0");
        s.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,SSL:SSL,MTLS:SSL,REQ:SSL");
        s.put("listener.name.req.ssl.client.auth", "requested");
        s.putAll(tls.brokerSettings(""));
        s.put("listener.name.mtls.ssl.client.auth", "required");
        s.put("listener.name.mtls.ssl.principal.mapping.rules", "RULE:^CN=([^,]+),OU=clients,.*$/$1/U,DEFAULT");
        broker = new TestBroker(s);
        broker.server().registry().orElseThrow().wrap(ApiKeys.METADATA, h -> (ctx, req) -> {
            record(ctx);
            return h.handle(ctx, req);
        });
    }

    private void record(RequestContext ctx) {
        seen.put(ctx.header().clientId(), ctx.listenerName() + " " + ctx.principal());
    }

    @AfterAll
    void stop() throws IOException {
        if (broker != null) {
            broker.close();
        }
    }

    private String bootstrap(String listener) {
        return "127.0.0.1:" + broker.port(listener);
    }

    private Map<String, Object> client(String listener, Path keystore, String clientId) {
        Map<String, Object> m = new HashMap<>(tls.clientSettings(keystore));
        m.put("bootstrap.servers", bootstrap(listener));
        m.put("client.id", clientId);
        return m;
    }

    private Admin admin(Map<String, Object> settings) {
        Properties p = new Properties();
        p.putAll(settings);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "15000");
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        return Admin.create(p);
    }

    @Test
    void producerConsumerAndAdminOverSslIncludingLargeFetches() throws Exception {
        try (Admin admin = admin(client("SSL", null, "tls-admin"))) {
            admin.createTopics(List.of(new NewTopic("tls-data", 2, (short) 1))).all().get();
            // a client on the SSL listener is told the SSL addresses
            assertEquals(List.of(broker.port("SSL")), admin.describeCluster().nodes().get().stream().map(n -> n.port()).toList());
        }
        Random random = new Random(7);
        List<byte[]> sent = new ArrayList<>();
        Map<String, Object> p = client("SSL", null, "tls-producer");
        p.put("acks", "all");
        p.put("linger.ms", 5);
        try (KafkaProducer<byte[], byte[]> producer = broker.producer(p)) {
            for (int i = 0; i < 600; i++) {
                byte[] v = new byte[i % 100 == 0 ? 300_000 : 1 + random.nextInt(4000)]; // some values span many TLS records
                random.nextBytes(v);
                sent.add(v);
                producer.send(new ProducerRecord<>("tls-data", 0, null, v));
            }
            producer.flush();
        }
        Map<String, Object> c = client("SSL", null, "tls-consumer");
        c.put("max.partition.fetch.bytes", 4 * 1024 * 1024);
        List<byte[]> got = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = broker.consumer(c)) {
            consumer.assign(List.of(new TopicPartition("tls-data", 0)));
            long deadline = System.currentTimeMillis() + 30_000;
            while (got.size() < sent.size() && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    got.add(r.value());
                }
            }
        }
        assertEquals(sent.size(), got.size());
        for (int i = 0; i < sent.size(); i++) {
            assertArrayEquals(sent.get(i), got.get(i), "record " + i);
        }
    }

    @Test
    void mutualTlsGivesTheMappedPrincipalAndPlainTlsIsAnonymous() throws Exception {
        try (Admin admin = admin(client("MTLS", tls.clientKeystore, "mtls-alice"))) {
            assertEquals(1, admin.describeCluster().nodes().get().size());
            admin.listTopics().names().get();
        }
        try (Admin admin = admin(client("SSL", tls.clientKeystore, "tls-anon"))) {
            admin.listTopics().names().get();
        }
        try (Admin admin = admin(client("REQ", tls.clientKeystore, "req-alice"))) {
            admin.listTopics().names().get();
        }
        try (Admin admin = admin(client("REQ", null, "req-nobody"))) {
            admin.listTopics().names().get();
        }
        assertEquals("MTLS " + new KafkaPrincipal(KafkaPrincipal.USER_TYPE, "ALICE"), seen.get("mtls-alice"));
        assertEquals("SSL " + KafkaPrincipal.ANONYMOUS, seen.get("tls-anon"));
        assertEquals("REQ User:" + TlsFiles.CLIENT_DN, seen.get("req-alice")); // DEFAULT rule: the subject as it is
        assertEquals("REQ " + KafkaPrincipal.ANONYMOUS, seen.get("req-nobody"));
    }

    @Test
    void requiredClientAuthRefusesClientsWithoutATrustedCertificate() {
        for (Path keystore : new Path[] {null, tls.strangerKeystore}) {
            Map<String, Object> settings = client("MTLS", keystore, "no-cert");
            try (Admin admin = admin(settings)) {
                ExecutionException e = assertThrows(ExecutionException.class, () -> admin.listTopics().names().get(20, TimeUnit.SECONDS));
                assertTrue(e.getCause() instanceof SslAuthenticationException, e.toString());
            }
        }
        assertEquals(null, seen.get("no-cert"));
    }

    @Test
    void requestsDecryptedTogetherAreAllAnsweredWithoutMoreBytesFromTheSocket() throws Exception {
        javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance("PKIX");
        java.security.KeyStore ts = java.security.KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(tls.truststore)) {
            ts.load(in, TlsFiles.PASSWORD.toCharArray());
        }
        tmf.init(ts);
        javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        try (javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", broker.port("SSL"))) {
            s.setSoTimeout(10_000);
            java.io.ByteArrayOutputStream three = new java.io.ByteArrayOutputStream();
            for (int corr = 1; corr <= 3; corr++) {
                RequestHeader header = new RequestHeader(ApiKeys.API_VERSIONS, (short) 3, "pipelined", corr);
                ByteBuffer body = RequestUtils.serialize(header.data(), header.headerVersion(), new ApiVersionsRequestData()
                        .setClientSoftwareName("x").setClientSoftwareVersion("1"), (short) 3);
                three.write(ByteBuffer.allocate(4).putInt(body.remaining()).array());
                three.write(body.array(), body.arrayOffset(), body.remaining());
            }
            s.getOutputStream().write(three.toByteArray()); // one TLS record: three requests
            s.getOutputStream().flush();
            java.io.DataInputStream in = new java.io.DataInputStream(s.getInputStream());
            for (int corr = 1; corr <= 3; corr++) {
                byte[] response = new byte[in.readInt()];
                in.readFully(response);
                assertEquals(corr, ByteBuffer.wrap(response).getInt(), "responses in request order");
            }
        }
    }

    @Test
    void kcatProducesAndConsumesOverSsl() throws Exception {
        assertTrue(Files.isExecutable(KCAT), "kcat is not installed");
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 50; i++) {
            lines.append("secure-").append(i).append('\n');
        }
        kcat(lines.toString(), "-P", "-t", "kcat-tls", "-p", "0");
        String meta = kcat(null, "-L", "-t", "kcat-tls");
        assertTrue(meta.contains("at 127.0.0.1:" + broker.port("SSL")), meta);
        String out = kcat(null, "-C", "-t", "kcat-tls", "-p", "0", "-o", "beginning", "-e", "-f", "%o:%s\\n");
        List<String> got = out.lines().toList();
        assertEquals(50, got.size(), out);
        assertEquals("0:secure-0", got.get(0));
        assertEquals("49:secure-49", got.get(49));
    }

    private String kcat(String stdin, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(KCAT.toString(), "-b", bootstrap("SSL"), "-X", "security.protocol=ssl",
                "-X", "ssl.ca.location=" + tls.caPem));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).start();
        if (stdin != null) {
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        p.getOutputStream().close();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("kcat " + String.join(" ", args) + " did not finish: " + new String(p.getErrorStream().readAllBytes()));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), "kcat " + String.join(" ", args) + " failed: " + err);
        return out;
    }

    @Test
    @Order(1)
    void plaintextClientsOnTheTlsPortAreDisconnectedWithOneSummarisedWarning() throws Exception {
        LogCapture capture = LogCapture.on("org.tributary.network.Processor");
        try {
            RequestHeader header = new RequestHeader(ApiKeys.API_VERSIONS, (short) 3, "plaintext-on-tls", 1);
            ByteBuffer body = RequestUtils.serialize(header.data(), header.headerVersion(), new ApiVersionsRequestData()
                    .setClientSoftwareName("x").setClientSoftwareVersion("1"), (short) 3);
            for (int i = 0; i < 30; i++) {
                try (Socket s = new Socket("127.0.0.1", broker.port("SSL"))) {
                    s.setSoTimeout(10_000);
                    OutputStream out = s.getOutputStream();
                    out.write(ByteBuffer.allocate(4).putInt(body.remaining()).array());
                    out.write(body.array(), body.arrayOffset(), body.remaining());
                    out.flush();
                    InputStream in = s.getInputStream();
                    byte[] buf = new byte[4096];
                    int n;
                    long t0 = System.nanoTime();
                    while ((n = in.read(buf)) >= 0) {
                        assertTrue(n <= 7 || buf[0] == 0x15, "only a TLS alert may come back, got " + n + " bytes"); // 0x15 = alert
                    }
                    assertTrue(System.nanoTime() - t0 < 10_000_000_000L, "disconnected without a hang");
                } catch (java.net.SocketException reset) {
                    // a reset is a disconnection too
                }
            }
            long tlsLines = capture.messages().stream().filter(l -> l.startsWith("TRIB-NET-006")).count();
            assertEquals(1, tlsLines, capture.messages().toString());
            assertTrue(capture.messages().stream().anyMatch(l -> l.startsWith("TRIB-NET-006") && l.contains("from /127.0.0.1")), capture.messages().toString());
        } finally {
            capture.close();
        }
        // the broker still serves TLS clients
        try (Admin admin = admin(client("SSL", null, "after-garbage"))) {
            admin.listTopics().names().get();
        }
    }
}
