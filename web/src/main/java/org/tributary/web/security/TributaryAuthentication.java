package org.tributary.web.security;

import jakarta.ejb.EJB;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.security.enterprise.AuthenticationStatus;
import jakarta.security.enterprise.authentication.mechanism.http.HttpAuthenticationMechanism;
import jakarta.security.enterprise.authentication.mechanism.http.HttpMessageContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import java.util.Set;
import org.tributary.ee.AccessService;
import org.tributary.ee.AdminException;
import org.tributary.persistence.Account;

/**
 * The one Jakarta Security authentication mechanism of the WAR. A request is authenticated by, in
 * this order: an {@code Authorization: Basic} header (REST clients), an {@code Authorization:
 * Bearer} token (issued at {@code POST /api/tokens}), or the console's session (created by the
 * login form through {@code POST /api/session}). The caller and its role ({@code admin} or
 * {@code viewer}, also its only group) are handed to the container, so
 * {@code SecurityContext.isUserInRole} works. Requests without credentials pass on anonymous; what
 * they may reach is decided by the API's gate ({@code ApiGate}) and the console's
 * ({@code ConsoleGate}); {@code /health}, {@code /metrics} and {@code /openapi} are open.
 */
@ApplicationScoped
public class TributaryAuthentication implements HttpAuthenticationMechanism {
    private final LoginFailures failures = new LoginFailures();

    @EJB
    private AccessService access;

    @Override
    public AuthenticationStatus validateRequest(HttpServletRequest request, HttpServletResponse response, HttpMessageContext context) {
        String header = request.getHeader("Authorization");
        Caller caller = null;
        try {
            if (header != null && header.regionMatches(true, 0, "Basic ", 0, 6)) {
                caller = basic(request, header.substring(6).trim());
            } else if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
                Optional<Account> a = access.tokenOwner(header.substring(7).trim());
                if (a.isPresent()) {
                    caller = new Caller(a.get().username(), a.get().role(), Caller.BEARER, null);
                } else {
                    failures.failed("bearer-token", "", request.getRemoteAddr());
                    request.setAttribute(Caller.REFUSED, "the bearer token is unknown or expired");
                }
            } else {
                HttpSession session = request.getSession(false);
                Object c = session == null ? null : session.getAttribute(Caller.ATTRIBUTE);
                caller = c instanceof Caller sc ? current(session, sc) : null;
            }
        } catch (AdminException e) {
            request.setAttribute(Caller.UNAVAILABLE, e.getMessage());
        }
        if (caller == null) {
            return context.doNothing();
        }
        request.setAttribute(Caller.ATTRIBUTE, caller);
        return context.notifyContainerAboutLogin(caller.username(), Set.of(caller.role()));
    }

    /**
     * A console session follows its account: a deleted account or a reset password ends the
     * session (the next request is anonymous: 401 for the API, the login page for the console), a
     * changed role applies to the next request (no waiting for the session to expire). Read from
     * the database on every request, so a change made on another node sharing it counts too.
     */
    private Caller current(HttpSession session, Caller c) {
        Optional<Account> now = access.account(c.username());
        if (now.isEmpty() || !now.get().credentialStamp().equals(c.credentialStamp())) {
            session.invalidate();
            return null;
        }
        if (!now.get().role().equals(c.role())) {
            Caller updated = new Caller(c.username(), now.get().role(), c.via(), c.csrfToken(), c.credentialStamp());
            session.setAttribute(Caller.ATTRIBUTE, updated);
            return updated;
        }
        return c;
    }

    private Caller basic(HttpServletRequest request, String encoded) {
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            request.setAttribute(Caller.REFUSED, "the Basic credentials are not valid Base64");
            return null;
        }
        int colon = decoded.indexOf(':');
        String user = colon < 0 ? decoded : decoded.substring(0, colon);
        char[] password = colon < 0 ? new char[0] : decoded.substring(colon + 1).toCharArray();
        Optional<Account> a = access.authenticate(user, password);
        java.util.Arrays.fill(password, '\0');
        if (a.isEmpty()) {
            failures.failed("basic", user, request.getRemoteAddr());
            request.setAttribute(Caller.REFUSED, "wrong user name or password");
            return null;
        }
        return new Caller(a.get().username(), a.get().role(), Caller.BASIC, null);
    }

    /** A console login (the session resource calls it after checking the password). */
    public void loginFailed(String user, String address) {
        failures.failed("console", user, address);
    }
}
