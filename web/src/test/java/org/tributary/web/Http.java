package org.tributary.web;

import jakarta.ws.rs.client.Client;
import jakarta.ws.rs.client.ClientBuilder;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.client.Invocation;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

/**
 * The tests' HTTP client: the JAX-RS client API (Jersey), JSON in, status and body out. Bodies
 * are read as text so every test sees exactly what a user would, including problem bodies.
 * Requests authenticate with HTTP Basic as the node's configured admin unless made
 * {@link #as another user} or {@link #anonymous}.
 */
final class Http implements AutoCloseable {
    /** The first admin the ITs configure ({@code tributary.admin.password}, see the POM). */
    static final String ADMIN = "admin";
    static final String ADMIN_PASSWORD = System.getProperty("tributary.it.admin.password", "it-admin-password-1");

    private final Client client = ClientBuilder.newBuilder()
            .connectTimeout(10, TimeUnit.SECONDS)
            .readTimeout(60, TimeUnit.SECONDS)
            .build();
    private final String base;
    private final String authorization;

    Http(int port) {
        this(port, basic(ADMIN, ADMIN_PASSWORD));
    }

    private Http(int port, String authorization) {
        this.base = "http://127.0.0.1:" + port;
        this.authorization = authorization;
    }

    static Http as(int port, String user, String password) {
        return new Http(port, basic(user, password));
    }

    static Http bearer(int port, String token) {
        return new Http(port, "Bearer " + token);
    }

    static Http anonymous(int port) {
        return new Http(port, null);
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    record Reply(int status, String body, String contentType, String challenge) {
        /** The body with whitespace between JSON tokens removed, for simple contains checks. */
        String compact() {
            return body.replaceAll("\":\\s+", "\":").replaceAll(",\\s+\"", ",\"");
        }
    }

    Reply send(String method, String path, String json) {
        // /metrics speaks Prometheus text only (MicroProfile Metrics 5); everything else JSON
        Invocation.Builder b = client.target(base + path).request(path.startsWith("/metrics") ? MediaType.TEXT_PLAIN
                : MediaType.APPLICATION_JSON);
        if (authorization != null) {
            b = b.header("Authorization", authorization);
        }
        try (Response r = json != null ? b.method(method, Entity.entity(json, MediaType.APPLICATION_JSON_TYPE)) : b.method(method)) {
            String body = r.hasEntity() ? r.readEntity(String.class) : "";
            String type = r.getMediaType() == null ? "" : r.getHeaderString("Content-Type");
            return new Reply(r.getStatus(), body, type, r.getHeaderString("WWW-Authenticate"));
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
