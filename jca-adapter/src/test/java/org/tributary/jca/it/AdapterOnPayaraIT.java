package org.tributary.jca.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.Predicate;
import java.util.logging.Logger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.tributary.jca.ProducerRegistry;
import org.tributary.jca.inbound.ConsumerSettings;
import org.tributary.jca.inbound.DeadLetterWriter;
import org.tributary.jca.inbound.EndpointActivation;
import org.tributary.jca.inbound.TributaryActivationSpec;
import org.tributary.jca.it.app.DriverResource;

/**
 * The adapter in a real Payara Micro, beside a real broker in the same process: the RAR and the
 * broker WAR come from the post-boot file, then this test application (MDBs, a REST driver,
 * factories declared by annotation). One container start for the whole suite.
 */
@ExtendWith(ArquillianExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AdapterOnPayaraIT {
    private static final Logger LOG = Logger.getLogger(AdapterOnPayaraIT.class.getName());
    private static final Duration WAIT = Duration.ofSeconds(120);

    @RegisterExtension
    static final BrokerPort BROKER = new BrokerPort();

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static WebArchive app() {
        return ShrinkWrap.create(WebArchive.class, "jca-it.war").addPackage(DriverResource.class.getPackage());
    }

    // --- the record-listener MDB ---------------------------------------------------------------

    @Test
    @Order(1)
    void aThousandRecordsSentThroughTheFactoryReachTheMdbInPartitionOrder() throws Exception {
        String sent = http("POST", "/api/produce/bulk?n=1000&prefix=b");
        Set<String> produced = new HashSet<>(Arrays.asList(sent.split("\n")));
        assertEquals(1000, produced.size(), "every async send acknowledged with a distinct partition/offset");

        String got = await("/api/received/bulk", s -> lines(s).size() >= 1000);
        List<String> lines = lines(got);
        assertEquals(1000, lines.size(), "no duplicates without failures");
        Map<Integer, Long> last = new HashMap<>();
        Set<String> received = new HashSet<>();
        for (String l : lines) {
            String[] f = l.split(" ");
            int p = Integer.parseInt(f[0]);
            long o = Long.parseLong(f[1]);
            Long before = last.put(p, o);
            assertTrue(before == null || o > before, "partition " + p + " delivered " + o + " after " + before);
            received.add(p + " " + o);
        }
        assertEquals(produced, received);
        assertTrue(last.size() > 1, "the topic's partitions were all used: " + last.keySet());
        long nanos = Long.parseLong(got.substring("#nanos ".length(), got.indexOf('\n')));
        LOG.info(String.format("MDB delivery: 1000 records in %.0f ms = %.0f records/s (3 consumers, first to last delivery)",
                nanos / 1e6, 999 / (nanos / 1e9)));
    }

    @Test
    @Order(2)
    void oneMdbDrainsABacklog() throws Exception {
        int n = 5000;
        Properties pp = new Properties();
        pp.put("bootstrap.servers", BROKER.bootstrap());
        pp.put("linger.ms", "5");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(pp, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < n; i++) {
                producer.send(new ProducerRecord<>("rate", null, ("r" + i).getBytes(StandardCharsets.UTF_8), new byte[100]));
            }
        }
        http("POST", "/api/gate");
        String got = await("/api/received/rate", s -> lines(s).size() >= n);
        assertEquals(n, lines(got).size());
        long nanos = Long.parseLong(got.substring("#nanos ".length(), got.indexOf('\n')));
        LOG.info(String.format("MDB delivery rate: %d records of 100 bytes in %.0f ms = %.0f records/s (one MDB, one consumer, backlog drained)",
                n, nanos / 1e6, (n - 1) / (nanos / 1e9)));
    }

    // --- redelivery and dead letters -------------------------------------------------------------

    @Test
    @Order(3)
    void aRecordThatKeepsFailingIsRedeliveredThenDeadLetteredAndLaterRecordsStillFlow() throws Exception {
        String first = http("POST", "/api/send/flaky?key=same&value=ok-1");
        String poison = http("POST", "/api/send/flaky?key=same&value=poison-1&header=trace%3Dt-42");
        http("POST", "/api/send/flaky?key=same&value=ok-2");
        String[] at = poison.trim().split(" ");
        assertEquals(first.split(" ")[1], at[1], "one key, one partition");

        String flaky = await("/api/received/flaky", s -> s.contains(" ok-2"));
        List<String> ok = lines(flaky).stream().map(l -> l.substring(l.lastIndexOf(' ') + 1)).toList();
        assertEquals(List.of("ok-1", "ok-2"), ok);
        List<String> attempts = lines(http("GET", "/api/received/flaky-attempts"));
        assertEquals(List.of("ok-1 1", "poison-1 1", "poison-1 2", "poison-1 3", "ok-2 1"), attempts,
                "redelivered in order; ok-2 did not run ahead of the failing record");

        List<ConsumerRecord<byte[], byte[]>> dead = readAll("flaky.DLT", 1);
        assertEquals(1, dead.size());
        ConsumerRecord<byte[], byte[]> d = dead.get(0);
        assertEquals("poison-1", str(d.value()));
        assertEquals("same", str(d.key()));
        Map<String, String> h = headers(d);
        assertEquals("flaky", h.get(DeadLetterWriter.ORIGINAL_TOPIC));
        assertEquals(at[1], h.get(DeadLetterWriter.ORIGINAL_PARTITION));
        assertEquals(at[2], h.get(DeadLetterWriter.ORIGINAL_OFFSET));
        assertEquals("3", h.get(DeadLetterWriter.ATTEMPTS));
        assertEquals("java.lang.IllegalArgumentException", h.get(DeadLetterWriter.EXCEPTION_CLASS));
        assertEquals("cannot digest poison-1", h.get(DeadLetterWriter.EXCEPTION_MESSAGE));
        assertEquals("t-42", h.get("trace"), "the original headers travel along");
    }

    // --- the JMS bridge --------------------------------------------------------------------------

    @Test
    @Order(4)
    void theJmsMdbGetsTextMessagesWithPropertiesAndHonoursItsSelector() throws Exception {
        String ids = http("POST", "/api/jms/jms-orders");
        assertTrue(ids.contains("refused: Queue 'q' (queues' exclusive point-to-point semantics) is not supported"), ids);
        assertTrue(ids.contains("refused: TemporaryTopic (temporary destinations) is not supported"), ids);
        List<String> sentIds = lines(ids).stream().filter(l -> l.startsWith("ID:")).toList();
        assertEquals(5, sentIds.size(), ids);

        List<String> got = lines(await("/api/received/jms", s -> lines(s).size() >= 3));
        Map<String, String> byText = new HashMap<>();
        got.forEach(l -> byText.put(l.split("\\|")[1], l));
        assertEquals(Set.of("order-0", "order-3", "{\"sku\":\"A-1\",\"qty\":2}"), byText.keySet(), "selector region = 'eu' AND qty BETWEEN 2 AND 10: " + got);
        String[] f = byText.get("order-0").split("\\|");
        assertEquals("TextMessage", f[0]);
        assertEquals(sentIds.get(0), f[2], "JMSMessageID names topic, partition and offset, as the sender saw it");
        assertEquals("jms-orders", f[3]);
        assertEquals("true", f[4]);
        assertEquals("false", f[5]);
        assertEquals("1", f[6]);
        assertEquals("customer-1", f[7]);
        assertEquals("corr-1", f[8]);
        assertEquals("order", f[9]);
        assertEquals("eu", f[10]);
        assertEquals("3", f[11]);
    }

    @Test
    @Order(5)
    void jmsProducerSendsArriveAtAKafkaConsumerWithHeadersAndKey() throws Exception {
        List<ConsumerRecord<byte[], byte[]>> all = readAll("jms-orders", 7);
        Map<String, ConsumerRecord<byte[], byte[]>> byValue = new HashMap<>();
        all.forEach(r -> byValue.put(str(r.value()), r));
        ConsumerRecord<byte[], byte[]> r = byValue.get("order-1");
        assertEquals("customer-2", str(r.key()), "JMSXGroupID is the key");
        assertEquals(Map.of("region", "us", "qty", "3", "JMSCorrelationID", "corr-2", "JMSType", "order", "tributary.jms.type", "text"),
                headers(r));
        ConsumerRecord<byte[], byte[]> map = byValue.get("{\"sku\":\"A-1\",\"qty\":2}");
        assertEquals(Map.of("region", "eu", "qty", "4", "tributary.jms.type", "map"), headers(map));
        ConsumerRecord<byte[], byte[]> bytes = all.stream().filter(x -> Arrays.equals(x.value(), new byte[] {1, 2, 3})).findFirst().orElseThrow();
        assertEquals(Map.of("kind", "raw", "tributary.jms.type", "bytes"), headers(bytes));
    }

    // --- deactivation in the middle of a stream ---------------------------------------------------

    /**
     * The inbound side run in this JVM against the real broker (the EJB container's part played by
     * {@link RecordingEndpoints} and {@link ThreadWorkManager}): stopped while records stream in,
     * then started again. Nothing is lost; duplicates are only records delivered but not yet
     * committed when it stopped; a partition is never delivered on two threads at once.
     */
    @Test
    @Order(6)
    void deactivatingDuringAStreamAndActivatingAgainLosesNothing() throws Exception {
        TributaryActivationSpec spec = new TributaryActivationSpec();
        spec.setTopics("stream");
        spec.setGroupId("stream-grp");
        spec.setMaxSession("2");
        spec.validate();
        ConsumerSettings settings = spec.settings(BROKER.bootstrap());
        RecordingEndpoints endpoints = new RecordingEndpoints();
        ProducerRegistry producers = new ProducerRegistry();
        int total = 3000;
        Properties pp = new Properties();
        pp.put("bootstrap.servers", BROKER.bootstrap());
        pp.put("acks", "all");
        pp.put("linger.ms", "5");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(pp, new ByteArraySerializer(), new ByteArraySerializer())) {
            EndpointActivation first = new EndpointActivation(endpoints, settings, new ThreadWorkManager(), producers);
            first.start();
            Set<String> produced = ConcurrentHashMap.newKeySet();
            Thread sender = new Thread(() -> {
                for (int i = 0; i < total; i++) {
                    int n = i;
                    producer.send(new ProducerRecord<>("stream", ("k" + n).getBytes(StandardCharsets.UTF_8), new byte[8]),
                            (md, e) -> produced.add(md.partition() + " " + md.offset()));
                    if (n % 100 == 99) {
                        producer.flush();
                    }
                }
                producer.flush();
            }, "stream-sender");
            sender.start();
            endpoints.permits.release(500);
            awaitTrue(() -> endpoints.seen.size() >= 500, "first activation received 500");
            endpoints.permits.release(1_000_000); // let it run on: it is stopped while delivering
            long t0 = System.nanoTime();
            first.stop();
            long stopMs = (System.nanoTime() - t0) / 1_000_000;
            int atStop = endpoints.deliveries.get();
            EndpointActivation second = new EndpointActivation(endpoints, settings, new ThreadWorkManager(), producers);
            second.start();
            try {
                sender.join(WAIT.toMillis());
                awaitTrue(() -> produced.size() == total && endpoints.seen.containsAll(produced), "all records seen");
            } finally {
                second.stop();
                producers.close();
            }
            assertEquals(total, endpoints.seen.size());
            assertEquals(0, endpoints.overlaps.get(), "a partition was delivered on two threads at once");
            LOG.info("deactivated after " + atStop + " deliveries in " + stopMs + " ms; " + endpoints.deliveries.get() + " deliveries of "
                    + total + " records (" + (endpoints.deliveries.get() - total) + " duplicates)");
            assertTrue(stopMs < 30_000, "stopped in " + stopMs + " ms");
            assertTrue(atStop < total, "stopped in the middle of the stream (after " + atStop + " deliveries)");
        }
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not reached within " + WAIT + ": " + what);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(100).toNanos()); // poll interval
        }
    }

    // --- redeployment in the middle of a stream -------------------------------------------------

    /**
     * The exploded application {@code redeploy-app} (see {@link BrokerPort}) forwards what it
     * receives to {@code redeploy-seen}. It is redeployed (Micro's {@code .reload} file) while it
     * works through a backlog: its endpoint is deactivated and activated again, and every record
     * is still seen; duplicates are only of records delivered but not yet committed.
     */
    @Test
    @Order(7)
    void redeployingAnApplicationInTheMiddleOfAStreamLosesNothing() throws Exception {
        int total = 4000;
        Set<String> produced = ConcurrentHashMap.newKeySet();
        Properties pp = new Properties();
        pp.put("bootstrap.servers", BROKER.bootstrap());
        pp.put("linger.ms", "5");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(pp, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < total; i++) {
                producer.send(new ProducerRecord<>("redeploy", ("k" + i).getBytes(StandardCharsets.UTF_8), new byte[8]),
                        (md, e) -> produced.add(md.partition() + " " + md.offset()));
            }
        }
        assertEquals(total, produced.size());
        Properties cp = new Properties();
        cp.put("bootstrap.servers", BROKER.bootstrap());
        List<String> seen = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(cp, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            awaitTrue(() -> !c.partitionsFor("redeploy-seen", Duration.ofSeconds(10)).isEmpty(), "redeploy-seen exists");
            List<TopicPartition> parts = c.partitionsFor("redeploy-seen", Duration.ofSeconds(10)).stream()
                    .map(i -> new TopicPartition("redeploy-seen", i.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (seen.size() < 300 && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(r -> seen.add(str(r.value())));
            }
            java.nio.file.Path reload = java.nio.file.Path.of(System.getProperty("arquillian.streamapp"), ".reload");
            java.nio.file.Files.writeString(reload, "");
            java.nio.file.Files.setLastModifiedTime(reload, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis()));
            int seenAtStop = -1;
            deadline = System.nanoTime() + 2 * WAIT.toNanos();
            while (!new HashSet<>(seen).containsAll(produced) && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(r -> seen.add(str(r.value())));
                if (seenAtStop < 0 && logContains("TRIB-JCA-042 endpoint deactivated: group redeploy-mdb")) {
                    seenAtStop = seen.size();
                }
            }
            assertTrue(seenAtStop >= 0, "the application was redeployed");
            assertTrue(seenAtStop < total, "redeployed in the middle of the stream: " + seenAtStop + " seen when it stopped");
            assertTrue(new HashSet<>(seen).containsAll(produced), "every record seen: " + new HashSet<>(seen).size() + " of " + total);
            LOG.info("redeployed after " + seenAtStop + " of " + total + " records; " + seen.size() + " deliveries ("
                    + (seen.size() - new HashSet<>(seen).size()) + " duplicates)");
        }
    }

    private static boolean logContains(String text) {
        try {
            return java.nio.file.Files.readAllLines(serverLog()).stream().anyMatch(l -> l.contains(text));
        } catch (java.io.IOException e) {
            return false;
        }
    }

    // --- SASL_SSL with SCRAM ----------------------------------------------------------------------

    /**
     * The factory and the MDB reach the broker's SASL_SSL listener and log in with SCRAM-SHA-512
     * (the credential was created through Kafka's Admin API before the application deployed, see
     * {@code ScramSetup}); every record sent through the factory reaches the MDB, in partition order.
     * An MDB with a wrong password on the same topic gets nothing, says why, and retries at the
     * adapter's pause rather than in a loop.
     */
    @Test
    @Order(8)
    void anMdbConsumesOverSaslSslWithScramAndAWrongPasswordConsumesNothing() throws Exception {
        Properties ap = new Properties();
        ap.put("bootstrap.servers", BROKER.bootstrap());
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(ap)) {
            var described = admin.describeUserScramCredentials(List.of("mdb-user")).all().get(30, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(List.of(org.apache.kafka.clients.admin.ScramMechanism.SCRAM_SHA_512),
                    described.get("mdb-user").credentialInfos().stream().map(i -> i.mechanism()).toList());
        }

        int n = 500;
        String sent = http("POST", "/api/produce-sasl/sasl?n=" + n + "&prefix=s");
        Set<String> produced = new HashSet<>(lines(sent));
        assertEquals(n, produced.size(), "every send over SASL_SSL acknowledged with a distinct partition/offset");

        List<String> got = lines(await("/api/received/sasl", s -> lines(s).size() >= n));
        assertEquals(n, got.size(), "no duplicates without failures");
        Map<Integer, Long> last = new HashMap<>();
        Set<String> received = new HashSet<>();
        for (String l : got) {
            String[] f = l.split(" ");
            int p = Integer.parseInt(f[0]);
            long o = Long.parseLong(f[1]);
            Long before = last.put(p, o);
            assertTrue(before == null || o > before, "partition " + p + " delivered " + o + " after " + before);
            received.add(p + " " + o);
        }
        assertEquals(produced, received);

        // a Kafka consumer over the same listener with the MDB's credential sees the same records
        Properties cp = new Properties();
        cp.put("bootstrap.servers", BROKER.saslBootstrap());
        cp.put("security.protocol", "SASL_SSL");
        cp.put("sasl.mechanism", "SCRAM-SHA-512");
        cp.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"mdb-user\" password=\"mdb-secret-1\";");
        cp.put("ssl.truststore.type", "PKCS12");
        cp.put("ssl.truststore.location", BROKER.trustStore().toString());
        cp.put("ssl.truststore.password", "changeit");
        assertEquals(n, readAll("sasl", n, cp).size());

        // the wrong password: at least two failed attempts logged, at the adapter's pause, nothing delivered
        String wrong = "TRIB-JCA-035 consumer tributary-sasl-wrong-mdb-0 failed to poll";
        awaitTrue(() -> failedLogins(wrong).size() >= 2, "two failed polls of the wrong-password MDB logged");
        List<java.time.LocalDateTime> at = failedLogins(wrong);
        for (int i = 1; i < at.size(); i++) {
            long gap = Duration.between(at.get(i - 1), at.get(i)).toMillis();
            assertTrue(gap >= 4_500, "retried " + gap + " ms after the previous failure: " + at);
        }
        String line = java.nio.file.Files.readAllLines(serverLog()).stream().filter(l -> l.contains(wrong)).findFirst().orElseThrow();
        assertTrue(line.contains("SaslAuthenticationException") && line.contains("invalid credentials with SASL mechanism SCRAM-SHA-512"), line);
        assertTrue(!line.contains("not-the-password"), "the password is never logged: " + line);
        assertEquals(List.of(), lines(http("GET", "/api/received/sasl-wrong")));
        LOG.info("wrong-password MDB: " + at.size() + " failed polls logged, first at " + at.get(0) + ", last at " + at.get(at.size() - 1));
    }

    /**
     * An MDB whose user has no SCRAM credential yet fails to log in and gets nothing; once the test
     * creates the credential (Kafka's Admin API over PLAINTEXT), its next login succeeds and it
     * consumes the topic from the start, without being redeployed.
     */
    @Test
    @Order(9)
    void anMdbWhoseCredentialIsCreatedLaterStartsConsumingWithoutRedeployment() throws Exception {
        String failed = "TRIB-JCA-035 consumer tributary-sasl-late-mdb-0 failed to poll";
        awaitTrue(() -> !failedLogins(failed).isEmpty(), "a failed poll of the MDB without a credential logged");
        assertEquals(List.of(), lines(http("GET", "/api/received/sasl-late")));
        Properties ap = new Properties();
        ap.put("bootstrap.servers", BROKER.bootstrap());
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(ap)) {
            admin.alterUserScramCredentials(List.of(new org.apache.kafka.clients.admin.UserScramCredentialUpsertion("late-user",
                    new org.apache.kafka.clients.admin.ScramCredentialInfo(org.apache.kafka.clients.admin.ScramMechanism.SCRAM_SHA_512, 8192),
                    "late-secret-1"))).all().get(30, java.util.concurrent.TimeUnit.SECONDS);
        }
        long t0 = System.nanoTime();
        Set<String> all = new HashSet<>(lines(http("GET", "/api/received/sasl")).stream().map(l -> l.substring(0, l.lastIndexOf(' '))).toList());
        List<String> got = lines(await("/api/received/sasl-late", s -> lines(s).size() >= all.size()));
        assertEquals(all, new HashSet<>(got.stream().map(l -> l.substring(0, l.lastIndexOf(' '))).toList()),
                "every record of the topic, from the start");
        LOG.info(String.format("credential created: the waiting MDB had all %d records %.1f s later (%d failed polls before)",
                all.size(), (System.nanoTime() - t0) / 1e9, failedLogins(failed).size()));
    }

    /** The time of each logged line containing text (Payara's log: a header line with the time, then the message). */
    private static List<java.time.LocalDateTime> failedLogins(String text) {
        java.util.regex.Pattern stamp = java.util.regex.Pattern.compile("^\\[(\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d+)");
        List<java.time.LocalDateTime> out = new ArrayList<>();
        java.time.LocalDateTime time = null;
        try {
            for (String l : java.nio.file.Files.readAllLines(serverLog())) {
                java.util.regex.Matcher m = stamp.matcher(l);
                if (m.find()) {
                    time = java.time.LocalDateTime.parse(m.group(1));
                }
                if (l.contains(text)) {
                    out.add(time);
                }
            }
        } catch (java.io.IOException e) {
            return List.of();
        }
        return out;
    }

    // --- the brokers found through the data grid ----------------------------------------------------

    /**
     * Nothing in this container names the cluster for the factories and MDBs without
     * {@code bootstrapServers} (no adapter property, no {@code tributary.bootstrap.servers}: see
     * {@link BrokerPort}), and the broker's port is not 9092: the records the tests above sent
     * and received through them went to the broker the adapter found in the Payara data grid.
     */
    @Test
    @Order(10)
    void theFactoriesAndMdbsWithoutBootstrapServersFoundTheBrokerThroughTheDataGrid() throws Exception {
        assertTrue(!BROKER.bootstrap().endsWith(":9092"), BROKER.bootstrap());
        assertTrue(logContains("TRIB-JCA-004 Bootstrap servers of cluster") && logContains("found in the data grid: " + BROKER.bootstrap()),
                "the adapter logs the list it found in the grid");
        assertTrue(!logContains("TRIB-JCA-003"), "no fallback to localhost:9092");
        String sent = http("POST", "/api/send/flaky?key=grid&value=ok-grid");
        String flaky = await("/api/received/flaky", s -> s.contains(" ok-grid"));
        assertTrue(flaky.contains(" ok-grid"), sent);
    }

    // --- the server log ----------------------------------------------------------------------------

    @Test
    @Order(11)
    void theServerLogHasNoErrors() throws Exception {
        List<String> bad = java.nio.file.Files.readAllLines(serverLog()).stream()
                .filter(l -> l.contains("TRIB-JCA-03") || l.contains("TRIB-JCA-041") || l.contains("SEVERE")
                        // the container reports MDB exceptions: expected only from the listener that throws on
                        // purpose and from the application undeployed mid-delivery (its factory goes first)
                        || (l.contains("MDB00037") && !l.contains("[jca-it:FlakyListener]") && !l.contains("[redeploy-app:Forwarder]")))
                // the MDBs that cannot log in on purpose (a wrong password; a user without a credential
                // until the test creates it): only their failed logins, checked in their own tests
                .filter(l -> !((l.contains("TRIB-JCA-035 consumer tributary-sasl-wrong-mdb-0 failed to poll")
                        || l.contains("TRIB-JCA-035 consumer tributary-sasl-late-mdb-0 failed to poll"))
                        && l.contains("SaslAuthenticationException")))
                .toList();
        assertEquals(List.of(), bad);
    }

    // --- helpers -----------------------------------------------------------------------------

    private List<ConsumerRecord<byte[], byte[]>> readAll(String topic, int expected) {
        Properties p = new Properties();
        p.put("bootstrap.servers", BROKER.bootstrap());
        return readAll(topic, expected, p);
    }

    private List<ConsumerRecord<byte[], byte[]>> readAll(String topic, int expected, Properties p) {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (out.size() < expected && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(500)).forEach(out::add);
            }
            return out;
        }
    }

    private String await(String path, Predicate<String> done) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        String s = http("GET", path);
        while (!done.test(s)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not reached within " + WAIT + ": " + path + " = " + s);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(200).toNanos()); // poll interval
            s = http("GET", path);
        }
        return s;
    }

    private String http(String method, String path) throws Exception {
        // the container reports the machine address (and the broker WAR's root context); the node
        // serves HTTP on loopback only, the test application under /jca-it
        URI uri = URI.create("http://127.0.0.1:" + httpPort() + "/jca-it" + path);
        HttpResponse<String> r = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(uri).method(method, HttpRequest.BodyPublishers.noBody()).timeout(WAIT).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), method + " " + path + " answered " + r.statusCode() + ": " + r.body());
        return r.body();
    }

    /**
     * The port HTTP really listens on. The post-boot file moves the listener to 127.0.0.1, and when
     * the port the container chose is not free again in time, Micro's auto-bind takes the next one,
     * which the container does not see; the server log says where it went.
     */
    private int httpPort() throws Exception {
        java.util.regex.Pattern bound = java.util.regex.Pattern.compile("http-listener started.*bound to \\[/127\\.0\\.0\\.1:(\\d+)\\]");
        int port = base.getPort();
        for (String line : java.nio.file.Files.readAllLines(serverLog())) {
            java.util.regex.Matcher m = bound.matcher(line);
            if (m.find()) {
                port = Integer.parseInt(m.group(1));
            }
        }
        return port;
    }

    private static java.nio.file.Path serverLog() {
        java.nio.file.Path log = java.nio.file.Path.of(System.getProperty("arquillian.serverlog"));
        return java.nio.file.Files.exists(log) ? log : java.nio.file.Path.of(log + ".0"); // Micro numbers its log files
    }

    private static List<String> lines(String s) {
        return Arrays.stream(s.split("\n")).filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
    }

    private static Map<String, String> headers(ConsumerRecord<byte[], byte[]> r) {
        Map<String, String> h = new HashMap<>();
        for (Header x : r.headers()) {
            h.put(x.key(), str(x.value()));
        }
        return h;
    }

    private static String str(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }
}
