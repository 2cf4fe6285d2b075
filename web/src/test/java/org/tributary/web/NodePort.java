package org.tributary.web;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Properties;

/**
 * The HTTP port of the node under test. The container reports the port it asked for; when that
 * port was taken on a busy machine, Payara Micro binds the next free one instead (auto-bind), so
 * the reported port may be wrong. The node is recognised by the cluster id in its data directory
 * ({@code target/arquillian-data/meta.properties}), never by guesswork.
 */
final class NodePort {
    private static volatile int found = -1;

    private NodePort() {
    }

    static synchronized int of(URL reported) throws Exception {
        String clusterId = clusterId();
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        // each test class starts its own node: a port found for an earlier one is checked again
        if (found > 0 && isOurs(client, found, clusterId)) {
            return found;
        }
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            for (int port = reported.getPort(); port <= reported.getPort() + 20; port++) {
                if (isOurs(client, port, clusterId)) {
                    found = port;
                    return port;
                }
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("no node of cluster " + clusterId + " answers on 127.0.0.1 ports "
                + reported.getPort() + ".." + (reported.getPort() + 20));
    }

    private static boolean isOurs(HttpClient client, int port, String clusterId) throws InterruptedException {
        try {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/cluster"))
                    .header("Authorization", Http.basic(Http.ADMIN, Http.ADMIN_PASSWORD)).timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 && r.body().replace(" ", "").contains("\"clusterId\":\"" + clusterId + "\"");
        } catch (IOException e) {
            return false;
        }
    }

    private static String clusterId() throws IOException {
        Path meta = Paths.get("target", "arquillian-data", "meta.properties");
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(meta)) {
            p.load(in);
        }
        return p.getProperty("cluster.id");
    }
}
