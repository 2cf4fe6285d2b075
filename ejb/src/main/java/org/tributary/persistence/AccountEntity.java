package org.tributary.persistence;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A console/REST account: a user name, a role and a password hash (never the password). */
@Entity
@Table(name = "TRIB_ACCOUNT")
public class AccountEntity {
    @Id
    @Column(name = "USERNAME", length = 64)
    private String username;

    @Column(name = "ROLE", length = 16, nullable = false)
    private String role;

    @Column(name = "PASSWORD_HASH", length = 256, nullable = false)
    private String passwordHash;

    @Column(name = "CREATED_MS", nullable = false)
    private long createdMs;

    @Column(name = "UPDATED_MS", nullable = false)
    private long updatedMs;

    protected AccountEntity() {
    }

    AccountEntity(String username, String role, String passwordHash, long now) {
        this.username = username;
        this.role = role;
        this.passwordHash = passwordHash;
        this.createdMs = now;
        this.updatedMs = now;
    }

    String username() {
        return username;
    }

    String role() {
        return role;
    }

    String passwordHash() {
        return passwordHash;
    }

    long createdMs() {
        return createdMs;
    }

    long updatedMs() {
        return updatedMs;
    }

    boolean isAdminRole() {
        return Account.ADMIN.equals(role);
    }

    void role(String r, long now) {
        role = r;
        updatedMs = now;
    }

    void passwordHash(String h, long now) {
        passwordHash = h;
        updatedMs = now;
    }
}
