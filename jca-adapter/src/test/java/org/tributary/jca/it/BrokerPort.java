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
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.extension.Extension;
import org.tributary.jca.it.stream.Forwarder;

/**
 * Chooses a free loopback port for the broker inside the Payara Micro process and, before
 * Arquillian starts the container, puts it (with a fresh data directory) into the JVM options
 * {@code arquillian.xml} reads. It also writes the exploded application that the redeployment
 * test reloads ({@code --deploy} of a directory, see {@code arquillian.xml}). Registered as a static extension field, so it runs while JUnit
 * prepares the class, ahead of the Arquillian extension's start-up.
 */
public final class BrokerPort implements Extension {
    private final int port;

    public BrokerPort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
        System.setProperty("arquillian.jvm", System.getProperty("arquillian.jvm.base")
                + " -Dlisteners=PLAINTEXT://127.0.0.1:" + port + " -Dtributary.bootstrap.servers=" + bootstrap()
                + " -Dlog.dirs=" + data);
    }

    public String bootstrap() {
        return "127.0.0.1:" + port;
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
