package org.tributary.jca.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.exporter.ExplodedExporter;
import org.jboss.shrinkwrap.api.exporter.ZipExporter;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.extension.Extension;
import org.tributary.jca.it.setup.ScramSetup;
import org.tributary.jca.it.stream.Forwarder;

/**
 * Chooses a free loopback port for the broker inside the Payara Micro process and, before
 * Arquillian starts the container, puts it (with a fresh data directory) into the JVM options
 * {@code arquillian.xml} reads. It also writes the exploded application that the redeployment
 * test reloads ({@code --deploy} of a directory, see {@code arquillian.xml}). A second listener,
 * {@code SASL_SSL} with SCRAM-SHA-512, gets a key store made for the run ({@link TestStores}); the
 * application that creates its SCRAM credential is written for the post-boot commands. Registered as a static extension field, so it runs while JUnit
 * prepares the class, ahead of the Arquillian extension's start-up.
 */
public final class BrokerPort implements Extension {
    private final int port;
    private final int saslPort;
    private final TestStores stores;

    public BrokerPort() {
        port = freePort();
        int p2 = freePort();
        while (p2 == port) {
            p2 = freePort();
        }
        saslPort = p2;
        Path data = Path.of(System.getProperty("arquillian.data"));
        deleteTree(data);
        // Payara appends to its log file (--logtofile F writes F.0): start each run from an empty one
        String log = System.getProperty("arquillian.serverlog");
        deleteTree(Path.of(log + ".0"));
        deleteTree(Path.of(log));
        Path app = Path.of(System.getProperty("arquillian.streamapp"));
        deleteTree(app);
        ShrinkWrap.create(WebArchive.class, "redeploy-app.war").addPackage(Forwarder.class.getPackage())
                .as(ExplodedExporter.class).exportExploded(app.getParent().toFile(), app.getFileName().toString());
        // the SCRAM credential is created by this application, deployed by the post-boot commands
        // between the broker and the test application (see ScramSetup)
        Path setup = app.getParent().resolve("sasl-setup.war");
        deleteTree(setup);
        ShrinkWrap.create(WebArchive.class, "sasl-setup.war").addPackage(ScramSetup.class.getPackage())
                .as(ZipExporter.class).exportTo(setup.toFile(), true);
        stores = new TestStores(app.getParent().resolve("sasl-stores"));
        // PLAINTEXT stays the inter-broker listener (security.inter.broker.protocol's default)
        System.setProperty("arquillian.jvm", System.getProperty("arquillian.jvm.base")
                + " -Dlisteners=PLAINTEXT://127.0.0.1:" + port + ",SASL_SSL://127.0.0.1:" + saslPort
                + " -Dsasl.enabled.mechanisms=SCRAM-SHA-512"
                + " -Dssl.keystore.type=PKCS12 -Dssl.keystore.location=" + stores.keyStore
                + " -Dssl.keystore.password=" + TestStores.PASSWORD
                // no tributary.bootstrap.servers: the adapter finds this broker through the data grid
                + " -Dtributary.it.bootstrap=" + bootstrap()
                // read by the SASL MDBs' and factory's ${...} activation and factory properties
                + " -Dtributary.it.sasl.bootstrap=" + saslBootstrap()
                + " -Dtributary.it.truststore=" + stores.trustStore
                + " -Dlog.dirs=" + data);
    }

    public String bootstrap() {
        return "127.0.0.1:" + port;
    }

    /** The SASL_SSL listener (SCRAM-SHA-512). */
    public String saslBootstrap() {
        return "127.0.0.1:" + saslPort;
    }

    /** The trust store (PKCS12, password {@link TestStores#PASSWORD}) holding the broker's certificate. */
    public Path trustStore() {
        return stores.trustStore;
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteTree(Path p) {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
