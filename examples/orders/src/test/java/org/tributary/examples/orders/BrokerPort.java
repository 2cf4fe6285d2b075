package org.tributary.examples.orders;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.Extension;

/**
 * Chooses a free loopback port for the broker that runs beside the example in the same Payara
 * Micro process and, before Arquillian starts the container, puts it (with a fresh data directory)
 * into the JVM options {@code arquillian.xml} reads; the adapter's default cluster
 * ({@code tributary.bootstrap.servers}) is that broker. Registered as a static extension field, so
 * it runs while JUnit prepares the class, ahead of the Arquillian extension's start-up.
 *
 * <p>It also finds the HTTP port the process really listens on: the container reports the port it
 * asked for, but when that one was taken again in the meantime Payara Micro binds the next free one.
 * The process is recognised by the cluster id in its broker's data directory.
 */
public final class BrokerPort implements Extension {
    private final int port;
    private final Path data;

    /** The broker's first admin (there is no default password); the admin API needs it. */
    static final String ADMIN_PASSWORD = "orders-admin-password";

    public BrokerPort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        data = Path.of(System.getProperty("arquillian.data"));
        deleteTree(data);
        System.setProperty("arquillian.jvm", System.getProperty("arquillian.jvm.base")
                + " -Dlisteners=PLAINTEXT://127.0.0.1:" + port + " -Dtributary.bootstrap.servers=" + bootstrap()
                + " -Dlog.dirs=" + data + " -Dtributary.admin.password=" + ADMIN_PASSWORD);
    }

    public String bootstrap() {
        return "127.0.0.1:" + port;
    }

    /** The loopback HTTP port of the process under test, near the port the container reported. */
    public int httpPort(URL reported) throws Exception {
        Properties meta = new Properties();
        try (InputStream in = Files.newInputStream(data.resolve("meta.properties"))) {
            meta.load(in);
        }
        String clusterId = meta.getProperty("cluster.id");
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            for (int p = reported.getPort(); p <= reported.getPort() + 20; p++) {
                try {
                    HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + p + "/api/cluster"))
                            .header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString(
                                    ("admin:" + ADMIN_PASSWORD).getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                            .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() == 200 && r.body().replace(" ", "").contains("\"clusterId\":\"" + clusterId + "\"")) {
                        return p;
                    }
                } catch (IOException notThisOne) {
                    // nothing, or another program, on that port
                }
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("no process with broker cluster " + clusterId + " answers on 127.0.0.1 ports "
                + reported.getPort() + ".." + (reported.getPort() + 20));
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
