package org.tributary.examples.orders;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.net.URI;
import java.net.URL;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The example as the README runs it: Payara Micro with the Tributary RAR and a broker (both from
 * the post-boot file), then the built {@code orders.war} as it is. Orders placed over REST go
 * through the application's connection factory to the broker and come back through both MDBs.
 */
@ExtendWith(ArquillianExtension.class)
class OrdersOnPayaraIT {
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final Pattern ORDER = Pattern.compile("\\{[^{}]*\\}");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @RegisterExtension
    static final BrokerPort BROKER = new BrokerPort();

    @ArquillianResource
    private URL base;
    private URI api;

    @Deployment(testable = false)
    static WebArchive orders() {
        return ShrinkWrap.createFromZipFile(WebArchive.class, new File(System.getProperty("orders.war")));
    }

    @Test
    void ordersReachTheLedgerAndLargeOnesTheAudit() throws Exception {
        assertTrue(place("alice", "25").startsWith("order stored at orders-"), "alice's order was not acknowledged");
        assertTrue(place("bob", "250").startsWith("order stored at orders-"), "bob's order was not acknowledged");

        List<String> expected = List.of("alice 25 ledger", "bob 250 audit", "bob 250 ledger");
        long deadline = System.nanoTime() + WAIT.toNanos();
        List<String> stored;
        while (true) {
            stored = stored();
            if (stored.containsAll(expected)) {
                break;
            }
            if (System.nanoTime() > deadline) {
                fail("within " + WAIT.toSeconds() + " s the consumers stored only " + stored + "; expected " + expected);
            }
            Thread.sleep(200);
        }
        // each order once per consumer; alice's (amount 25) does not pass the audit's selector "amount > 100"
        assertEquals(expected, stored.stream().sorted().toList(), "what the consumers stored");
    }

    /**
     * The shop stores an order (JPA, an XA H2 data source) and publishes it through a
     * {@code LocalTransaction} Tributary factory in one JTA transaction: a commit makes both
     * visible, a rollback leaves neither (the record was written, and aborted).
     */
    @Test
    void aJtaTransactionStoresAndPublishesTogetherOrNeither() throws Exception {
        assertEquals(200, placeInTransaction("alice", "10", false).statusCode());
        HttpResponse<String> failed = placeInTransaction("bob", "20", true);
        assertEquals(409, failed.statusCode(), failed::body);
        assertEquals(200, placeInTransaction("carol", "30", false).statusCode());

        HttpResponse<String> rows = HTTP.send(HttpRequest.newBuilder(URI.create(api().toString().replace("/orders/api/orders", "/orders/api/placed")))
                .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, rows.statusCode(), rows::body);
        List<String> customers = new ArrayList<>();
        Matcher m = ORDER.matcher(rows.body());
        while (m.find()) {
            customers.add(field(m.group(), "customer"));
        }
        assertEquals(List.of("alice", "carol"), customers, "rows in the shop's database");

        // read_uncommitted shows bob's record was sent; read_committed (and so every transactional reader) never sees it
        assertEquals(List.of("alice", "bob", "carol"), keys("read_uncommitted", 3));
        assertEquals(List.of("alice", "carol"), keys("read_committed", 2));
    }

    private HttpResponse<String> placeInTransaction(String customer, String amount, boolean fail) throws Exception {
        URI uri = URI.create(api().toString().replace("/orders/api/orders", "/orders/api/placed"));
        String form = "customer=" + customer + "&amount=" + amount + "&fail=" + fail;
        return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The keys of topic placed-orders, until {@code n} have arrived (WAIT at most). */
    private static List<String> keys(String isolation, int n) {
        java.util.Properties p = new java.util.Properties();
        p.put("bootstrap.servers", BROKER.bootstrap());
        p.put("isolation.level", isolation);
        p.put("enable.auto.commit", "false");
        List<String> out = new ArrayList<>();
        try (org.apache.kafka.clients.consumer.KafkaConsumer<String, String> c = new org.apache.kafka.clients.consumer.KafkaConsumer<>(p,
                new org.apache.kafka.common.serialization.StringDeserializer(), new org.apache.kafka.common.serialization.StringDeserializer())) {
            List<org.apache.kafka.common.TopicPartition> parts = c.partitionsFor("placed-orders").stream()
                    .map(i -> new org.apache.kafka.common.TopicPartition(i.topic(), i.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (out.size() < n && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(r -> out.add(r.key()));
            }
        }
        return out.stream().sorted().toList();
    }

    private String place(String customer, String amount) throws Exception {
        String form = "customer=" + URLEncoder.encode(customer, StandardCharsets.UTF_8) + "&amount=" + amount;
        URI uri = api();
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), () -> "POST " + uri + " " + form + ": " + r.body());
        return r.body();
    }

    /** GET /api/orders as "customer amount consumer" lines. */
    private List<String> stored() throws Exception {
        URI uri = api();
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), () -> "GET " + uri + ": " + r.body());
        List<String> out = new ArrayList<>();
        Matcher m = ORDER.matcher(r.body());
        while (m.find()) {
            String o = m.group();
            out.add(field(o, "customer") + " " + field(o, "amount") + " " + field(o, "consumer"));
        }
        return out;
    }

    private static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*\"?([^\",}]*)\"?").matcher(json);
        return m.find() ? m.group(1) : "?";
    }

    /**
     * The application's REST resource on loopback, where the pre-boot file binds HTTP; under
     * {@code /orders}, the context root of {@code orders.war} (the container's URL names the first
     * application, the broker at {@code /}).
     */
    private URI api() throws Exception {
        if (api == null) {
            api = URI.create("http://127.0.0.1:" + BROKER.httpPort(base) + "/orders/api/orders");
        }
        return api;
    }
}
