package org.tributary.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.CookieManager;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
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
 * Who may use the REST API and the console, on the real WAR on Payara Micro: 401 for anonymous
 * requests, 403 for a viewer's change, the admin's changes, bearer tokens, the console's cookie
 * session with its CSRF token and cookie flags, and the audit trail of changes made through REST
 * and through the Kafka protocol (on the default H2 database).
 */
@ExtendWith(ArquillianExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AccessIT {
    private static final String SUFFIX = Long.toString(System.nanoTime() % 1_000_000, 36);
    private static final String VIEWER = "viewer-" + SUFFIX;
    private static final String VIEWER_PASSWORD = "viewer-password-" + SUFFIX;

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static WebArchive tributary() {
        return ShrinkWrap.createFromZipFile(WebArchive.class, new File(System.getProperty("tributary.war")));
    }

    private int port() throws Exception {
        return NodePort.of(base);
    }

    @Test
    @Order(1)
    void anonymousRequestsGet401WithAProblemBodyButHealthAndMetricsStayOpen() throws Exception {
        try (Http anon = Http.anonymous(port()); Http wrong = Http.as(port(), Http.ADMIN, "not-the-password")) {
            Http.Reply r = anon.get("/api/topics");
            AdminApiIT.assertProblem(r, 401, null);
            assertTrue(r.challenge() != null && r.challenge().startsWith("Basic"), "WWW-Authenticate: " + r.challenge());
            AdminApiIT.assertProblem(anon.send("POST", "/api/topics", "{\"name\":\"anon-" + SUFFIX + "\"}"), 401, null);
            AdminApiIT.assertProblem(anon.send("DELETE", "/api/topics/whatever", null), 401, null);
            AdminApiIT.assertProblem(anon.get("/api/audit"), 401, null);
            Http.Reply bad = wrong.get("/api/cluster");
            AdminApiIT.assertProblem(bad, 401, null);
            assertTrue(bad.body().contains("wrong user name or password"), bad.body());
            assertEquals(200, anon.get("/health/ready").status());
            Http.Reply metrics = anon.get("/metrics");
            assertEquals(200, metrics.status());
            assertTrue(metrics.body().toLowerCase().contains("tributary_audit_eventsdroppedtotal"), "the audit trail's drop counter");
            assertTrue(anon.get("/api/setup").compact().contains("\"open\":false"), "the admin was configured: no setup secret");
            AdminApiIT.assertProblem(anon.send("POST", "/api/setup", "{\"secret\":\"guess\",\"username\":\"intruder\",\"password\":\""
                    + "a long enough password\"}"), 409, "secret");
        }
    }

    @Test
    @Order(2)
    void theAdminManagesAccountsAndAViewerMayReadButNotChange() throws Exception {
        String topic = "acl-topic-" + SUFFIX;
        try (Http admin = new Http(port()); Http viewer = Http.as(port(), VIEWER, VIEWER_PASSWORD)) {
            Http.Reply created = admin.send("POST", "/api/accounts", "{\"username\":\"" + VIEWER + "\",\"role\":\"viewer\",\"password\":\""
                    + VIEWER_PASSWORD + "\"}");
            assertEquals(201, created.status(), created.body());
            AdminApiIT.assertProblem(admin.send("POST", "/api/accounts", "{\"username\":\"short-" + SUFFIX
                    + "\",\"role\":\"viewer\",\"password\":\"short\"}"), 400, "password");
            Http.Reply list = admin.get("/api/accounts");
            assertEquals(200, list.status());
            assertTrue(hasItem(list.compact(), "username", VIEWER, "role", "viewer"), list.body());
            assertFalse(list.body().contains("PBKDF2") || list.body().toLowerCase().contains("hash")
                    || list.body().contains(VIEWER_PASSWORD), "never a hash or password: " + list.body());

            assertEquals(201, admin.send("POST", "/api/topics", "{\"name\":\"" + topic + "\"}").status());
            assertEquals(200, viewer.get("/api/topics").status());
            assertEquals(200, viewer.get("/api/topics/" + topic).status());
            assertEquals(200, viewer.get("/api/audit").status());
            AdminApiIT.assertProblem(viewer.send("DELETE", "/api/topics/" + topic, null), 403, null);
            AdminApiIT.assertProblem(viewer.send("POST", "/api/topics", "{\"name\":\"v-" + SUFFIX + "\"}"), 403, null);
            AdminApiIT.assertProblem(viewer.send("PUT", "/api/topics/" + topic + "/partitions/0/replicas", "{\"replicas\":[0]}"), 403, null);
            AdminApiIT.assertProblem(viewer.send("DELETE", "/api/topics/" + topic + "/partitions/0/reassignment", null), 403, null);
            assertEquals(200, viewer.get("/api/reassignments").status(), "a viewer may see the reassignments in progress");
            AdminApiIT.assertProblem(viewer.get("/api/accounts"), 403, null);
            AdminApiIT.assertProblem(viewer.send("POST", "/api/accounts", "{\"username\":\"x\",\"role\":\"admin\",\"password\":\"xxxxxxxxxxxxxxx\"}"),
                    403, null);
            assertEquals(200, viewer.get("/api/topics/" + topic).status(), "the viewer's delete changed nothing");

            // the admin's change goes through, and is in the trail with the user; the viewer's refusal too
            Matcher self = Pattern.compile("\"localBrokerId\":(\\d+)").matcher(admin.get("/api/cluster").compact());
            assertTrue(self.find());
            String move = "PUT /api/topics/" + topic + "/partitions/0/replicas";
            assertEquals(200, admin.send("PUT", "/api/topics/" + topic + "/partitions/0/replicas", "{\"replicas\":[" + self.group(1) + "]}")
                    .status());
            String moves = awaitAudit(admin, topic, move, 2).compact();
            assertTrue(hasItem(moves, "principal", "admin", "source", "rest", "action", move, "resourceType", "topic", "resourceName", topic,
                    "result", "NONE"), "the admin's reassignment: " + moves);
            assertTrue(hasItem(moves, "principal", VIEWER, "action", move, "result", "403"), "the viewer's refused one: " + moves);
            assertEquals(204, admin.send("DELETE", "/api/topics/" + topic, null).status());
            Http.Reply trail = awaitAudit(admin, topic, "DELETE /api/topics/" + topic, 2);
            String c = trail.compact();
            assertTrue(hasItem(c, "principal", "admin", "clientAddress", "127.0.0.1", "source", "rest", "action", "DELETE /api/topics/" + topic,
                    "resourceType", "topic", "resourceName", topic, "result", "NONE"), c);
            assertTrue(hasItem(c, "principal", VIEWER, "action", "DELETE /api/topics/" + topic, "result", "403"), "the refused delete: " + c);
            // the REST change went to the broker in-process, as the console user: it is in the trail once, not again as a
            // Kafka request of User:ANONYMOUS (the REST row is written after the broker answered, so a Kafka row would be in by now)
            assertEquals(2, c.split(Pattern.quote("\"action\":\"DELETE /api/topics/" + topic + "\""), -1).length - 1,
                    "the admin's deletion and the viewer's refused one, once each: " + c);
            assertFalse(c.contains("\"source\":\"kafka\""), "no Kafka-side duplicate of a console change: " + c);
            assertFalse(c.contains("User:ANONYMOUS"), c);

            // a role change and a password reset take effect at once
            assertEquals(200, admin.send("PUT", "/api/accounts/" + VIEWER + "/role", "{\"role\":\"admin\"}").status());
            assertEquals(200, viewer.get("/api/accounts").status());
            assertEquals(200, admin.send("PUT", "/api/accounts/" + VIEWER + "/role", "{\"role\":\"viewer\"}").status());
            AdminApiIT.assertProblem(viewer.get("/api/accounts"), 403, null);
            AdminApiIT.assertProblem(admin.send("DELETE", "/api/accounts/" + Http.ADMIN, null), 409, "username");
        }
    }

    @Test
    @Order(3)
    void bearerTokensAuthenticateScripts() throws Exception {
        try (Http admin = new Http(port())) {
            Http.Reply t = admin.send("POST", "/api/tokens", null);
            assertEquals(201, t.status(), t.body());
            Matcher m = Pattern.compile("\"token\":\"([^\"]+)\"").matcher(t.compact());
            assertTrue(m.find(), t.body());
            try (Http bearer = Http.bearer(port(), m.group(1)); Http bogus = Http.bearer(port(), "trb_not-a-token")) {
                assertEquals(200, bearer.get("/api/cluster").status());
                assertEquals(201, bearer.send("POST", "/api/topics", "{\"name\":\"bearer-" + SUFFIX + "\"}").status());
                AdminApiIT.assertProblem(bogus.get("/api/cluster"), 401, null);
            }
        }
    }

    @Test
    @Order(4)
    void theConsoleSessionNeedsItsCsrfTokenForChangesAndHasSafeCookieFlags() throws Exception {
        int port = port();
        HttpClient browser = HttpClient.newBuilder().cookieHandler(new CookieManager()).connectTimeout(Duration.ofSeconds(10)).build();
        String api = "http://127.0.0.1:" + port + "/api/";
        HttpResponse<String> login = browser.send(json(api + "session", "POST", "{\"username\":\"" + Http.ADMIN + "\",\"password\":\""
                + Http.ADMIN_PASSWORD + "\"}", null), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, login.statusCode(), login.body());
        String cookie = login.headers().allValues("Set-Cookie").stream().filter(h -> h.startsWith("TRIBUTARY_SESSION=")).findFirst()
                .orElseThrow(() -> new AssertionError("no session cookie: " + login.headers().map()));
        assertTrue(cookie.contains("HttpOnly") && cookie.toLowerCase().contains("samesite=strict"), cookie); // attribute values are case-insensitive
        assertFalse(cookie.contains("Secure"), "Secure only over TLS (this is plain HTTP): " + cookie);
        Matcher m = Pattern.compile("\"csrfToken\"\\s*:\\s*\"([^\"]+)\"").matcher(login.body());
        assertTrue(m.find(), login.body());
        String csrf = m.group(1);

        assertEquals(200, browser.send(HttpRequest.newBuilder(URI.create(api + "topics")).GET().build(),
                HttpResponse.BodyHandlers.ofString()).statusCode(), "reads need no token");
        HttpResponse<String> forged = browser.send(json(api + "topics", "POST", "{\"name\":\"csrf-" + SUFFIX + "\"}", null),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(403, forged.statusCode(), forged.body());
        assertTrue(forged.body().contains("CSRF"), forged.body());
        HttpResponse<String> wrong = browser.send(json(api + "topics", "POST", "{\"name\":\"csrf-" + SUFFIX + "\"}", "not-it"),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(403, wrong.statusCode(), wrong.body());
        HttpResponse<String> ok = browser.send(json(api + "topics", "POST", "{\"name\":\"csrf-" + SUFFIX + "\"}", csrf),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(201, ok.statusCode(), ok.body());

        assertEquals(204, browser.send(json(api + "session", "DELETE", null, csrf), HttpResponse.BodyHandlers.ofString()).statusCode());
        assertEquals(401, browser.send(HttpRequest.newBuilder(URI.create(api + "topics")).GET().build(),
                HttpResponse.BodyHandlers.ofString()).statusCode(), "logged out");

        // a console session follows its account: a role change applies to the next request
        HttpClient viewerBrowser = HttpClient.newBuilder().cookieHandler(new CookieManager()).build();
        HttpResponse<String> viewerLogin = viewerBrowser.send(json(api + "session", "POST", "{\"username\":\"" + VIEWER
                + "\",\"password\":\"" + VIEWER_PASSWORD + "\"}", null), HttpResponse.BodyHandlers.ofString());
        Matcher vm = Pattern.compile("\"csrfToken\"\\s*:\\s*\"([^\"]+)\"").matcher(viewerLogin.body());
        assertTrue(vm.find(), viewerLogin.body());
        String viewerCsrf = vm.group(1);
        HttpRequest create = json(api + "topics", "POST", "{\"name\":\"promoted-" + SUFFIX + "\"}", viewerCsrf);
        assertEquals(403, viewerBrowser.send(create, HttpResponse.BodyHandlers.ofString()).statusCode());
        try (Http admin = new Http(port)) {
            assertEquals(200, admin.send("PUT", "/api/accounts/" + VIEWER + "/role", "{\"role\":\"admin\"}").status());
            assertEquals(201, viewerBrowser.send(create, HttpResponse.BodyHandlers.ofString()).statusCode(), "promoted at once");
            assertEquals(200, admin.send("PUT", "/api/accounts/" + VIEWER + "/role", "{\"role\":\"viewer\"}").status());
        }
        assertEquals(403, viewerBrowser.send(json(api + "topics/promoted-" + SUFFIX, "DELETE", null, viewerCsrf),
                HttpResponse.BodyHandlers.ofString()).statusCode(), "demoted at once");
    }

    @Test
    @Order(5)
    void aTopicDeletedThroughTheKafkaAdminClientIsInTheTrailWithItsPrincipal() throws Exception {
        String topic = "kafka-deleted-" + SUFFIX;
        try (Http admin = new Http(port())) {
            Properties p = new Properties();
            p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, AdminApiIT.bootstrap(admin));
            try (Admin kafka = Admin.create(p)) {
                kafka.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
                kafka.deleteTopics(List.of(topic)).all().get();
            }
            String c = awaitAudit(admin, topic, "\"action\":\"DeleteTopics\"", 1).compact();
            assertTrue(hasItem(c, "principal", "User:ANONYMOUS", "clientAddress", "127.0.0.1", "source", "kafka", "action", "DeleteTopics",
                    "resourceType", "topic", "resourceName", topic, "result", "NONE"), c);
            // filters: by principal and by time
            String byPrincipal = admin.get("/api/audit?principal=User:ANONYMOUS&resource=" + topic).compact();
            assertTrue(byPrincipal.contains("\"action\":\"CreateTopics\"") && byPrincipal.contains("\"action\":\"DeleteTopics\""), byPrincipal);
            assertTrue(admin.get("/api/audit?principal=nobody-" + SUFFIX).compact().contains("\"total\":0"));
            assertTrue(admin.get("/api/audit?resource=" + topic + "&to=2000-01-01T00:00:00Z").compact().contains("\"total\":0"));
            AdminApiIT.assertProblem(admin.get("/api/audit?from=yesterday"), 400, "from");
        }
    }

    @Test
    @Order(6)
    void inTheConsoleAViewerCannotDeleteATopic() throws Exception {
        String topic = "viewer-sees-" + SUFFIX;
        try (Http admin = new Http(port())) {
            assertEquals(201, admin.send("POST", "/api/topics", "{\"name\":\"" + topic + "\"}").status());
            new ConsoleScenario(port(), AdminApiIT.bootstrap(admin), VIEWER, VIEWER_PASSWORD).runAsViewer(topic);
            assertEquals(200, admin.get("/api/topics/" + topic).status());
        }
    }

    @Test
    @Order(7)
    void aPasswordResetOrDeletionEndsTheAccountsSessionsAndTokensAtOnce() throws Exception {
        int port = port();
        String user = "leaver-" + SUFFIX;
        String first = "leaver-password-1-" + SUFFIX;
        String second = "leaver-password-2-" + SUFFIX;
        String api = "http://127.0.0.1:" + port + "/api/";
        try (Http admin = new Http(port)) {
            assertEquals(201, admin.send("POST", "/api/accounts", "{\"username\":\"" + user + "\",\"role\":\"viewer\",\"password\":\""
                    + first + "\"}").status());
            HttpClient browser = loggedIn(api, user, first);
            String token = token(port, user, first);
            try (Http bearer = Http.bearer(port, token); Http oldBasic = Http.as(port, user, first)) {
                assertEquals(200, session(browser, api), "logged in");
                assertEquals(200, bearer.get("/api/cluster").status());
                assertEquals(200, oldBasic.get("/api/cluster").status());

                assertEquals(204, admin.send("PUT", "/api/accounts/" + user + "/password", "{\"password\":\"" + second + "\"}").status());
                assertEquals(401, session(browser, api), "the console session ended with the reset");
                HttpResponse<String> page = browser.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + "/console/index.html")).GET().build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(302, page.statusCode(), "the console sends the old session to the login page");
                assertTrue(page.headers().firstValue("Location").orElse("").endsWith("/console/login.html"), page.headers().map().toString());
                AdminApiIT.assertProblem(bearer.get("/api/cluster"), 401, null);
                AdminApiIT.assertProblem(oldBasic.get("/api/cluster"), 401, null);
            }
            try (Http newBasic = Http.as(port, user, second)) {
                assertEquals(200, newBasic.get("/api/cluster").status(), "the new password works");
            }

            HttpClient again = loggedIn(api, user, second);
            String token2 = token(port, user, second);
            assertEquals(204, admin.send("DELETE", "/api/accounts/" + user, null).status());
            assertEquals(401, session(again, api), "the console session ended with the account");
            try (Http bearer = Http.bearer(port, token2)) {
                AdminApiIT.assertProblem(bearer.get("/api/cluster"), 401, null);
            }
        }
    }

    @Test
    @Order(8)
    void aFailedLoginIsAnsweredAfterTheDelayAndARightOneIsNot() throws Exception {
        long delayMs = Long.getLong("tributary.it.login.delay.ms", 1500);
        int port = port();
        String api = "http://127.0.0.1:" + port + "/api/";
        try (Http right = new Http(port); Http wrong = Http.as(port, Http.ADMIN, "not-the-password-" + SUFFIX);
                Http bogus = Http.bearer(port, "trb_not-a-token-" + SUFFIX)) {
            assertEquals(200, right.get("/api/cluster").status()); // the hash is paid once; the login is remembered after
            long t = System.nanoTime();
            Http.Reply r = wrong.get("/api/cluster");
            long wrongMs = (System.nanoTime() - t) / 1_000_000;
            AdminApiIT.assertProblem(r, 401, null);
            assertTrue(r.body().contains("wrong user name or password") && r.challenge().startsWith("Basic"), r.body() + " " + r.challenge());
            assertTrue(wrongMs >= delayMs, "a wrong password waits at least " + delayMs + " ms, took " + wrongMs);

            t = System.nanoTime();
            AdminApiIT.assertProblem(bogus.get("/api/topics"), 401, null);
            long bogusMs = (System.nanoTime() - t) / 1_000_000;
            assertTrue(bogusMs >= delayMs, "an unknown bearer token waits at least " + delayMs + " ms, took " + bogusMs);

            HttpClient browser = HttpClient.newBuilder().cookieHandler(new CookieManager()).build();
            t = System.nanoTime();
            HttpResponse<String> form = browser.send(json(api + "session", "POST", "{\"username\":\"" + Http.ADMIN
                    + "\",\"password\":\"not-the-password\"}", null), HttpResponse.BodyHandlers.ofString());
            long formMs = (System.nanoTime() - t) / 1_000_000;
            assertEquals(401, form.statusCode(), form.body());
            assertTrue(form.body().contains("wrong user name or password"), form.body());
            assertTrue(formMs >= delayMs, "a wrong console login waits at least " + delayMs + " ms, took " + formMs);

            t = System.nanoTime();
            assertEquals(200, right.get("/api/cluster").status());
            long rightMs = (System.nanoTime() - t) / 1_000_000;
            t = System.nanoTime();
            HttpResponse<String> ok = browser.send(json(api + "session", "POST", "{\"username\":\"" + Http.ADMIN + "\",\"password\":\""
                    + Http.ADMIN_PASSWORD + "\"}", null), HttpResponse.BodyHandlers.ofString());
            long okMs = (System.nanoTime() - t) / 1_000_000;
            assertEquals(200, ok.statusCode(), ok.body());
            assertTrue(rightMs < delayMs && okMs < delayMs, "right logins are not delayed: Basic " + rightMs + " ms, console " + okMs + " ms");
            System.out.println("failed-login delay " + delayMs + " ms: wrong Basic " + wrongMs + " ms, unknown token " + bogusMs
                    + " ms, wrong console login " + formMs + " ms; right Basic " + rightMs + " ms, right console login " + okMs + " ms");
        }
    }

    @Test
    @Order(9)
    void openTransactionsAreListedWithTheirPartitionsAndAGrowingAgeUntilCommitted() throws Exception {
        String topic = "txn-topic-" + SUFFIX;
        String other = "txn-other-" + SUFFIX;
        String id = "txn-" + SUFFIX;
        try (Http admin = new Http(port()); Http viewer = Http.as(port(), VIEWER, VIEWER_PASSWORD)) {
            assertEquals(201, admin.send("POST", "/api/topics", "{\"name\":\"" + topic + "\",\"partitions\":2}").status());
            assertEquals(201, admin.send("POST", "/api/topics", "{\"name\":\"" + other + "\"}").status());
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, AdminApiIT.bootstrap(admin));
            p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, id);
            p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 60_000);
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
                producer.initTransactions();
                producer.beginTransaction();
                producer.send(new ProducerRecord<>(topic, 0, "k", "in a transaction"));
                producer.send(new ProducerRecord<>(topic, 1, "k", "in a transaction"));
                producer.flush();

                Http.Reply r = AdminApiIT.await(viewer, "/api/transactions", 30, x -> x.status() == 200 && x.body().contains(id));
                String c = r.compact();
                assertTrue(c.contains("\"transactionalId\":\"" + id + "\"") && c.contains("\"state\":\"Ongoing\"")
                        && c.contains("\"timeoutMs\":60000") && c.contains("\"" + topic + "\":[0,1]") && c.contains("\"startTime\":\""), c);
                long age = ageMs(c);
                Http.Reply later = AdminApiIT.await(viewer, "/api/transactions?topic=" + topic, 30, x -> x.status() == 200
                        && x.body().contains(id) && ageMs(x.compact()) > age);
                assertTrue(ageMs(later.compact()) > age, "the age grows: " + age + " then " + later.body());
                Http.Reply none = viewer.get("/api/transactions?topic=" + other);
                assertEquals(200, none.status());
                assertFalse(none.body().contains(id), "not a transaction of " + other + ": " + none.body());
                AdminApiIT.assertProblem(viewer.get("/api/transactions?topic=no-such-" + SUFFIX), 404, "topic");
                AdminApiIT.assertProblem(viewer.get("/api/transactions?topic=bad*name"), 400, "topic");

                new ConsoleScenario(port(), AdminApiIT.bootstrap(admin), VIEWER, VIEWER_PASSWORD).seeOpenTransaction(id, topic);
                producer.commitTransaction();
            }
            Http.Reply after = AdminApiIT.await(viewer, "/api/transactions", 30, x -> x.status() == 200 && !x.body().contains(id));
            assertFalse(after.body().contains(id), "committed: no longer open: " + after.body());
        }
    }

    private static long ageMs(String compact) {
        Matcher m = Pattern.compile("\"ageMs\":(\\d+)").matcher(compact);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    private static HttpClient loggedIn(String api, String user, String password) throws Exception {
        HttpClient browser = HttpClient.newBuilder().cookieHandler(new CookieManager()).build();
        HttpResponse<String> login = browser.send(json(api + "session", "POST", "{\"username\":\"" + user + "\",\"password\":\""
                + password + "\"}", null), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, login.statusCode(), login.body());
        return browser;
    }

    private static int session(HttpClient browser, String api) throws Exception {
        return browser.send(HttpRequest.newBuilder(URI.create(api + "session")).GET().build(), HttpResponse.BodyHandlers.ofString())
                .statusCode();
    }

    private static String token(int port, String user, String password) {
        try (Http h = Http.as(port, user, password)) {
            Http.Reply t = h.send("POST", "/api/tokens", null);
            assertEquals(201, t.status(), t.body());
            Matcher m = Pattern.compile("\"token\":\"([^\"]+)\"").matcher(t.compact());
            assertTrue(m.find(), t.body());
            return m.group(1);
        }
    }

    /** True when one flat JSON object in {@code json} has every given field with the given string value (JSON-B sorts fields). */
    static boolean hasItem(String json, String... fieldsAndValues) {
        Matcher objects = Pattern.compile("\\{[^{}]*\\}").matcher(json);
        while (objects.find()) {
            String o = objects.group();
            boolean all = true;
            for (int i = 0; i < fieldsAndValues.length && all; i += 2) {
                all = o.contains("\"" + fieldsAndValues[i] + "\":\"" + fieldsAndValues[i + 1] + "\"");
            }
            if (all) {
                return true;
            }
        }
        return false;
    }

    private static HttpRequest json(String url, String method, String body, String csrf) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (csrf != null) {
            b.header("X-CSRF-Token", csrf);
        }
        return b.build();
    }

    /** Polls /api/audit for the resource until {@code wanted} shows up at least {@code times} times (the trail is written asynchronously). */
    private static Http.Reply awaitAudit(Http h, String resource, String wanted, int times) throws Exception {
        Http.Reply r = AdminApiIT.await(h, "/api/audit?resource=" + resource, 30,
                x -> x.status() == 200 && x.compact().split(Pattern.quote(wanted), -1).length - 1 >= times);
        assertNotNull(r);
        assertTrue(r.compact().split(Pattern.quote(wanted), -1).length - 1 >= times, "no " + wanted + " in " + r.body());
        return r;
    }
}
