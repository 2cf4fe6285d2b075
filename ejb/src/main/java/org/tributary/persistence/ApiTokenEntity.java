package org.tributary.persistence;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A bearer token for the REST API, stored as its SHA-256 (the token itself is shown once, at issue). */
@Entity
@Table(name = "TRIB_API_TOKEN")
public class ApiTokenEntity {
    @Id
    @Column(name = "TOKEN_SHA256", length = 64)
    private String tokenSha256;

    @Column(name = "USERNAME", length = 64, nullable = false)
    private String username;

    @Column(name = "EXPIRES_MS", nullable = false)
    private long expiresMs;

    protected ApiTokenEntity() {
    }

    ApiTokenEntity(String tokenSha256, String username, long expiresMs) {
        this.tokenSha256 = tokenSha256;
        this.username = username;
        this.expiresMs = expiresMs;
    }

    String username() {
        return username;
    }

    long expiresMs() {
        return expiresMs;
    }
}
