package org.tributary.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.URL;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.tributary.testkit.LocalPostgres;

/**
 * The node's accounts and audit trail on a real PostgreSQL server (configured with
 * {@code tributary.db.url}): a topic deleted through REST is in the trail with the user, one
 * deleted through the Kafka Admin client with its principal, and both rows are in PostgreSQL's
 * table, read back over JDBC. Runs in its own failsafe execution (its own JVM and container).
 */
@ExtendWith(ArquillianExtension.class)
class PostgresAccessIT {
    @RegisterExtension
    static final PostgresForNode PG = new PostgresForNode();
    private static final String SUFFIX = Long.toString(System.nanoTime() % 1_000_000, 36);

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static WebArchive tributary() {
        return ShrinkWrap.createFromZipFile(WebArchive.class, new File(System.getProperty("tributary.war")));
    }

    @Test
    void deletionsThroughRestAndTheKafkaProtocolAreInPostgres() throws Exception {
        Assumptions.assumeTrue(PG.available(), "PostgreSQL is not installed (Debian package 'postgresql')");
        String viaRest = "pg-rest-" + SUFFIX;
        String viaKafka = "pg-kafka-" + SUFFIX;
        try (Http admin = new Http(NodePort.of(base))) {
            assertEquals(201, admin.send("POST", "/api/topics", "{\"name\":\"" + viaRest + "\"}").status());
            assertEquals(204, admin.send("DELETE", "/api/topics/" + viaRest, null).status());
            Properties p = new Properties();
            p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, AdminApiIT.bootstrap(admin));
            try (Admin kafka = Admin.create(p)) {
                kafka.createTopics(List.of(new NewTopic(viaKafka, 1, (short) 1))).all().get();
                kafka.deleteTopics(List.of(viaKafka)).all().get();
            }
            Http.Reply rest = AdminApiIT.await(admin, "/api/audit?resource=" + viaRest, 30,
                    r -> AccessIT.hasItem(r.compact(), "action", "DELETE /api/topics/" + viaRest));
            assertTrue(AccessIT.hasItem(rest.compact(), "principal", "admin", "source", "rest", "action", "DELETE /api/topics/" + viaRest,
                    "result", "NONE"), rest.body());
            assertFalse(rest.compact().contains("\"source\":\"kafka\""), "a REST change is in the trail once, as its user: " + rest.body());
            Http.Reply kafka = AdminApiIT.await(admin, "/api/audit?resource=" + viaKafka, 30,
                    r -> AccessIT.hasItem(r.compact(), "action", "DeleteTopics"));
            assertTrue(AccessIT.hasItem(kafka.compact(), "principal", "User:ANONYMOUS", "source", "kafka", "action", "DeleteTopics",
                    "resourceName", viaKafka, "result", "NONE"), kafka.body());
        }
        try (Connection c = DriverManager.getConnection(PG.jdbcUrl(), LocalPostgres.USER, LocalPostgres.PASSWORD)) {
            assertEquals(List.of("admin DELETE /api/topics/" + viaRest), rows(c, viaRest, "DELETE%"));
            assertEquals(List.of("User:ANONYMOUS DeleteTopics"), rows(c, viaKafka, "DeleteTopics"));
            try (ResultSet r = c.createStatement().executeQuery("SELECT role FROM trib_account WHERE username = 'admin'")) {
                assertTrue(r.next() && r.getString(1).equals("admin"), "the configured admin is in PostgreSQL");
            }
        }
    }

    private static List<String> rows(Connection c, String resource, String action) throws Exception {
        try (PreparedStatement s = c.prepareStatement("SELECT principal, action FROM trib_audit WHERE resource_name = ? AND action LIKE ?")) {
            s.setString(1, resource);
            s.setString(2, action);
            List<String> out = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    out.add(r.getString(1) + " " + r.getString(2));
                }
            }
            return out;
        }
    }
}
