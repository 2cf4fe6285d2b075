package org.tributary.web.security;

import jakarta.servlet.http.HttpServletRequest;
import java.io.Serializable;

/**
 * Who sent a request, as the authentication mechanism found it: user, role, and how ({@code
 * session}: the console's cookie, which needs the CSRF token for changes; {@code basic};
 * {@code bearer}). Kept in the HTTP session for console logins, with the account's credential
 * stamp at login: a password reset (or the account deleted and created again) changes the stamp
 * and so ends the session.
 */
public record Caller(String username, String role, String via, String csrfToken, String credentialStamp) implements Serializable {
    /** Request attribute (this request's caller) and session attribute (the logged-in console user). */
    public static final String ATTRIBUTE = "tributary.caller";
    /** Request attribute: why credentials that came with the request were refused. */
    public static final String REFUSED = "tributary.auth.refused";
    /** Request attribute: set when credentials could not be checked (database down). */
    public static final String UNAVAILABLE = "tributary.auth.unavailable";
    public static final String SESSION = "session";
    public static final String BASIC = "basic";
    public static final String BEARER = "bearer";
    private static final long serialVersionUID = 2L;

    /** A caller authenticated by this request alone (Basic, bearer): nothing to remember. */
    public Caller(String username, String role, String via, String csrfToken) {
        this(username, role, via, csrfToken, null);
    }

    public boolean isAdmin() {
        return "admin".equals(role);
    }

    public boolean viaCookie() {
        return SESSION.equals(via);
    }

    /** The caller of this request, or null when anonymous. */
    public static Caller of(HttpServletRequest request) {
        Object c = request.getAttribute(ATTRIBUTE);
        return c instanceof Caller caller ? caller : null;
    }
}
