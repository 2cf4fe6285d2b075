package org.tributary.e2e;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.function.Executable;
import org.tributary.e2e.groupapp.GroupApp;

/**
 * The EAR on a real Payara Server 6 domain: {@code tributary-server setup} creates the domain, a
 * deployment group of three instances with their broker settings as instance system properties, and
 * deploys {@code ear/target/tributary.ear} to the group. Every broker must report ready and see the
 * others, alive, in one cluster. Then Kafka traffic crosses the instances, each client bootstrapped at
 * ONE broker only: a topic (4 partitions, replication factor 2, min.insync.replicas 2) created
 * through broker 0 is described through broker 1 with the same id and every ISR full (Admin client
 * and {@code kafka-topics}); keyed records produced through broker 1 (acks=all, idempotent) are all
 * acknowledged; a consumer group reads them through broker 0, each once and in order per
 * partition, and commits; a new member of the group through broker 1 starts at the end. Then an
 * application of the test's own ({@code groupapp}) is deployed to the group beside the EAR: it sends
 * through the adapter's JMS connection factory on instance 0 while the last instance is killed
 * ({@code kill -9}); it must see no error, and its MDBs on all instances must receive every
 * acknowledged record, in order per partition; the killed instance then starts again. The tests
 * share one domain (its setup takes minutes) and run in order; each says when a step before it
 * failed. Everything is stopped afterwards, also when a test fails.
 *
 * <p>System properties: {@code tributary.home} (the checkout), {@code tributary.ear} (the EAR);
 * {@code tributary.payara.zip} and {@code tributary.payara.version} (the Payara Server zip the build
 * resolved; without them the script fetches it with Maven itself);
 * optional {@code tributary.server.dir} (default {@code target/payara-server}),
 * {@code tributary.server.jvm} (instance JVM flags), {@code tributary.server.timeout.minutes} (setup, default 25),
 * {@code tributary.server.records} (records produced, default 20,000).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PayaraServerIT {
    private static final int BROKERS = 3;
    private static final int APP_PARTITIONS = 6;
    private static final Duration SETUP_TIMEOUT = Duration.ofMinutes(Long.getLong("tributary.server.timeout.minutes", 25));
    private static final Duration READY_TIMEOUT = Duration.ofMinutes(3);
    private static final Duration VIEW_TIMEOUT = Duration.ofMinutes(2);
    private static final Duration STOP_TIMEOUT = Duration.ofMinutes(4);
    /** Topic metadata on the other broker with every ISR full: new replicas start in sync, so this is propagation only. */
    private static final Duration ISR_TIMEOUT = Duration.ofSeconds(60);
    /** Producing or consuming the records on 2 shared cores. */
    private static final Duration TRAFFIC_TIMEOUT = Duration.ofMinutes(3);
    private static final String TOPIC = "deployment-group-traffic";
    private static final String GROUP = "deployment-group-readers";
    private static final int PARTITIONS = 4;
    private static final int RECORDS = Integer.getInteger("tributary.server.records", 20_000);

    private static PayaraServerCluster cluster;
    private static Thread killOnExit;
    /** Set by each step that passed, for the steps after it. */
    private static boolean inOneCluster;
    private static Uuid topicId;
    private static final KeyedTraffic TRAFFIC = new KeyedTraffic(TOPIC);

    @BeforeAll
    static void prepare() {
        Path home = Paths.get(required("tributary.home")).toAbsolutePath().normalize();
        Path ear = Paths.get(required("tributary.ear"));
        Path script = home.resolve("server-config/payara-server/tributary-server");
        assertTrue(Files.isRegularFile(ear), () -> "no EAR at " + ear + "; build it first: mvn -B -DskipTests package");
        assertTrue(Files.isRegularFile(script), () -> "no script at " + script);
        String zip = System.getProperty("tributary.payara.zip");
        assertTrue(zip == null || Files.isRegularFile(Paths.get(zip)), () -> "no Payara Server zip at " + zip
                + "; the ear module's build copies it there before the integration tests (pre-integration-test)");
        Path dir = Paths.get(System.getProperty("tributary.server.dir", "target/payara-server"));
        String jvm = System.getProperty("tributary.server.jvm", "-Xmx384m -XX:+UseSerialGC -XX:TieredStopAtLevel=1");
        cluster = new PayaraServerCluster(script, dir, ear, jvm, BROKERS);
        // a fresh domain: stop and delete what an earlier run left
        if (Files.exists(cluster.dir())) {
            PayaraServerCluster.Result clean = cluster.run(STOP_TIMEOUT, "clean", cluster.dir().toString());
            if (!clean.ok()) {
                cluster.kill(cluster.livePids());
                fail("could not clean " + cluster.dir() + " from an earlier run: " + clean.describe());
            }
        }
        // Maven stopped with Ctrl-C: no Payara process may outlive the test JVM
        killOnExit = new Thread(() -> cluster.kill(cluster.livePids()), "payara-server-kill-on-exit");
        Runtime.getRuntime().addShutdownHook(killOnExit);
    }

    @AfterAll
    static void stopEverything() {
        if (cluster == null) {
            return;
        }
        PayaraServerCluster.Result stop = cluster.run(STOP_TIMEOUT, "stop", cluster.dir().toString());
        Set<Long> left = cluster.livePids();
        Set<Long> unkillable = left.isEmpty() ? Set.of() : cluster.kill(left);
        try {
            Runtime.getRuntime().removeShutdownHook(killOnExit);
        } catch (IllegalStateException ignored) {
            // the JVM is shutting down already
        }
        assertTrue(unkillable.isEmpty(), () -> "Payara processes " + unkillable + " could not be killed; kill them by hand");
        assertTrue(stop.ok() && left.isEmpty(), () -> "'tributary-server stop' did not stop everything (killed " + left + " by pid): "
                + stop.describe());
    }

    @Test
    @Order(1)
    void earDeploysToDeploymentGroupAndBothBrokersSeeEachOther() {
        PayaraServerCluster.Result setup = cluster.run(SETUP_TIMEOUT, "setup", cluster.dir().toString());
        System.out.printf("[payara-server] setup took %d s%n", setup.took().toSeconds());
        assertTrue(setup.ok(), () -> "setup of the Payara Server domain failed: " + setup.describe() + "\n" + allLogTails(40));

        long t0 = System.nanoTime();
        for (int i = 0; i < BROKERS; i++) {
            awaitReady(i);
        }
        Map<Integer, Map<String, Object>> views = awaitBothBrokersInEveryView();
        System.out.printf("[payara-server] brokers ready and in one cluster %d ms after setup%n", (System.nanoTime() - t0) / 1_000_000);

        String clusterId = (String) views.get(0).get("clusterId");
        List<Executable> checks = new ArrayList<>();
        for (int i = 0; i < BROKERS; i++) {
            int me = i;
            Map<String, Object> v = views.get(i);
            String where = "/api/cluster of broker " + i + " (" + v + ")";
            checks.add(() -> assertNotNull(v.get("clusterId"), where + ": no clusterId"));
            checks.add(() -> assertEquals(clusterId, v.get("clusterId"), where + ": another cluster id than broker 0's"));
            checks.add(() -> assertEquals(me, intOf(v.get("localBrokerId")), where + ": localBrokerId"));
            checks.add(() -> assertEquals(BROKERS, intOf(v.get("liveBrokers")), where + ": liveBrokers"));
            checks.add(() -> assertTrue(intOf(v.get("controllerId")) >= 0 && intOf(v.get("controllerId")) < BROKERS, where + ": controllerId"));
            checks.add(() -> assertEquals(views.get(0).get("controllerId"), v.get("controllerId"), where + ": brokers disagree on the controller"));
            for (Map<String, Object> b : brokers(v)) {
                int id = intOf(b.get("id"));
                checks.add(() -> assertEquals(cluster.kafkaPort(id), intOf(b.get("kafkaPort")), where + ": Kafka port of broker " + id));
                checks.add(() -> assertEquals(cluster.httpPort(id), intOf(b.get("httpPort")), where + ": HTTP port of broker " + id));
                checks.add(() -> assertEquals("127.0.0.1", b.get("host"), where + ": host of broker " + id));
            }
        }
        assertAll("cluster views", checks.stream());
        inOneCluster = true;
    }

    @Test
    @Order(2)
    void aTopicCreatedThroughBroker0IsTheSameThroughBroker1() throws Exception {
        assertTrue(inOneCluster, "the brokers are not in one cluster: the test before failed");
        Uuid created;
        try (Admin a = KafkaClients.admin(bootstrap(0))) {
            CreateTopicsResult r = a.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) BROKERS)
                    .configs(Map.of("min.insync.replicas", Integer.toString(BROKERS)))));
            r.all().get(60, TimeUnit.SECONDS);
            created = r.topicId(TOPIC).get(60, TimeUnit.SECONDS);
        }
        long t0 = System.nanoTime();
        try (Admin a = KafkaClients.admin(bootstrap(1))) {
            TopicDescription d = awaitEveryIsrFull(a);
            System.out.printf("[payara-server] topic created through broker 0; through broker 1 every ISR full %d ms later: %s%n",
                    (System.nanoTime() - t0) / 1_000_000, d.partitions().stream().map(PayaraServerIT::describe).toList());
            assertEquals(created, d.topicId(), "the topic id through broker 1");
            assertEquals(PARTITIONS, d.partitions().size(), "partitions through broker 1");
            List<Executable> checks = new ArrayList<>();
            for (TopicPartitionInfo p : d.partitions()) {
                String where = "partition " + describe(p) + " through broker 1";
                checks.add(() -> assertEquals(allBrokers(), ids(p.replicas()), where + ": replicas"));
                checks.add(() -> assertEquals(allBrokers(), ids(p.isr()), where + ": ISR"));
                checks.add(() -> assertTrue(p.leader() != null && ids(p.replicas()).contains(p.leader().id()), where + ": leader"));
            }
            assertAll("topic through broker 1", checks.stream());
            ConfigResource res = new ConfigResource(ConfigResource.Type.TOPIC, TOPIC);
            Config c = a.describeConfigs(List.of(res)).all().get(60, TimeUnit.SECONDS).get(res);
            assertEquals(Integer.toString(BROKERS), c.get("min.insync.replicas").value(), "min.insync.replicas through broker 1");
        }
        topicId = created; // the steps after this one need the topic, not the command-line tool
        checkKafkaTopicsDescribe(created);
    }

    @Test
    @Order(3)
    void keyedRecordsProducedThroughBroker1AreAllAcknowledged() {
        assertNotNull(topicId, "no topic: the test before failed");
        KeyedTraffic.Produced p = TRAFFIC.produce(bootstrap(1), RECORDS);
        System.out.printf("[payara-server] produced %d records through broker 1 (acks=all, idempotent) in %d ms: %.0f records/s; %d failed%n",
                RECORDS, p.millis(), RECORDS * 1000.0 / Math.max(1, p.millis()), p.failed());
        assertEquals(0, p.failed(), () -> "sends failed: " + p.failures() + "\n" + allLogTails(40));
        assertEquals(RECORDS, TRAFFIC.ackedCount(), "acknowledged records");
        TRAFFIC.acked().forEach((partition, records) -> {
            assertEquals(records.size() - 1L, records.lastKey(), "partition " + partition + ": offsets 0.. without a gap");
            long previous = -1;
            for (String r : records.values()) { // one producer: record numbers grow with the offset
                long n = Long.parseLong(r.substring(1, r.indexOf('=')));
                assertTrue(n > previous, "partition " + partition + " holds " + r + " after record " + previous);
                previous = n;
            }
        });
        assertEquals(PARTITIONS, TRAFFIC.acked().size(), "keys spread over every partition");
    }

    @Test
    @Order(4)
    void aGroupReadsEveryRecordThroughBroker0AndANewMemberThroughBroker1StartsAtTheEnd() {
        assertEquals(RECORDS, TRAFFIC.ackedCount(), "not every record was acknowledged: the test before failed");
        KeyedTraffic.Consumed c = TRAFFIC.consumeAndCommit(bootstrap(0), GROUP, PARTITIONS, RECORDS, TRAFFIC_TIMEOUT);
        System.out.printf("[payara-server] consumer group read %d records through broker 0 in %d ms%n", c.count(), c.millis());
        List<Executable> checks = new ArrayList<>();
        for (int partition = 0; partition < PARTITIONS; partition++) {
            int p = partition;
            // each record once, at the offset it was acknowledged with, in offset order
            checks.add(() -> assertEquals(TRAFFIC.ackedAsDelivered(p), c.delivered().getOrDefault(p, List.of()),
                    "partition " + p + " as the consumer through broker 0 got it"));
        }
        checks.add(() -> assertEquals(RECORDS, c.count(), "records delivered"));
        Map<TopicPartition, Long> expectedEnds = new HashMap<>();
        TRAFFIC.partitions(PARTITIONS).forEach(tp -> expectedEnds.put(tp, (long) TRAFFIC.acked().get(tp.partition()).size()));
        checks.add(() -> assertEquals(expectedEnds, c.endOffsets(), "end offsets"));
        checks.add(() -> assertEquals(expectedEnds, c.committed(), "committed offsets of group " + GROUP));
        assertAll("consumed through broker 0", checks.stream());

        Map<Integer, List<String>> again = new HashMap<>();
        Map<TopicPartition, Long> positions = TRAFFIC.positionsOfNewMember(bootstrap(1), GROUP, PARTITIONS, TRAFFIC_TIMEOUT, again);
        assertAll("a new member of group " + GROUP + " through broker 1",
                () -> assertEquals(expectedEnds, positions, "its positions are the committed offsets, the end of every partition"),
                () -> assertEquals(Map.of(), again, "nothing left to read"));
    }

    @Test
    @Order(5)
    void anApplicationOnTheGroupSendsAndItsMdbsConsumeWhileAnInstanceIsKilled() throws Exception {
        assertTrue(inOneCluster, "the brokers are not in one cluster: a test before failed");
        try (Admin a = KafkaClients.admin(bootstrap(0))) {
            a.createTopics(List.of(new NewTopic(GroupApp.TOPIC, APP_PARTITIONS, (short) BROKERS).configs(Map.of("min.insync.replicas", "2"))))
                    .all().get(60, TimeUnit.SECONDS);
        }
        Path war = GroupAppRun.packWar(cluster.dir());
        PayaraServerCluster.Result deploy = cluster.asadmin(STOP_TIMEOUT, "deploy", "--target", "tributary", "--name", GroupAppRun.NAME,
                war.toString());
        assertTrue(deploy.ok(), () -> "the application did not deploy to the deployment group: " + deploy.describe() + "\n" + allLogTails(40));
        GroupAppRun app = new GroupAppRun(cluster, BROKERS);
        int victim = BROKERS - 1;
        for (int i = 0; i < 3; i++) {
            app.send(0, 100, TRAFFIC_TIMEOUT);
        }
        assertEquals(List.of(), app.errors(), () -> "the application reported errors before any kill\n" + allLogTails(40));
        awaitUntil("every instance's MDBs receive records", Duration.ofMinutes(2),
                () -> app.deliveries().values().stream().noneMatch(List::isEmpty), () -> "deliveries per instance: "
                        + app.deliveries().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue().size()).toList());
        String before = leadersOf(GroupApp.TOPIC);

        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicLong slowest = new java.util.concurrent.atomic.AtomicLong();
        Thread sender = new Thread(() -> {
            while (!stop.get()) {
                slowest.accumulateAndGet(app.send(0, 20, TRAFFIC_TIMEOUT).toMillis(), Math::max);
            }
        }, "groupapp-sender");
        sender.start();
        PayaraServerCluster.sleep(3_000);
        long pid = cluster.instancePid(victim).orElseThrow(() -> new AssertionError("instance tributary-" + victim + " does not run"));
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly); // SIGKILL
        long killedAt = System.nanoTime();
        awaitUntil("instance tributary-" + victim + " is gone", Duration.ofSeconds(30), () -> cluster.instancePid(victim).isEmpty(), () -> "");
        PayaraServerCluster.sleep(25_000);
        stop.set(true);
        sender.join(TRAFFIC_TIMEOUT.toMillis());
        System.out.printf("[payara-server] killed instance tributary-%d (pid %d) while the application sent through instance 0; leaders before: %s,"
                + " after: %s; %d records acknowledged, slowest batch of 20: %d ms%n", victim, pid, before, leadersOf(GroupApp.TOPIC),
                app.ackedCount(), slowest.get());
        assertEquals(List.of(), app.errors(), () -> "the application saw errors while instance " + victim + " was killed\n" + allLogTails(40));

        awaitUntil("the MDBs receive every acknowledged record", TRAFFIC_TIMEOUT, () -> app.missing(app.deliveries()).isEmpty(),
                () -> "missing (partition=offsets): " + app.missing(app.deliveries()) + "\n" + allLogTails(40));
        Map<Integer, List<GroupAppRun.Delivery>> got = app.deliveries();
        long delivered = got.values().stream().mapToLong(List::size).sum();
        System.out.printf("[payara-server] every acknowledged record received %d ms after the kill: %d deliveries for %d records"
                + " (%d redelivered), per instance %s%n", (System.nanoTime() - killedAt) / 1_000_000, delivered, app.ackedCount(),
                delivered - app.ackedCount(), got.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue().size()).toList());
        List<Executable> checks = new ArrayList<>();
        checks.add(() -> assertEquals(List.of(), app.violations(got), "deliveries against what was acknowledged, and their order"));
        app.acked().forEach((p, offsets) -> checks.add(() -> assertEquals(offsets.size() - 1L, offsets.lastKey(),
                "partition " + p + ": acknowledged offsets 0.. without a gap or a duplicate")));
        assertAll("what the MDBs received", checks.stream());

        PayaraServerCluster.Result restart = cluster.asadmin(STOP_TIMEOUT, "start-instance", "tributary-" + victim);
        assertTrue(restart.ok(), () -> "the killed instance did not start again: " + restart.describe());
        awaitReady(victim);
    }

    /** Partition leaders of a topic as broker 0 sees them, {@code partition=leader}. */
    private static String leadersOf(String topic) {
        try (Admin a = KafkaClients.admin(bootstrap(0))) {
            return a.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic).partitions().stream()
                    .map(p -> p.partition() + "=" + (p.leader() == null ? "none" : p.leader().id())).toList().toString();
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            return "unknown (" + e.getCause() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    private static void awaitUntil(String what, Duration timeout, java.util.function.BooleanSupplier done,
            java.util.function.Supplier<String> state) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("not within " + timeout.toSeconds() + " s: " + what + "; " + state.get());
            }
            PayaraServerCluster.sleep(500);
        }
    }

    /** Describes the topic through this Admin client until every partition has a leader and an ISR of all brokers. */
    private static TopicDescription awaitEveryIsrFull(Admin a) throws InterruptedException {
        long deadline = System.nanoTime() + ISR_TIMEOUT.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            try {
                TopicDescription d = a.describeTopics(List.of(TOPIC)).allTopicNames().get(30, TimeUnit.SECONDS).get(TOPIC);
                last = d.partitions().stream().map(PayaraServerIT::describe).toList().toString();
                if (d.partitions().size() == PARTITIONS
                        && d.partitions().stream().allMatch(p -> p.leader() != null && p.isr().size() == BROKERS)) {
                    return d;
                }
            } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                last = e.getCause() == null ? e.toString() : e.getCause().toString();
            }
            PayaraServerCluster.sleep(500);
        }
        fail("topic " + TOPIC + " through broker 1: not every partition led with an ISR of " + BROKERS + " within " + ISR_TIMEOUT.toSeconds()
                + " s; last: " + last + "\n" + allLogTails(40));
        return null;
    }

    /** Kafka's own {@code kafka-topics --describe} through broker 1: the topic, its id, and per partition a leader and a full ISR. */
    private static void checkKafkaTopicsDescribe(Uuid id) {
        String out = KafkaCli.topics("--bootstrap-server", bootstrap(1), "--describe", "--topic", TOPIC);
        assertTrue(out.endsWith("EXIT 0"), () -> "kafka-topics failed:\n" + out);
        assertTrue(out.contains("TopicId: " + id), () -> "kafka-topics shows topic id " + id + ":\n" + out);
        assertTrue(out.contains("PartitionCount: " + PARTITIONS) && out.contains("ReplicationFactor: " + BROKERS)
                && out.contains("min.insync.replicas=" + BROKERS), () -> "kafka-topics shows the topic's settings:\n" + out);
        Matcher m = Pattern.compile("Partition: (\\d+)\\s+Leader: (-?\\d+)\\s+Replicas: ([\\d,]+)\\s+Isr: ([\\d,]*)").matcher(out);
        Map<Integer, String> leaders = new TreeMap<>();
        while (m.find()) {
            Set<Integer> isr = m.group(4).isEmpty() ? Set.of()
                    : java.util.Arrays.stream(m.group(4).split(",")).map(Integer::parseInt).collect(Collectors.toSet());
            assertEquals(allBrokers(), isr, "kafka-topics: ISR of partition " + m.group(1) + ":\n" + out);
            assertTrue(allBrokers().contains(Integer.parseInt(m.group(2))), "kafka-topics: leader of partition " + m.group(1) + ":\n" + out);
            leaders.put(Integer.parseInt(m.group(1)), m.group(2));
        }
        Set<Integer> partitions = TRAFFIC.partitions(PARTITIONS).stream().map(TopicPartition::partition).collect(Collectors.toSet());
        assertEquals(partitions, leaders.keySet(), () -> "kafka-topics lists every partition:\n" + out);
        System.out.printf("[payara-server] kafka-topics --describe through broker 1: leaders %s%n", leaders);
    }

    private static String describe(TopicPartitionInfo p) {
        return p.partition() + " leader " + (p.leader() == null ? "none" : p.leader().id()) + " replicas " + ids(p.replicas()) + " isr "
                + ids(p.isr());
    }

    private static Set<Integer> ids(List<Node> nodes) {
        return nodes.stream().map(Node::id).collect(Collectors.toCollection(TreeSet::new));
    }

    private static Set<Integer> allBrokers() {
        Set<Integer> all = new TreeSet<>();
        for (int i = 0; i < BROKERS; i++) {
            all.add(i);
        }
        return all;
    }

    private static String bootstrap(int broker) {
        return "127.0.0.1:" + cluster.kafkaPort(broker);
    }

    /** Waits until instance I's readiness check {@code tributary-broker} is UP as broker I. */
    private static void awaitReady(int i) {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            Optional<HttpResponse<String>> r = cluster.get(cluster.httpPort(i), "/health/ready");
            if (r.isPresent()) {
                last = "HTTP " + r.get().statusCode() + ": " + r.get().body();
                Map<String, Object> check = brokerCheck(r.get().body());
                if (check != null && "UP".equals(check.get("status"))) {
                    Map<?, ?> data = (Map<?, ?>) check.get("data");
                    assertEquals(i, data == null ? -1 : intOf(data.get("brokerId")), "instance tributary-" + i + " runs another broker: " + last);
                    return;
                }
                if (check != null && check.get("data") instanceof Map<?, ?> data && data.get("error") != null) {
                    fail("broker " + i + " cannot start: " + data.get("error") + "\n" + PayaraServerCluster.tailOf(cluster.instanceLog(i), 60));
                }
            }
            PayaraServerCluster.sleep(1000);
        }
        fail("broker " + i + " (http://127.0.0.1:" + cluster.httpPort(i) + "/health/ready) was not ready within " + READY_TIMEOUT.toSeconds()
                + " s; last answer: " + last + "\n" + PayaraServerCluster.tailOf(cluster.instanceLog(i), 60));
    }

    /** Waits until every broker's /api/cluster lists brokers 0..N-1, all alive; returns the views. */
    private static Map<Integer, Map<String, Object>> awaitBothBrokersInEveryView() {
        long deadline = System.nanoTime() + VIEW_TIMEOUT.toNanos();
        Map<Integer, String> last = new HashMap<>();
        Set<Integer> expected = new TreeSet<>();
        for (int i = 0; i < BROKERS; i++) {
            expected.add(i);
        }
        while (true) {
            Map<Integer, Map<String, Object>> views = new HashMap<>();
            for (int i = 0; i < BROKERS; i++) {
                Optional<HttpResponse<String>> r = cluster.get(cluster.httpPort(i), "/api/cluster");
                last.put(i, r.map(x -> "HTTP " + x.statusCode() + ": " + x.body()).orElse("no answer"));
                if (r.isPresent() && r.get().statusCode() == 200) {
                    Map<String, Object> v = PayaraServerJson.object(r.get().body());
                    Set<Integer> alive = new TreeSet<>();
                    for (Map<String, Object> b : brokers(v)) {
                        if (Boolean.TRUE.equals(b.get("alive"))) {
                            alive.add(intOf(b.get("id")));
                        }
                    }
                    if (alive.equals(expected)) {
                        views.put(i, v);
                    }
                }
            }
            if (views.size() == BROKERS) {
                return views;
            }
            if (System.nanoTime() > deadline) {
                StringBuilder msg = new StringBuilder("the brokers did not all see brokers " + expected + " alive within "
                        + VIEW_TIMEOUT.toSeconds() + " s (is the data grid joined? look for 'Data Grid Status' in the logs):\n");
                last.forEach((i, body) -> msg.append("  broker ").append(i).append(" /api/cluster: ").append(body).append('\n'));
                fail(msg + allLogTails(40));
            }
            PayaraServerCluster.sleep(1000);
        }
    }

    private static Map<String, Object> brokerCheck(String healthBody) {
        try {
            Object checks = PayaraServerJson.object(healthBody).get("checks");
            if (checks instanceof List<?> l) {
                for (Object c : l) {
                    if (c instanceof Map<?, ?> m && "tributary-broker".equals(m.get("name"))) {
                        @SuppressWarnings("unchecked")
                        Map<String, Object> check = (Map<String, Object>) m;
                        return check;
                    }
                }
            }
        } catch (IllegalArgumentException notJson) {
            // not the health endpoint's answer (yet)
        }
        return null;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> brokers(Map<String, Object> view) {
        Object b = view.get("brokers");
        return b instanceof List<?> l ? (List<Map<String, Object>>) l : List.of();
    }

    private static int intOf(Object v) {
        if (v instanceof Number n) {
            return n.intValue();
        }
        if (v instanceof String s && !s.isBlank()) {
            return Integer.parseInt(s.trim());
        }
        return Integer.MIN_VALUE;
    }

    private static String allLogTails(int lines) {
        StringBuilder b = new StringBuilder(PayaraServerCluster.tailOf(cluster.domainLog(), lines)).append('\n');
        for (int i = 0; i < BROKERS; i++) {
            b.append(PayaraServerCluster.tailOf(cluster.instanceLog(i), lines)).append('\n');
        }
        return b.toString();
    }

    private static String required(String property) {
        String v = System.getProperty(property);
        assertNotNull(v, "system property " + property + " is not set (run through Maven failsafe in the ear module)");
        return v;
    }
}
