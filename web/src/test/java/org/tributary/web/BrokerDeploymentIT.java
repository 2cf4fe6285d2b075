package org.tributary.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.URL;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The real WAR (with the EJB module inside) on Payara Micro, after the real RAR. */
@ExtendWith(ArquillianExtension.class)
class BrokerDeploymentIT {

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static WebArchive tributary() {
        return ShrinkWrap.createFromZipFile(WebArchive.class, new File(System.getProperty("tributary.war")));
    }

    private String get(String path) throws Exception {
        // the container reports the machine address and the port it asked for; the node serves HTTP
        // on loopback, at the port it really bound (see NodePort)
        try (Http http = new Http(NodePort.of(base))) {
            Http.Reply r = http.get(path);
            assertEquals(200, r.status(), path + " answered " + r.status() + ": " + r.body());
            return r.body();
        }
    }

    @Test
    void theBrokerIsReadyAndListsItselfInTheCluster() throws Exception {
        String health = get("/health/ready").replace(" ", "");
        assertTrue(health.contains("\"name\":\"tributary-broker\",\"status\":\"UP\""), health);
        String cluster = get("/api/cluster");
        Matcher self = Pattern.compile("\"localBrokerId\":(\\d+)").matcher(cluster);
        assertTrue(self.find(), cluster);
        int id = Integer.parseInt(self.group(1));
        assertTrue(health.contains("\"brokerId\":\"" + id + "\""), "health and /api/cluster agree on the id: " + health);
        assertTrue(cluster.contains("\"id\":" + id) && cluster.contains("\"alive\":true") && cluster.contains("\"liveBrokers\":1"), cluster);
        assertTrue(cluster.matches(".*\"clusterId\":\"[A-Za-z0-9_-]{22}\".*"), cluster);
    }
}
