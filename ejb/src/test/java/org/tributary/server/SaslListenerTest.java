package org.tributary.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialDeletion;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnsupportedSaslMechanismException;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.SaslAuthenticateRequestData;
import org.apache.kafka.common.message.SaslHandshakeRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.SaslAuthenticateRequest;
import org.apache.kafka.common.requests.SaslAuthenticateResponse;
import org.apache.kafka.common.requests.SaslHandshakeRequest;
import org.apache.kafka.common.requests.SaslHandshakeResponse;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.tributary.api.RequestContext;
import org.tributary.testing.LogCapture;
import org.tributary.testkit.TlsFiles;

/**
 * One broker with PLAINTEXT, SASL_PLAINTEXT (PLAIN, SCRAM-SHA-256) and SASL_SSL (SCRAM-SHA-256,
 * SCRAM-SHA-512, PLAIN) listeners and the ACL authorizer (open where no ACL names a resource). SCRAM users
 * are created and deleted through {@code Admin.alterUserScramCredentials} while the broker runs.
 * Real clients: the Java producer, consumer and admin, kcat, and raw frames.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class) // the warning test first: it counts the first failed login's line
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SaslListenerTest {
    private static final Path KCAT = Path.of("/usr/bin/kcat");
    private static final long FAILURE_DELAY_MS = 500;
    private TlsFiles tls;
    private TestBroker broker;
    /** The listener and principal each client's Metadata requests carried in their RequestContext. */
    private final Map<String, String> seen = new ConcurrentHashMap<>();

    @BeforeAll
    void start() throws Exception {
        tls = TlsFiles.shared();
        Map<String, String> s = new HashMap<>(tls.brokerSettings(""));
        s.put("listeners", "PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0,SASL_SSL://127.0.0.1:0");
        s.put("sasl.enabled.mechanisms", "PLAIN,SCRAM-SHA-256");
        s.put("listener.name.sasl_ssl.sasl.enabled.mechanisms", "SCRAM-SHA-256,SCRAM-SHA-512,PLAIN");
        s.put("listener.name.sasl_ssl.plain.sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required user_kcat=\"kcat-plain-pw\";");
        s.put("listener.name.sasl_plaintext.plain.sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required user_alice=\"alice-pw\" user_bob=\"bob-pw\";");
        s.put("connection.failed.authentication.delay.ms", Long.toString(FAILURE_DELAY_MS));
        s.putAll(AclProtocolTest.AUTHORIZER);
        s.put("allow.everyone.if.no.acl.found", "true");
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
    void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    private Map<String, Object> sasl(String listener, String mechanism, String user, String password, String clientId) {
        Map<String, Object> m = listener.equals("SASL_SSL") ? new HashMap<>(tls.clientSettings(null)) : new HashMap<>();
        m.put("security.protocol", listener);
        m.put("sasl.mechanism", mechanism);
        String module = mechanism.equals("PLAIN") ? "org.apache.kafka.common.security.plain.PlainLoginModule"
                : "org.apache.kafka.common.security.scram.ScramLoginModule";
        m.put("sasl.jaas.config", module + " required username=\"" + user + "\" password=\"" + password + "\";");
        m.put("bootstrap.servers", "127.0.0.1:" + broker.port(listener));
        m.put("client.id", clientId);
        return m;
    }

    private static Admin admin(Map<String, Object> settings) {
        Properties p = new Properties();
        p.putAll(settings);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "15000");
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        return Admin.create(p);
    }

    /** Produces {@code n} records with acks=all and reads them back, both as the given client settings. */
    private void roundTrip(Map<String, Object> client, String topic, int n) throws Exception {
        Map<String, Object> p = new HashMap<>(client);
        p.put("acks", "all");
        p.put("client.id", client.get("client.id") + "-producer");
        try (KafkaProducer<byte[], byte[]> producer = broker.producer(p)) {
            for (int i = 0; i < n; i++) {
                producer.send(new ProducerRecord<>(topic, 0, null, ("v" + i).getBytes(StandardCharsets.UTF_8))).get();
            }
        }
        Map<String, Object> c = new HashMap<>(client);
        c.put("client.id", client.get("client.id") + "-consumer");
        List<String> got = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = broker.consumer(c)) {
            consumer.assign(List.of(new TopicPartition(topic, 0)));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (got.size() < n && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    got.add(new String(r.value(), StandardCharsets.UTF_8));
                }
            }
        }
        assertEquals(n, got.size());
        assertEquals("v0", got.get(0));
        assertEquals("v" + (n - 1), got.get(n - 1));
    }

    private void createTopic(String topic) throws Exception {
        try (Admin a = broker.admin()) {
            a.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        }
    }

    /** Creates (or deletes, password null) a SCRAM credential through the Kafka Admin API and waits until this broker has it. */
    private void scramUser(String user, ScramMechanism mechanism, String password) throws Exception {
        try (Admin a = broker.admin()) {
            if (password == null) {
                a.alterUserScramCredentials(List.of(new UserScramCredentialDeletion(user, mechanism))).all().get();
            } else {
                a.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(user, new ScramCredentialInfo(mechanism, 4096),
                        password))).all().get();
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (System.nanoTime() < deadline) {
                boolean present;
                try {
                    present = a.describeUserScramCredentials(List.of(user)).all().get().get(user).credentialInfos().stream()
                            .anyMatch(i -> i.mechanism() == mechanism);
                } catch (ExecutionException e) {
                    present = false;
                }
                if (present == (password != null)) {
                    return;
                }
                Thread.onSpinWait();
            }
            throw new AssertionError("the broker never saw the change of " + user + "'s " + mechanism + " credential");
        }
    }

    private static Throwable cause(ExecutionException e) {
        return e.getCause();
    }

    @Test
    void plainOverSaslPlaintextCarriesTheUserAsPrincipal() throws Exception {
        Map<String, Object> alice = sasl("SASL_PLAINTEXT", "PLAIN", "alice", "alice-pw", "sasl-plain");
        try (Admin admin = admin(alice)) {
            admin.createTopics(List.of(new NewTopic("sasl-plain", 1, (short) 1))).all().get();
            assertEquals(List.of(broker.port("SASL_PLAINTEXT")),
                    admin.describeCluster().nodes().get().stream().map(n -> n.port()).toList(), "a SASL client is told the SASL address");
        }
        roundTrip(alice, "sasl-plain", 50);
        assertEquals("SASL_PLAINTEXT User:alice", seen.get("sasl-plain-producer"));
        assertEquals("SASL_PLAINTEXT User:alice", seen.get("sasl-plain-consumer"));
    }

    @Test
    void scramOverSaslSslWithCredentialsCreatedAndDeletedThroughAdmin() throws Exception {
        for (ScramMechanism m : List.of(ScramMechanism.SCRAM_SHA_256, ScramMechanism.SCRAM_SHA_512)) {
            String user = "carol-" + m.mechanismName().toLowerCase();
            String topic = "sasl-" + m.mechanismName().toLowerCase();
            createTopic(topic);
            scramUser(user, m, "carol-pw");
            Map<String, Object> carol = sasl("SASL_SSL", m.mechanismName(), user, "carol-pw", topic);
            roundTrip(carol, topic, 30);
            assertEquals("SASL_SSL User:" + user, seen.get(topic + "-producer"));

            scramUser(user, m, null);
            try (Admin admin = admin(sasl("SASL_SSL", m.mechanismName(), user, "carol-pw", topic + "-after-delete"))) {
                ExecutionException e = assertThrows(ExecutionException.class, () -> admin.listTopics().names().get());
                assertInstanceOf(SaslAuthenticationException.class, cause(e), String.valueOf(cause(e)));
                assertEquals("Authentication failed during authentication due to invalid credentials with SASL mechanism "
                        + m.mechanismName(), cause(e).getMessage());
            }
        }
    }

    @Test
    @Order(1)
    void aWrongPasswordGetsSaslAuthenticationFailedNoDataAndOneSummarisedWarning() throws Exception {
        createTopic("sasl-denied");
        LogCapture capture = LogCapture.on("org.tributary.network.Processor");
        try {
            Map<String, Object> p = sasl("SASL_PLAINTEXT", "PLAIN", "alice", "not-alices-pw", "wrong-pw");
            p.put("max.block.ms", 10_000);
            try (KafkaProducer<byte[], byte[]> producer = broker.producer(p)) {
                ExecutionException e = assertThrows(ExecutionException.class,
                        () -> producer.send(new ProducerRecord<>("sasl-denied", 0, null, new byte[] {1})).get());
                assertInstanceOf(SaslAuthenticationException.class, cause(e), String.valueOf(cause(e)));
                assertEquals("Authentication failed: Invalid username or password", cause(e).getMessage());
            }
            try (Admin admin = admin(sasl("SASL_PLAINTEXT", "PLAIN", "mallory", "guess", "unknown-user"))) {
                ExecutionException e = assertThrows(ExecutionException.class, () -> admin.listTopics().names().get());
                assertInstanceOf(SaslAuthenticationException.class, cause(e));
            }
            try (Admin a = broker.admin()) {
                TopicPartition tp = new TopicPartition("sasl-denied", 0);
                assertEquals(0, a.listOffsets(Map.of(tp, OffsetSpec.latest())).all().get().get(tp).offset(), "no data got in");
            }
            List<String> lines = capture.messages().stream().filter(l -> l.startsWith("TRIB-NET-007")).toList();
            assertFalse(lines.isEmpty(), "failed logins are logged");
            assertTrue(lines.get(0).contains("127.0.0.1") && lines.get(0).contains("PLAIN authentication failed"), lines.get(0));
            assertTrue(lines.size() <= 1, "summarised, not one line per attempt: " + lines);
            assertTrue(capture.messages().stream().noneMatch(l -> l.contains("not-alices-pw") || l.contains("guess")), "a password was logged");
        } finally {
            capture.close();
        }
    }

    @Test
    void aMechanismTheListenerDoesNotEnableIsRefusedWithTheEnabledList() throws Exception {
        try (Admin admin = admin(sasl("SASL_PLAINTEXT", "SCRAM-SHA-512", "alice", "alice-pw", "bad-mechanism"))) {
            ExecutionException e = assertThrows(ExecutionException.class, () -> admin.listTopics().names().get());
            assertInstanceOf(UnsupportedSaslMechanismException.class, cause(e), String.valueOf(cause(e)));
        }
        try (RawClient raw = new RawClient(broker.port("SASL_PLAINTEXT"))) {
            SaslHandshakeResponse r = raw.send(new SaslHandshakeRequest.Builder(new SaslHandshakeRequestData().setMechanism("GSSAPI"))
                    .build((short) 1));
            assertEquals(Errors.UNSUPPORTED_SASL_MECHANISM, r.error());
            assertEquals(List.of("PLAIN", "SCRAM-SHA-256"), r.data().mechanisms());
            assertTrue(raw.closedByBroker());
        }
    }

    @Test
    void beforeAuthenticationOnlyApiVersionsAndTheSaslRequestsAreAnswered() throws Exception {
        try (RawClient raw = new RawClient(broker.port("SASL_PLAINTEXT"))) {
            ApiVersionsResponse v = raw.send(new ApiVersionsRequest.Builder().build((short) 3));
            assertEquals(Errors.NONE.code(), v.data().errorCode());
            assertTrue(v.data().apiKeys().find(ApiKeys.SASL_HANDSHAKE.id) != null);
            assertEquals(2, v.data().apiKeys().find(ApiKeys.SASL_AUTHENTICATE.id).maxVersion());
            raw.sendOnly(new MetadataRequest(new MetadataRequestData(), (short) 12));
            assertTrue(raw.closedByBroker(), "a Metadata request before authentication closes the connection");
        }
    }

    @Test
    void aFailedLoginIsAnsweredOnlyAfterTheDelayThenClosed() throws Exception {
        try (RawClient raw = new RawClient(broker.port("SASL_PLAINTEXT"))) {
            SaslHandshakeResponse h = raw.send(new SaslHandshakeRequest.Builder(new SaslHandshakeRequestData().setMechanism("PLAIN"))
                    .build((short) 1));
            assertEquals(Errors.NONE, h.error());
            long start = System.nanoTime();
            SaslAuthenticateResponse r = raw.send(new SaslAuthenticateRequest(new SaslAuthenticateRequestData()
                    .setAuthBytes("\u0000alice\u0000wrong".getBytes(StandardCharsets.UTF_8)), (short) 2));
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertEquals(Errors.SASL_AUTHENTICATION_FAILED, r.error());
            assertTrue(tookMs >= FAILURE_DELAY_MS - 20, "answered after " + tookMs + " ms");
            assertTrue(raw.closedByBroker());
        }
    }

    @Test
    void aclsSeeTheAuthenticatedUser() throws Exception {
        createTopic("alice-only");
        List<AclBinding> acls = new ArrayList<>();
        for (AclOperation op : List.of(AclOperation.WRITE, AclOperation.READ, AclOperation.DESCRIBE)) {
            acls.add(new AclBinding(new ResourcePattern(ResourceType.TOPIC, "alice-only", PatternType.LITERAL),
                    new AccessControlEntry("User:alice", "*", op, AclPermissionType.ALLOW)));
        }
        AclProtocolTest.grant(broker.broker(), acls.toArray(AclBinding[]::new));
        // the grant is committed by the controller; wait until this broker's image has it
        try (Admin a = broker.admin()) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (a.describeAcls(acls.get(0).toFilter()).values().get().isEmpty() && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
        }
        roundTrip(sasl("SASL_PLAINTEXT", "PLAIN", "alice", "alice-pw", "acl-alice"), "alice-only", 5);
        Map<String, Object> p = sasl("SASL_PLAINTEXT", "PLAIN", "bob", "bob-pw", "acl-bob");
        p.put("max.block.ms", 10_000);
        try (KafkaProducer<byte[], byte[]> bob = broker.producer(p)) {
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> bob.send(new ProducerRecord<>("alice-only", 0, null, new byte[] {1})).get());
            assertInstanceOf(TopicAuthorizationException.class, cause(e), String.valueOf(cause(e)));
        }
    }

    /**
     * kcat over SASL_SSL: PLAIN always; SCRAM-SHA-512 with librdkafka 2.6.1 or later. Older
     * librdkafka sends the client nonce twice in its final SCRAM message (librdkafka#4895); Kafka
     * 4.x's SCRAM server (which this broker uses) checks the nonce strictly as RFC 5802 requires
     * and refuses it, so with an older librdkafka the test asserts Kafka's refusal instead.
     */
    @Test
    void kcatOverSaslSslWithScramSha512AndPlain() throws Exception {
        assertTrue(Files.isExecutable(KCAT), "kcat is not installed");
        createTopic("kcat-scram");
        scramUser("kcat-user", ScramMechanism.SCRAM_SHA_512, "kcat-pw");
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            lines.append("line-").append(i).append('\n');
        }
        List<String> scram = List.of("-X", "sasl.mechanisms=SCRAM-SHA-512", "-X", "sasl.username=kcat-user", "-X", "sasl.password=kcat-pw");
        if (librdkafkaFixedScramNonce()) {
            kcat(scram, lines.toString(), 0, "-P", "-t", "kcat-scram", "-p", "0");
            String out = kcat(scram, null, 0, "-C", "-t", "kcat-scram", "-p", "0", "-o", "beginning", "-e", "-f", "%o:%s\\n");
            assertTrue(out.startsWith("0:line-0\n") && out.contains("19:line-19\n"), out);
        } else {
            String err = kcat(scram, null, 1, "-L", "-t", "kcat-scram");
            assertTrue(err.contains("Authentication failed during authentication due to invalid credentials with SASL mechanism "
                    + "SCRAM-SHA-512"), err);
        }
        // PLAIN over TLS works with every librdkafka
        List<String> plain = List.of("-X", "sasl.mechanisms=PLAIN", "-X", "sasl.username=kcat", "-X", "sasl.password=kcat-plain-pw");
        kcat(plain, lines.toString(), 0, "-P", "-t", "kcat-scram", "-p", "0");
        String out = kcat(plain, null, 0, "-C", "-t", "kcat-scram", "-p", "0", "-o", "beginning", "-e", "-f", "%o:%s\\n");
        assertTrue(out.contains(":line-0\n") && out.contains(":line-19\n"), out);
    }

    /** Whether the installed kcat's librdkafka is 2.6.1 or later (its SCRAM nonce fixed). */
    private static boolean librdkafkaFixedScramNonce() throws Exception {
        Process p = new ProcessBuilder(KCAT.toString(), "-V").redirectErrorStream(true).start();
        String v = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(10, TimeUnit.SECONDS);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("librdkafka (\\d+)\\.(\\d+)\\.(\\d+)").matcher(v);
        assertTrue(m.find(), v);
        int version = Integer.parseInt(m.group(1)) * 10_000 + Integer.parseInt(m.group(2)) * 100 + Integer.parseInt(m.group(3));
        return version >= 2_06_01;
    }

    /** Runs kcat against the SASL_SSL listener; returns stdout on exit 0, stderr otherwise (asserting {@code exit}). */
    private String kcat(List<String> sasl, String stdin, int exit, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(KCAT.toString(), "-b", "127.0.0.1:" + broker.port("SASL_SSL"),
                "-X", "security.protocol=sasl_ssl", "-X", "ssl.ca.location=" + tls.caPem));
        cmd.addAll(sasl);
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
        assertEquals(exit, p.exitValue(), "kcat " + String.join(" ", args) + ": " + err);
        return exit == 0 ? out : err;
    }
}
