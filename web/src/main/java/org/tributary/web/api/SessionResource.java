package org.tributary.web.api;

import jakarta.ejb.EJB;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.tributary.ee.AccessService;
import org.tributary.persistence.Account;
import org.tributary.web.security.Caller;
import org.tributary.web.security.FailedLoginDelay;
import org.tributary.web.security.TributaryAuthentication;

/** The console's login session: log in (form), who am I, log out. */
@Path("session")
@RequestScoped
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Access")
public class SessionResource {

    @EJB
    private AccessService access;

    @Inject
    private TributaryAuthentication authentication;

    @Inject
    private FailedLoginDelay delay;

    @Context
    private HttpServletRequest http;

    /** Body of {@code POST /api/session}. */
    public record Login(String username, String password) {
    }

    /** Who is logged in; {@code csrfToken} (session logins only) goes in {@code X-CSRF-Token} with every change. */
    public record Me(String username, String role, String via, String csrfToken) {
    }

    /**
     * A wrong password is answered 401 after {@link FailedLoginDelay} (from the scheduler: the
     * request thread is not held); a right one at once.
     */
    @POST
    @Operation(summary = "Log in to the console: sets the session cookie and returns the CSRF token")
    public void login(Login body, @Suspended AsyncResponse answer) {
        Inputs.required(body, "body");
        char[] password = body.password() == null ? new char[0] : body.password().toCharArray();
        Account a = access.authenticate(body.username(), password).orElse(null);
        java.util.Arrays.fill(password, '\0');
        if (a == null) {
            authentication.loginFailed(body.username(), http.getRemoteAddr());
            Response refused = Problem.response(401, "Unauthorized", "wrong user name or password", null);
            if (!delay.later(() -> answer.resume(refused))) {
                answer.resume(refused);
            }
            return;
        }
        answer.resume(startSession(a));
    }

    private Me startSession(Account a) {
        HttpSession old = http.getSession(false);
        if (old != null) {
            old.invalidate(); // a new session id at login: no session fixation
        }
        HttpSession session = http.getSession(true);
        Caller c = new Caller(a.username(), a.role(), Caller.SESSION, csrfToken(), a.credentialStamp());
        session.setAttribute(Caller.ATTRIBUTE, c);
        return new Me(c.username(), c.role(), c.via(), c.csrfToken());
    }

    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    private static String csrfToken() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    @GET
    @Operation(summary = "Who is logged in")
    public Me me() {
        Caller c = Caller.of(http);
        return new Me(c.username(), c.role(), c.via(), c.csrfToken());
    }

    @DELETE
    @Operation(summary = "Log out (ends the console session)")
    public Response logout() {
        HttpSession session = http.getSession(false);
        if (session != null) {
            session.invalidate();
        }
        return Response.noContent().build();
    }
}
