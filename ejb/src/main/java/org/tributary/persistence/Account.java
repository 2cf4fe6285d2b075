package org.tributary.persistence;

/**
 * An account as it may be shown: never its password hash. {@code credentialStamp} is a short
 * digest of the stored hash (it reveals nothing about the password and is never shown): it changes
 * when the password is reset or the account is deleted and created again, so a console session
 * that remembers it can tell that its login no longer counts.
 */
public record Account(String username, String role, long createdMs, long updatedMs, String credentialStamp) {
    public static final String ADMIN = "admin";
    public static final String VIEWER = "viewer";

    static Account of(AccountEntity e) {
        return new Account(e.username(), e.role(), e.createdMs(), e.updatedMs(),
                PasswordHashing.sha256("credential-stamp\u0000" + e.passwordHash()).substring(0, 16));
    }

    public boolean isAdmin() {
        return ADMIN.equals(role);
    }
}
