package org.tributary.web;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A small HTTP client for tests: JSON in, status and body out. */
final class Http {
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final String base;

    Http(int port) {
        this.base = "http://127.0.0.1:" + port;
    }

    record Reply(int status, String body, String contentType) {
        /** The body with whitespace between JSON tokens removed, for simple contains checks. */
        String compact() {
            return body.replaceAll("\":\\s+", "\":").replaceAll(",\\s+\"", ",\"");
        }
    }

    Reply send(String method, String path, String json) throws Exception {
        // /metrics speaks Prometheus text only (MicroProfile Metrics 5); everything else JSON
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
                .header("Accept", path.startsWith("/metrics") ? "text/plain" : "application/json");
        if (json != null) {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), r.body(), r.headers().firstValue("Content-Type").orElse(""));
    }

    Reply get(String path) throws Exception {
        return send("GET", path, null);
    }
}
