package org.tributary.jca.it.setup;

import jakarta.annotation.PostConstruct;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;

/**
 * Deployed by the post-boot commands right after the broker and before the test application:
 * creates the SCRAM-SHA-512 credential the SASL MDB and factory log in with, through Kafka's own
 * Admin API over the PLAINTEXT listener, so it exists before any SASL client connects (the test
 * JVM gets no turn between the broker's start and the MDBs' activation: both happen in the one
 * container start). A failure fails the deployment, which the test then reports.
 */
@Singleton
@Startup
public class ScramSetup {
    public static final String USER = "mdb-user";
    public static final String PASSWORD = "mdb-secret-1";

    @PostConstruct
    void createCredential() {
        Properties p = new Properties();
        p.put("bootstrap.servers", System.getProperty("tributary.it.bootstrap"));
        try (Admin admin = Admin.create(p)) {
            admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(USER,
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), PASSWORD))).all().get(120, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("could not create the SCRAM credential of " + USER + ": " + e, e);
        }
    }
}
