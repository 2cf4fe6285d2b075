package org.tributary.ee;

import jakarta.ejb.ApplicationException;

/**
 * An admin operation that cannot be done, with the HTTP-like status it deserves and, when one
 * input is to blame, the name of that field.
 */
@ApplicationException(rollback = false)
public class AdminException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public enum Kind {
        INVALID(400), NOT_FOUND(404), CONFLICT(409), UNAVAILABLE(503);

        private final int status;

        Kind(int status) {
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    private final Kind kind;
    private final String field;

    public AdminException(Kind kind, String field, String message) {
        super(message);
        this.kind = kind;
        this.field = field;
    }

    public Kind kind() {
        return kind;
    }

    /** The input field at fault, or null. */
    public String field() {
        return field;
    }
}
