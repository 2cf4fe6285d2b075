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
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The EAR on a real Payara Server 6 domain: {@code tributary-server setup} creates the domain, a
 * deployment group of two instances with their broker settings as instance system properties, and
 * deploys {@code ear/target/tributary.ear} to the group. Both brokers must report ready and see each
 * other, alive, in one cluster. Everything is stopped afterwards, also when the test fails.
 *
 * <p>System properties: {@code tributary.home} (the checkout), {@code tributary.ear} (the EAR);
 * {@code tributary.payara.zip} and {@code tributary.payara.version} (the Payara Server zip the build
 * resolved; without them the script fetches it with Maven itself);
 * optional {@code tributary.server.dir} (default {@code target/payara-server}),
 * {@code tributary.server.jvm} (instance JVM flags), {@code tributary.server.timeout.minutes} (setup, default 25).
 */
class PayaraServerIT {
    private static final int BROKERS = 2;
    private static final Duration SETUP_TIMEOUT = Duration.ofMinutes(Long.getLong("tributary.server.timeout.minutes", 25));
    private static final Duration READY_TIMEOUT = Duration.ofMinutes(3);
    private static final Duration VIEW_TIMEOUT = Duration.ofMinutes(2);
    private static final Duration STOP_TIMEOUT = Duration.ofMinutes(4);

    private static PayaraServerCluster cluster;
    private static Thread killOnExit;

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
