package org.tributary.web;

import jakarta.ws.rs.client.Client;
import jakarta.ws.rs.client.ClientBuilder;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.client.Invocation;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.concurrent.TimeUnit;

/**
 * The tests' HTTP client: the JAX-RS client API (Jersey), JSON in, status and body out. Bodies
 * are read as text so every test sees exactly what a user would, including problem bodies.
 */
final class Http implements AutoCloseable {
    private final Client client = ClientBuilder.newBuilder()
            .connectTimeout(10, TimeUnit.SECONDS)
            .readTimeout(60, TimeUnit.SECONDS)
            .build();
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

    Reply send(String method, String path, String json) {
        // /metrics speaks Prometheus text only (MicroProfile Metrics 5); everything else JSON
        Invocation.Builder b = client.target(base + path).request(path.startsWith("/metrics") ? MediaType.TEXT_PLAIN
                : MediaType.APPLICATION_JSON);
        try (Response r = json != null ? b.method(method, Entity.entity(json, MediaType.APPLICATION_JSON_TYPE)) : b.method(method)) {
            String body = r.hasEntity() ? r.readEntity(String.class) : "";
            String type = r.getMediaType() == null ? "" : r.getHeaderString("Content-Type");
            return new Reply(r.getStatus(), body, type);
        }
    }

    Reply get(String path) {
        return send("GET", path, null);
    }

    @Override
    public void close() {
        client.close();
    }
}
