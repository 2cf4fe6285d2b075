package org.tributary.persistence;

/** An account as it may be shown: never its password hash. */
public record Account(String username, String role, long createdMs, long updatedMs) {
    public static final String ADMIN = "admin";
    public static final String VIEWER = "viewer";

    static Account of(AccountEntity e) {
        return new Account(e.username(), e.role(), e.createdMs(), e.updatedMs());
    }

    public boolean isAdmin() {
        return ADMIN.equals(role);
    }
}
