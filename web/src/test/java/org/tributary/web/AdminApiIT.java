package org.tributary.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.URL;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
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

/**
 * The admin API, metrics, OpenAPI and the console on one Payara Micro start: the real WAR after
 * the real RAR, driven over HTTP (and the console through headless Chromium).
 */
@ExtendWith(ArquillianExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AdminApiIT {
    private static final String TOPIC = "orders-" + Long.toString(System.nanoTime() % 1_000_000, 36);
    private static final String GROUP = "billing-" + Long.toString(System.nanoTime() % 1_000_000, 36);
    private static final int N = 7;

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static WebArchive tributary() {
        return ShrinkWrap.createFromZipFile(WebArchive.class, new File(System.getProperty("tributary.war")));
    }

    private static Http client;
    private static int clientPort;

    /** The node's HTTP client on loopback, at the port the node really bound. */
    private Http http() throws Exception {
        int port = NodePort.of(base);
        if (client == null || clientPort != port) {
            closeClient();
            client = new Http(port);
            clientPort = port;
        }
        return client;
    }

    @org.junit.jupiter.api.AfterAll
    static void closeClient() {
        if (client != null) {
            client.close();
            client = null;
        }
    }

    private int port() throws Exception {
        return NodePort.of(base);
    }

    static void assertProblem(Http.Reply r, int status, String field) {
        assertEquals(status, r.status(), r.body());
        assertTrue(r.contentType().contains("json"), "problem content type: " + r.contentType());
        String c = r.compact();
        assertTrue(c.contains("\"status\":" + status) && c.contains("\"title\":") && c.contains("\"type\":")
                && c.contains("\"detail\":"), c);
        if (field != null) {
            assertTrue(c.contains("\"field\":\"" + field + "\""), "names " + field + ": " + c);
        }
        assertFalse(c.contains("Exception:") || c.contains("\tat ") || c.contains("<html"), c);
    }

    /** Waits up to {@code seconds} for a GET to satisfy {@code ok}; returns the last reply. */
    static Http.Reply await(Http h, String path, int seconds, Predicate<Http.Reply> ok) throws Exception {
        long deadline = System.currentTimeMillis() + seconds * 1000L;
        Http.Reply r = h.get(path);
        while (!ok.test(r) && System.currentTimeMillis() < deadline) {
            Thread.sleep(250);
            r = h.get(path);
        }
        return r;
    }

    static String bootstrap(Http h) throws Exception {
        String c = h.get("/api/cluster/brokers").compact();
        Matcher host = Pattern.compile("\"host\":\"([^\"]+)\"").matcher(c);
        Matcher port = Pattern.compile("\"kafkaPort\":(\\d+)").matcher(c);
        assertTrue(host.find() && port.find(), c);
        return host.group(1) + ":" + port.group(1);
    }

    /** Commits offsets for a group without joining it (the group then exists, Empty, with lag). */
    static void commit(String bootstrap, String group, Map<TopicPartition, Long> offsets) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.assign(offsets.keySet());
            Map<TopicPartition, OffsetAndMetadata> m = new java.util.HashMap<>();
            offsets.forEach((tp, o) -> m.put(tp, new OffsetAndMetadata(o)));
            c.commitSync(m);
        }
    }

    @Test
    @Order(1)
    void topicsAreCreatedListedDescribedAndChanged() throws Exception {
        Http h = http();
        Http.Reply created = h.send("POST", "/api/topics",
                "{\"name\":\"" + TOPIC + "\",\"partitions\":2,\"replicationFactor\":1,\"configs\":{\"retention.ms\":\"3600000\"}}");
        assertEquals(201, created.status(), created.body());
        assertTrue(created.compact().contains("\"partitionCount\":2"), created.body());

        String list = h.get("/api/topics").compact();
        assertTrue(list.contains("\"name\":\"" + TOPIC + "\"") && list.contains("\"partitions\":2")
                && list.contains("\"replicationFactor\":1") && list.contains("\"underReplicated\":0") && list.contains("\"sizeBytes\":"), list);
        assertEquals("[]", h.get("/api/topics?search=nomatch").body().replace(" ", ""));

        String detail = h.get("/api/topics/" + TOPIC + "/partitions/1").compact();
        assertTrue(detail.matches(".*\"leader\":\\d+.*") && detail.contains("\"isr\":[") && detail.contains("\"logStartOffset\":0")
                && detail.contains("\"logEndOffset\":0") && detail.contains("\"highWatermark\":0") && detail.contains("\"sizeBytes\":"), detail);

        String configs = h.get("/api/topics/" + TOPIC + "/configs").compact();
        assertTrue(configs.contains("\"name\":\"retention.ms\",\"readOnly\":false,\"sensitive\":false,\"source\":\"DYNAMIC_TOPIC_CONFIG\",\"value\":\"3600000\"")
                || configs.matches(".*\"name\":\"retention.ms\"[^}]*\"value\":\"3600000\".*"), configs);
        Http.Reply changed = h.send("PUT", "/api/topics/" + TOPIC + "/configs", "{\"set\":{\"retention.ms\":\"7200000\"}}");
        assertEquals(200, changed.status(), changed.body());
        assertTrue(changed.compact().matches(".*\"name\":\"retention.ms\"[^}]*\"value\":\"7200000\".*"), changed.body());

        Http.Reply more = h.send("POST", "/api/topics/" + TOPIC + "/partitions", "{\"count\":3}");
        assertEquals(200, more.status(), more.body());
        assertTrue(more.compact().contains("\"partitionCount\":3"), more.body());
    }

    @Test
    @Order(2)
    void badInputGetsAProblemNamingTheField() throws Exception {
        Http h = http();
        assertProblem(h.send("POST", "/api/topics", "{\"name\":\"" + TOPIC + "\",\"partitions\":1}"), 409, "name");
        assertProblem(h.send("POST", "/api/topics", "{\"name\":\"bad name!\"}"), 400, "name");
        assertProblem(h.send("POST", "/api/topics", "{\"partitions\":1}"), 400, "name");
        assertProblem(h.send("POST", "/api/topics", "{\"name\":\"t0\",\"partitions\":0}"), 400, "partitions");
        assertProblem(h.send("POST", "/api/topics", "{\"name\":\"t0\",\"replicationFactor\":5}"), 400, "replicationFactor");
        assertProblem(h.send("POST", "/api/topics", "{\"name\":"), 400, "body");
        assertProblem(h.send("POST", "/api/topics", "[1,2]"), 400, "body");
        assertProblem(h.get("/api/topics/missing"), 404, "topic");
        assertProblem(h.send("DELETE", "/api/topics/missing", null), 404, "topic");
        assertProblem(h.get("/api/topics/" + TOPIC + "/partitions/9"), 404, "partition");
        assertProblem(h.send("POST", "/api/topics/" + TOPIC + "/partitions", "{\"count\":2}"), 400, "partitions");
        assertProblem(h.send("POST", "/api/topics/" + TOPIC + "/partitions", "{}"), 400, "count");
        assertProblem(h.send("PUT", "/api/topics/" + TOPIC + "/configs", "{}"), 400, "set");
        assertProblem(h.get("/api/topics/" + TOPIC + "/partitions/0/records?offset=abc"), 400, "offset");
        assertProblem(h.get("/api/topics/" + TOPIC + "/partitions/0/records?limit=0"), 400, "limit");
        assertProblem(h.get("/api/topics/" + TOPIC + "/partitions/0/records?format=xml"), 400, "format");
        assertProblem(h.get("/api/topics/" + TOPIC + "/partitions/0/records?timestamp=yesterday"), 400, "timestamp");
        assertProblem(h.get("/api/topics/" + TOPIC + "/partitions/7/records"), 404, "partition");
        assertProblem(h.send("POST", "/api/topics/" + TOPIC + "/records", "{\"value\":\"zz\",\"format\":\"hex\"}"), 400, "value");
        assertProblem(h.send("POST", "/api/topics/missing/records", "{\"value\":\"x\"}"), 404, "topic");
        assertProblem(h.get("/api/groups/none"), 404, "groupId");
        assertProblem(h.send("POST", "/api/groups/none/offsets/reset", "{\"to\":\"sideways\"}"), 400, "to");
        assertProblem(h.send("POST", "/api/groups/none/offsets/reset", "{\"to\":\"offset\"}"), 400, "offset");
        assertProblem(h.get("/api/no/such/path"), 404, null);
        assertProblem(h.send("PUT", "/api/cluster", "{}"), 405, null);
        assertProblem(h.send("DELETE", "/api/stats", null), 405, null);
    }

    @Test
    @Order(3)
    void recordsAreProducedWithHeadersAndBrowsedByOffsetAndTime() throws Exception {
        Http h = http();
        long before = System.currentTimeMillis() - 1;
        for (int i = 0; i < N; i++) {
            Http.Reply r = h.send("POST", "/api/topics/" + TOPIC + "/records",
                    "{\"partition\":0,\"key\":\"k" + i + "\",\"value\":\"{\\\"n\\\":" + i + "}\",\"headers\":{\"source\":\"test\"}}");
            assertEquals(201, r.status(), r.body());
            assertTrue(r.compact().contains("\"offset\":" + i) && r.compact().contains("\"partition\":0"), r.body());
        }
        String page = h.get("/api/topics/" + TOPIC + "/partitions/0/records?offset=2&limit=3").compact();
        assertTrue(page.contains("\"offset\":2") && page.contains("\"offset\":4") && !page.contains("\"offset\":5"), page);
        assertTrue(page.contains("\"key\":\"k2\"") && page.contains("\"valueFormat\":\"json\"") && page.contains("\"source\""), page);
        String hex = h.get("/api/topics/" + TOPIC + "/partitions/0/records?offset=0&limit=1&format=hex").compact();
        assertTrue(hex.contains("\"key\":\"6b30\"") && hex.contains("\"keyFormat\":\"hex\""), hex);
        String byTime = h.get("/api/topics/" + TOPIC + "/partitions/0/records?timestamp=" + before + "&limit=1").compact();
        assertTrue(byTime.contains("\"offset\":0"), byTime);
        String future = h.get("/api/topics/" + TOPIC + "/partitions/0/records?timestamp=" + (System.currentTimeMillis() + 3_600_000)).body();
        assertEquals("[]", future.replace(" ", ""));
        String partition = h.get("/api/topics/" + TOPIC + "/partitions/0").compact();
        assertTrue(partition.contains("\"logEndOffset\":" + N) && partition.contains("\"highWatermark\":" + N), partition);
    }

    @Test
    @Order(4)
    void metricsCountTheProducedRecords() throws Exception {
        Http h = http();
        String topic = "topic=\"" + TOPIC + "\"";
        // gauges show the latest 2 s sample: wait for one taken after the produce and browse of test 3
        Http.Reply m = await(h, "/metrics", 30, r -> metric(r.body(), "kafka_server_BrokerTopicMetrics_MessagesInTotal", topic) == N
                && metric(r.body(), "kafka_server_BrokerTopicMetrics_MessagesOutTotal", topic) > 0);
        java.nio.file.Files.writeString(java.nio.file.Paths.get("target", "metrics-sample.txt"), m.status() + "\n" + m.body());
        assertEquals(N, metric(m.body(), "kafka_server_BrokerTopicMetrics_MessagesInTotal", topic), grep(m.body(), "essages"));
        String body = m.body().toLowerCase();
        for (String name : List.of("kafka_server_brokertopicmetrics_alltopicsmessagesintotal", "kafka_server_brokertopicmetrics_messagesinpersec",
                "kafka_server_brokertopicmetrics_bytesinpersec", "kafka_server_brokertopicmetrics_bytesoutpersec",
                "kafka_server_brokertopicmetrics_messagesoutpersec", "kafka_server_replicamanager_underreplicatedpartitions",
                "kafka_controller_kafkacontroller_activecontrollercount", "kafka_controller_kafkacontroller_offlinepartitionscount",
                "kafka_server_replicamanager_isrshrinkstotal", "kafka_server_replicamanager_isrexpandstotal", "kafka_log_log_size",
                "kafka_network_requestmetrics_requestspersec", "kafka_network_requestmetrics_errorstotal")) {
            assertTrue(body.contains(name), name + " in " + grep(m.body(), "kafka_"));
        }
        // the REST API produced each record with a request of its own and browsed them with fetches
        assertTrue(metric(m.body(), "kafka_network_RequestMetrics_RequestsTotal", "request=\"Produce\"") >= N, grep(m.body(), "Requests"));
        assertTrue(metric(m.body(), "kafka_network_RequestMetrics_RequestsTotal", "request=\"Fetch\"") >= 1, grep(m.body(), "Requests"));
        double p50 = metric(m.body(), "kafka_network_RequestMetrics_TotalTimeMs", "request=\"Produce\"", "quantile=\"0.5\"");
        double p99 = metric(m.body(), "kafka_network_RequestMetrics_TotalTimeMs", "request=\"Produce\"", "quantile=\"0.99\"");
        double max = metric(m.body(), "kafka_network_RequestMetrics_TotalTimeMsMax", "request=\"Produce\"");
        assertTrue(p50 > 0 && p50 <= p99 && p99 <= max, p50 + " " + p99 + " " + max + ": " + grep(m.body(), "TotalTimeMs"));
        assertEquals(0, metric(m.body(), "kafka_network_RequestMetrics_ErrorsTotal", "request=\"Produce\""));
        assertEquals(N, metric(m.body(), "kafka_server_BrokerTopicMetrics_TotalProduceRequestsTotal", topic));
        assertTrue(metric(m.body(), "kafka_server_BrokerTopicMetrics_BytesInTotal", topic) > 0, grep(m.body(), "BytesIn"));
        assertTrue(metric(m.body(), "kafka_server_BrokerTopicMetrics_BytesOutTotal", topic) > 0, grep(m.body(), "BytesOut"));
        String stats = h.get("/api/stats").compact();
        assertTrue(stats.contains("\"activeController\":true") && stats.contains("\"underReplicated\":0"), stats);
        assertTrue(stats.contains("\"api\":\"Produce\"") && stats.contains("\"p99Ms\":"), stats);
    }

    /** The value of the Prometheus sample {@code name} carrying every label in {@code labels}; -1 when there is none. */
    static double metric(String body, String name, String... labels) {
        for (String l : body.split("\n")) {
            if (!l.startsWith(name + "{") && !l.startsWith(name + " ")) {
                continue;
            }
            boolean all = true;
            for (String label : labels) {
                all &= l.contains(label);
            }
            if (all) {
                return Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1));
            }
        }
        return -1;
    }

    private static String grep(String text, String word) {
        StringBuilder b = new StringBuilder();
        for (String l : text.split("\n")) {
            if (l.contains(word)) {
                b.append(l).append('\n');
            }
        }
        return b.length() > 4000 ? b.substring(0, 4000) : b.toString();
    }

    @Test
    @Order(5)
    void groupsShowLagAndTheirOffsetsCanBeResetAndDeleted() throws Exception {
        Http h = http();
        commit(bootstrap(h), GROUP, Map.of(new TopicPartition(TOPIC, 0), 2L));
        Http.Reply g = await(h, "/api/groups/" + GROUP, 20, r -> r.status() == 200 && r.compact().contains("\"totalLag\":" + (N - 2)));
        assertTrue(g.compact().contains("\"state\":\"Empty\"") && g.compact().contains("\"committedOffset\":2")
                && g.compact().contains("\"lag\":" + (N - 2)), g.body());
        assertTrue(h.get("/api/groups").compact().contains("\"groupId\":\"" + GROUP + "\""));
        assertTrue(h.get("/api/groups/" + GROUP + "/lag").compact().contains("\"logEndOffset\":" + N));

        Http.Reply earliest = h.send("POST", "/api/groups/" + GROUP + "/offsets/reset", "{\"to\":\"earliest\"}");
        assertEquals(200, earliest.status(), earliest.body());
        assertTrue(earliest.compact().contains("\"" + TOPIC + "-0\":0"), earliest.body());
        Http.Reply latest = h.send("POST", "/api/groups/" + GROUP + "/offsets/reset", "{\"to\":\"latest\",\"topic\":\"" + TOPIC + "\",\"partition\":0}");
        assertTrue(latest.compact().contains("\"" + TOPIC + "-0\":" + N), latest.body());
        Http.Reply offset = h.send("POST", "/api/groups/" + GROUP + "/offsets/reset", "{\"to\":\"offset\",\"offset\":3}");
        assertTrue(offset.compact().contains("\"" + TOPIC + "-0\":3"), offset.body());
        Http.Reply time = h.send("POST", "/api/groups/" + GROUP + "/offsets/reset", "{\"to\":\"timestamp\",\"timestamp\":0}");
        assertTrue(time.compact().contains("\"" + TOPIC + "-0\":0"), time.body());
        Http.Reply reset = await(h, "/api/groups/" + GROUP, 10, r -> r.compact().contains("\"totalLag\":" + N));
        assertTrue(reset.compact().contains("\"totalLag\":" + N), reset.body());
        Pattern groupLag = Pattern.compile("(?i)kafka_consumer_consumergrouplag[^\\n]*group=\"" + GROUP + "\"[^\\n]*\\s" + N + "(\\.0)?\\n");
        Http.Reply lagMetric = await(h, "/metrics", 20, r -> groupLag.matcher(r.body()).find());
        assertTrue(groupLag.matcher(lagMetric.body()).find(),
                grep(lagMetric.body(), "onsumer"));

        assertProblem(h.send("POST", "/api/groups/" + GROUP + "/offsets/reset", "{\"to\":\"latest\",\"topic\":\"missing\"}"), 404, "topic");
        assertEquals(204, h.send("DELETE", "/api/groups/" + GROUP, null).status());
        assertProblem(h.get("/api/groups/" + GROUP + ""), 404, "groupId");
        assertProblem(h.send("DELETE", "/api/groups/" + GROUP, null), 404, "groupId");
    }

    /**
     * One node can only "move" a partition to the replica it has: a reassignment that is complete at
     * once (200, nothing listed). Every bad replica list is refused before anything changes, with
     * Kafka's verdicts (INVALID_REPLICA_ASSIGNMENT: 400; UNKNOWN_TOPIC_OR_PARTITION and
     * NO_REASSIGNMENT_IN_PROGRESS: 404) as problems naming the field.
     */
    @Test
    @Order(6)
    void partitionReplicasAreReassignedAndBadReplicaListsRefused() throws Exception {
        Http h = http();
        Matcher self = Pattern.compile("\"localBrokerId\":(\\d+)").matcher(h.get("/api/cluster").compact());
        assertTrue(self.find());
        int id = Integer.parseInt(self.group(1));
        String replicas = "/api/topics/" + TOPIC + "/partitions/0/replicas";
        Http.Reply same = h.send("PUT", replicas, "{\"replicas\":[" + id + "]}");
        assertEquals(200, same.status(), same.body());
        assertTrue(same.compact().contains("\"topic\":\"" + TOPIC + "\"") && same.compact().contains("\"partition\":0")
                && same.compact().contains("\"replicas\":[" + id + "]") && same.compact().contains("\"adding\":[]")
                && same.compact().contains("\"removing\":[]"), same.body());
        assertEquals("[]", h.get("/api/reassignments").compact());
        String partition = h.get("/api/topics/" + TOPIC + "/partitions/0").compact();
        assertTrue(partition.contains("\"replicas\":[" + id + "]") && partition.contains("\"adding\":[]")
                && partition.contains("\"removing\":[]"), partition);

        assertProblem(h.send("PUT", replicas, "{\"replicas\":[" + id + "," + (id + 7) + "]}"), 400, "replicas"); // no such broker
        assertProblem(h.send("PUT", replicas, "{\"replicas\":[]}"), 400, "replicas");
        assertProblem(h.send("PUT", replicas, "{\"replicas\":[" + id + "," + id + "]}"), 400, "replicas");
        assertProblem(h.send("PUT", replicas, "{\"replicas\":[-1]}"), 400, "replicas");
        assertProblem(h.send("PUT", replicas, "{\"replicas\":[null]}"), 400, "replicas");
        assertProblem(h.send("PUT", replicas, "{}"), 400, "replicas");
        assertProblem(h.send("PUT", replicas, "{\"replicas\":\"0\"}"), 400, "body");
        assertProblem(h.send("PUT", "/api/topics/" + TOPIC + "/partitions/9/replicas", "{\"replicas\":[" + id + "]}"), 404, "partition");
        assertProblem(h.send("PUT", "/api/topics/missing/partitions/0/replicas", "{\"replicas\":[" + id + "]}"), 404, "topic");
        assertProblem(h.send("DELETE", "/api/topics/" + TOPIC + "/partitions/0/reassignment", null), 404, "partition");
        assertProblem(h.send("DELETE", "/api/topics/missing/partitions/0/reassignment", null), 404, "topic");
        partition = h.get("/api/topics/" + TOPIC + "/partitions/0").compact();
        assertTrue(partition.contains("\"replicas\":[" + id + "]"), "nothing changed: " + partition);
    }

    @Test
    @Order(7)
    void theApiIsDescribedAndTheBrokerIsHealthy() throws Exception {
        Http h = http();
        Http.Reply openapi = h.get("/openapi");
        assertEquals(200, openapi.status());
        for (String p : List.of("/api/topics", "/api/topics/{name}/configs", "/api/topics/{name}/partitions/{partition}/records",
                "/api/topics/{name}/partitions/{partition}/replicas", "/api/topics/{name}/partitions/{partition}/reassignment",
                "/api/reassignments",
                "/api/groups/{id}/offsets/reset", "/api/cluster", "/api/stats")) {
            assertTrue(openapi.body().contains(p), p + " in " + openapi.body().substring(0, Math.min(3000, openapi.body().length())));
        }
        assertTrue(h.get("/health/live").body().replace(" ", "").contains("\"status\":\"UP\""));
        assertTrue(h.get("/health/ready").body().replace(" ", "").contains("\"status\":\"UP\""));
        assertTrue(h.get("/api/cluster").compact().contains("\"liveBrokers\":1"));
    }

    @Test
    @Order(8)
    void topicsAreDeleted() throws Exception {
        Http h = http();
        assertEquals(204, h.send("DELETE", "/api/topics/" + TOPIC, null).status());
        Http.Reply gone = await(h, "/api/topics/" + TOPIC, 10, r -> r.status() == 404);
        assertProblem(gone, 404, "topic");
    }

    @Test
    @Order(9)
    void theConsoleCreatesProducesBrowsesShowsLagAndDeletes() throws Exception {
        new ConsoleScenario(port(), bootstrap(http()), Http.ADMIN, Http.ADMIN_PASSWORD).run();
    }
}
