package org.tributary.web.security;

import jakarta.annotation.Priority;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.tributary.web.api.Problem;

/**
 * Who may do what under {@code /api}: anonymous requests get 401 (except logging in and the
 * first-admin setup); changes (any method but GET, HEAD, OPTIONS) need the {@code admin} role,
 * else 403, apart from a caller's own session and tokens; accounts are for admins only; and a
 * change authenticated by the console's cookie must carry the session's CSRF token in
 * {@code X-CSRF-Token}, else 403. Every refusal is a JSON problem body.
 */
@Provider
@Priority(Priorities.AUTHENTICATION)
public class ApiGate implements ContainerRequestFilter {
    public static final String CSRF_HEADER = "X-CSRF-Token";

    @Context
    private HttpServletRequest http;

    @Override
    public void filter(ContainerRequestContext request) {
        String method = request.getMethod();
        String path = path(request);
        boolean change = !("GET".equals(method) || "HEAD".equals(method) || "OPTIONS".equals(method));
        if (open(method, path)) {
            return;
        }
        Caller caller = Caller.of(http);
        if (caller == null) {
            Object unavailable = http.getAttribute(Caller.UNAVAILABLE);
            if (unavailable != null) {
                request.abortWith(Problem.response(503, "Service Unavailable", "credentials cannot be checked now: " + unavailable, null));
                return;
            }
            Response r = Problem.response(401, "Unauthorized", unauthorizedDetail(http.getAttribute(Caller.REFUSED)), null);
            request.abortWith(Response.fromResponse(r).header("WWW-Authenticate", challenge(request.getHeaderString("X-Requested-With")))
                    .build());
            return;
        }
        if (change && caller.viaCookie() && !csrfOk(request.getHeaderString(CSRF_HEADER))) {
            request.abortWith(Problem.response(403, "Forbidden", "CSRF token missing or wrong: a change made with the console's "
                    + "session cookie must send the " + CSRF_HEADER + " header given at login (GET /api/session)", null));
            return;
        }
        if (path.startsWith("accounts") && !caller.isAdmin()) {
            request.abortWith(Problem.response(403, "Forbidden", "accounts are managed by admins only", null));
            return;
        }
        if (change && !caller.isAdmin() && !ownSession(method, path)) {
            request.abortWith(Problem.response(403, "Forbidden", "user '" + caller.username() + "' has the '" + caller.role()
                    + "' role, which is read-only; changes need the 'admin' role", null));
        }
    }

    static String path(ContainerRequestContext request) {
        String p = request.getUriInfo().getPath();
        while (p.startsWith("/")) {
            p = p.substring(1);
        }
        return p;
    }

    /** Why a request is anonymous: the reason its credentials were refused, or how to log in. */
    static String unauthorizedDetail(Object refused) {
        return refused != null ? refused.toString()
                : "log in: HTTP Basic (an account's user and password), a bearer token from POST /api/tokens, or the console's session";
    }

    /** A browser shows its own login dialog for a Basic challenge: the console's scripts ask not to get one. */
    static String challenge(String requestedWith) {
        return "XMLHttpRequest".equals(requestedWith) ? "Bearer realm=\"tributary\"" : "Basic realm=\"tributary\", charset=\"UTF-8\"";
    }

    /** Logging in and the first-admin setup need no account. */
    static boolean open(String method, String path) {
        return "POST".equals(method) && path.equals("session") || path.equals("setup");
    }

    /** Anyone logged in may log out and get a token for their own account. */
    private static boolean ownSession(String method, String path) {
        return "DELETE".equals(method) && path.equals("session") || "POST".equals(method) && path.equals("tokens");
    }

    private boolean csrfOk(String sent) {
        HttpSession session = http.getSession(false);
        Object c = session == null ? null : session.getAttribute(Caller.ATTRIBUTE);
        if (!(c instanceof Caller sc) || sc.csrfToken() == null || sent == null) {
            return false;
        }
        return MessageDigest.isEqual(sc.csrfToken().getBytes(StandardCharsets.UTF_8), sent.getBytes(StandardCharsets.UTF_8));
    }
}
